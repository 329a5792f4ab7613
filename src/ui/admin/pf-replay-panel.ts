// The network replay of the admin page (DESIGN.md section 6, after the original's test.tcl): the
// "Network traffic" and "P2P network" views of the events the AdminRole loaded, the player bar, a
// legend, the error list and the NDJSON download. The index is rebuilt when new events arrive,
// but not while playing (100,000 events take ~150 ms); the views draw on animation frames.
import { LitElement, css, html, nothing, svg, type SVGTemplateResult } from 'lit';
import type { AdminRole } from '../../peer/admin-role.ts';
import { emptyState } from '../shared/empty-state.ts';
import { count, plural } from '../shared/format.ts';
import { RoleController } from '../shared/role-controller.ts';
import { baseStyles, buttonStyles, cardStyles } from '../shared/styles.ts';
import { buildReplayIndex, type ReplayIndex } from './replay-index.ts';
import { ReplayLayout } from './replay-layout.ts';
import type { ReplayViewName } from './replay-paint.ts';
import { ReplayPlayback, type Speed } from './replay-playback.ts';
import './pf-replay-errors.ts';
import './pf-replay-player.ts';
import './pf-replay-view.ts';

const VIEWS: readonly { name: ReplayViewName; label: string }[] = [
  { name: 'traffic', label: 'Network traffic' },
  { name: 'overlay', label: 'P2P network' },
];

export class PfReplayPanel extends LitElement {
  static override properties = {
    model: { attribute: false },
    authority: { type: String },
    active: { type: Boolean },
    view: { state: true },
  };

  declare model: AdminRole | undefined;
  /** The authority's base URL, for the NDJSON download. */
  declare authority: string | undefined;
  /** Shown on the page: only then is the index kept up to date. */
  declare active: boolean;
  declare view: ReplayViewName;

  readonly playback = new ReplayPlayback();
  readonly layout = new ReplayLayout();
  private index: ReplayIndex | undefined;
  private indexed: { events: unknown; count: number; first: unknown } | undefined;
  private addresses: ReadonlyMap<string, string> = new Map();
  private addressesOf: unknown;

  private readonly roleController = new RoleController<AdminRole>(this, { perFrame: true });
  private readonly playbackController = new RoleController<ReplayPlayback>(this, { perFrame: true });
  private readonly layoutController = new RoleController<ReplayLayout>(this);

  constructor() {
    super();
    this.active = false;
    this.view = 'traffic';
    this.playbackController.observe(this.playback);
    this.layoutController.observe(this.layout);
  }

  static override styles = [baseStyles, buttonStyles, cardStyles, css`
    /* The node colours of the original demo, shared by the canvas (pf-replay-view) and the legend. */
    :host {
      --replay-authority: #2f6bd8;
      --replay-worker: #8d9996;
      --replay-client: #d0453b;
      display: grid;
      gap: var(--pf-gap);
    }

    @media (prefers-color-scheme: dark) {
      :host {
        --replay-authority: #6f9cf0;
        --replay-worker: #a3b0ad;
        --replay-client: #f0776c;
      }
    }

    .card-head {
      flex-wrap: wrap;
    }

    .tools {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px;
    }

    .views {
      display: inline-flex;
      padding: 3px;
      border-radius: var(--pf-radius-small);
      background: var(--pf-surface-2);
    }

    .views button {
      border: none;
      background: transparent;
      padding: 5px 12px;
      color: var(--pf-muted);
    }

    .views button[aria-pressed='true'] {
      background: var(--pf-surface);
      box-shadow: var(--pf-shadow);
      color: var(--pf-text);
      font-weight: 600;
    }

    a.download {
      display: inline-block;
      padding: 7px 14px;
      border: 1px solid var(--pf-border);
      border-radius: var(--pf-radius-small);
      color: var(--pf-text);
      font-weight: 500;
      text-decoration: none;
    }

    a.download:hover {
      background: var(--pf-surface-2);
    }

    pf-replay-player {
      margin-top: 14px;
    }

    .legend {
      display: flex;
      flex-wrap: wrap;
      gap: 6px 18px;
      margin: 14px 0 0;
      padding: 0;
      color: var(--pf-muted);
      font-size: 0.84rem;
      list-style: none;
    }

    .legend li {
      display: inline-flex;
      align-items: center;
      gap: 6px;
    }

    .legend svg {
      flex: none;
    }

    .note {
      margin-top: 10px;
      color: var(--pf-muted);
      font-size: 0.86rem;
    }
  `];

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('model')) this.roleController.observe(this.model);
    if (this.model && this.active) this.refreshIndex(this.model);
  }

  override render() {
    const role = this.model;
    if (!role) return nothing;
    return html`
      <section class="card" aria-labelledby="replay">
        <div class="card-head">
          <h2 id="replay">Network replay<span class="count">${count(this.index?.eventCount ?? 0)}</span></h2>
          <div class="tools">
            <div class="views" role="group" aria-label="View">
              ${VIEWS.map(({ name, label }) => html`<button aria-pressed=${name === this.view ? 'true' : 'false'}
                @click=${() => (this.view = name)}>${label}</button>`)}
            </div>
            ${this.layout.moved ? html`<button class="quiet" @click=${() => this.layout.reset()}>Reset layout</button>` : nothing}
            ${this.authority
              ? html`<a class="download" href=${`${this.authority}/api/events.ndjson`} download="peerfarm-events.ndjson">Download NDJSON</a>`
              : nothing}
          </div>
        </div>
        ${this.index && this.index.eventCount > 0 ? this.renderReplay(this.index) : emptyState(
          'No events yet',
          'Every tab ships its events to the authority every 2 s. Start the demo above, or open a worker tab.',
        )}
        ${role.droppedEvents > 0
          ? html`<p class="note">The authority dropped ${plural(role.droppedEvents, 'older event')}; the replay starts after them.</p>`
          : nothing}
      </section>
      <section class="card" aria-labelledby="errors">
        <div class="card-head"><h2 id="errors">Errors<span class="count">${count(this.index?.errors.length ?? 0)}</span></h2></div>
        <pf-replay-errors .errors=${this.index?.errors ?? []} start=${this.playback.start} time=${this.playback.time}
          @pf-seek=${this._onSeek}></pf-replay-errors>
      </section>
    `;
  }

  private renderReplay(index: ReplayIndex) {
    const { playback } = this;
    const { step, steps } = playback.position;
    return html`
      <pf-replay-view .index=${index} .playback=${playback} .layout=${this.layout} .addresses=${this.addresses}
        view=${this.view} @pf-step=${this._onStep}></pf-replay-view>
      <pf-replay-player start=${playback.start} end=${playback.end} time=${playback.time} step=${step} steps=${steps}
        ?playing=${playback.playing} speed=${playback.speed}
        @pf-step=${this._onStep} @pf-seek=${this._onSeek} @pf-speed=${this._onSpeed}
        @pf-play=${() => playback.play()} @pf-pause=${() => playback.pause()}></pf-replay-player>
      ${this.renderLegend()}
    `;
  }

  private renderLegend() {
    const traffic = this.view === 'traffic';
    return html`
      <ul class="legend" aria-label="Legend">
        <li>${glyph(svg`<circle cx="8" cy="8" r="6.5" fill="var(--replay-authority)" />`)}authority</li>
        <li>${glyph(svg`<circle cx="8" cy="8" r="5.5" fill="var(--replay-worker)" />`)}worker</li>
        <li>${glyph(svg`<rect x="2" y="2" width="12" height="12" fill="var(--replay-client)" />`)}client</li>
        ${traffic
          ? html`
              <li>${glyph(svg`<path d="M1 8h11" stroke="currentColor" stroke-width="1.5" /><path d="M15 8l-5-3v6z" fill="currentColor" />`, 16)}message</li>
              <li style="color: var(--pf-danger)">${glyph(svg`<path d="M1 8h11" stroke="currentColor" stroke-width="1.5" /><path d="M15 8l-5-3v6z" fill="currentColor" />`, 16)}exception</li>
              <li>${glyph(svg`<path d="M2 8h12" stroke="currentColor" stroke-opacity="0.3" stroke-width="6" stroke-linecap="round" />`, 16)}open link</li>`
          : html`<li>${glyph(svg`<path d="M2 8h12" stroke="currentColor" stroke-width="3" stroke-linecap="round" />`, 16)}overlay link</li>`}
        <li>${glyph(svg`<circle cx="8" cy="8" r="6" fill="none" stroke="var(--pf-danger)" stroke-width="2" />`)}overlay changed</li>
      </ul>
    `;
  }

  private refreshIndex(role: AdminRole): void {
    if (this.addressesOf !== role.peers) {
      this.addressesOf = role.peers;
      this.addresses = new Map(role.peers.map((peer) => [peer.id, peer.address]));
    }
    const { events } = role;
    const fresh = !this.indexed || this.indexed.events !== events || this.indexed.count !== events.length || this.indexed.first !== events[0];
    if (!fresh) return;
    if (this.playback.playing) return;
    const roles = new Map(role.peers.map((peer) => [peer.id, peer.role] as const));
    this.index = buildReplayIndex(events, roles);
    this.indexed = { events, count: events.length, first: events[0] };
    this.layout.arrange(this.index);
    this.playback.setIndex(this.index);
  }

  private readonly _onStep = (event: CustomEvent<{ direction: 1 | -1 }>): void => {
    this.playback.step(event.detail.direction);
  };

  private readonly _onSeek = (event: CustomEvent<{ time: number; snap: boolean }>): void => {
    this.playback.pause();
    this.playback.seek(event.detail.time, event.detail.snap);
  };

  private readonly _onSpeed = (event: CustomEvent<{ speed: Speed }>): void => {
    this.playback.setSpeed(event.detail.speed);
  };
}

function glyph(content: SVGTemplateResult, width = 16) {
  return html`<svg width=${width} height="16" viewBox="0 0 ${width} 16" aria-hidden="true">${content}</svg>`;
}

customElements.define('pf-replay-panel', PfReplayPanel);

declare global {
  interface HTMLElementTagNameMap {
    'pf-replay-panel': PfReplayPanel;
  }
}
