// The demo card of the admin page (the original test.tcl's Start/Stop and its client panel):
// start N worker tabs in small frames, then get bids or spend points through a client tab, and
// watch it all in the replay. The frames live in a collapsible strip; the logic in DemoController.
import { LitElement, css, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { count, elapsed, plural, points } from '../shared/format.ts';
import { RoleController } from '../shared/role-controller.ts';
import { baseStyles, buttonStyles, cardStyles, fieldStyles, tableStyles } from '../shared/styles.ts';
import {
  DEFAULT_DEMO_WORKERS, MAX_DEMO_WORKERS, type DemoController, type DemoFrame, type DemoOutcome,
} from './demo-controller.ts';
import '../shared/pf-peer-id.ts';

const DEFAULT_POINTS = 10;
const MAX_POINTS = 500;
/** Results listed in the summary; the rest are counted. */
const SHOWN_RESULTS = 12;

export class PfDemoPanel extends LitElement {
  static override properties = {
    controller: { attribute: false },
    _workers: { state: true },
    _points: { state: true },
    _open: { state: true },
  };

  declare controller: DemoController | undefined;
  declare _workers: number;
  declare _points: number;
  /** Whether the strip of frames is shown (they keep running while it is folded). */
  declare _open: boolean;

  private readonly controllerWatch = new RoleController<DemoController>(this, { perFrame: true });

  constructor() {
    super();
    this._workers = DEFAULT_DEMO_WORKERS;
    this._points = DEFAULT_POINTS;
    this._open = true;
  }

  static override styles = [baseStyles, buttonStyles, cardStyles, fieldStyles, tableStyles, css`
    .card-head p {
      color: var(--pf-muted);
      font-size: 0.88rem;
    }

    .controls {
      display: flex;
      flex-wrap: wrap;
      align-items: end;
      gap: 12px 28px;
    }

    .group {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px;
    }

    .group .label {
      margin: 0 4px 0 0;
    }

    input[type='number'] {
      width: 5.5em;
    }

    .outcome {
      margin-top: 16px;
    }

    .summary {
      color: var(--pf-muted);
      font-size: 0.9rem;
    }

    .summary strong {
      color: var(--pf-text);
    }

    .results {
      margin-top: 4px;
      font-family: var(--pf-mono);
      font-size: 0.86rem;
      overflow-wrap: anywhere;
    }

    .busy {
      color: var(--pf-muted);
    }

    .strip-head {
      display: flex;
      align-items: center;
      justify-content: space-between;
      margin-top: 16px;
      border-top: 1px solid var(--pf-border);
      padding-top: 10px;
    }

    .strip {
      display: flex;
      gap: 12px;
      padding: 10px 2px 4px;
      overflow-x: auto;
    }

    /* Folded, the frames stay laid out (never display: none) so their tabs keep running. */
    .strip.folded {
      height: 0;
      padding: 0;
      overflow: hidden;
    }

    figure {
      flex: none;
      margin: 0;
    }

    .thumb {
      width: 180px;
      height: 128px;
      overflow: hidden;
      border: 1px solid var(--pf-border);
      border-radius: var(--pf-radius-small);
      background: var(--pf-bg);
    }

    .thumb.client {
      border-color: var(--replay-client, #d0453b);
    }

    iframe {
      width: 480px;
      height: 341px;
      border: 0;
      transform: scale(0.375);
      transform-origin: 0 0;
      pointer-events: none;
    }

    figcaption {
      display: flex;
      align-items: center;
      gap: 6px;
      margin-top: 4px;
      color: var(--pf-muted);
      font-size: 0.8rem;
    }
  `];

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('controller')) this.controllerWatch.observe(this.controller);
  }

  override render() {
    const demo = this.controller;
    if (!demo) return nothing;
    const running = demo.frames.length > 0;
    return html`
      <section class="card" aria-labelledby="demo">
        <div class="card-head">
          <div>
            <h2 id="demo">Demo${running ? html`<span class="count">${demo.frames.length}</span>` : nothing}</h2>
            <p>Worker and client tabs in this page, to watch the network form and farm.</p>
          </div>
        </div>
        <div class="controls">
          <div class="group">
            <label class="label" for="workers">Workers</label>
            <input id="workers" type="number" min="1" max=${MAX_DEMO_WORKERS} .value=${String(this._workers)}
              @input=${this._onWorkers} />
            <button class="primary start" ?disabled=${demo.workers >= MAX_DEMO_WORKERS} @click=${this._onStart}>
              ${running ? 'Add workers' : 'Start demo'}
            </button>
            <button class="stop" ?disabled=${!running} @click=${() => demo.stop()}>Stop</button>
          </div>
          <div class="group" role="group" aria-label="Client">
            <span class="label">Client</span>
            <button class="bids" ?disabled=${demo.busy !== undefined} @click=${() => void demo.getBids()}>Get bids</button>
            <button class="spend" ?disabled=${demo.busy !== undefined} @click=${() => void demo.spend(this._points)}>
              Spend ${this._points} points
            </button>
            <input type="number" aria-label="Points to spend" min="1" max=${MAX_POINTS} .value=${String(this._points)}
              @input=${this._onPoints} />
          </div>
        </div>
        <div class="outcome" aria-live="polite">${this.renderOutcome(demo)}</div>
        ${running ? this.renderStrip(demo) : nothing}
      </section>
    `;
  }

  private renderOutcome(demo: DemoController) {
    if (demo.busy === 'bids') return html`<p class="busy">Asking the network for bids…</p>`;
    if (demo.busy === 'spend') return html`<p class="busy">Farming ${plural(this._points, 'job')}…</p>`;
    const outcome = demo.outcome;
    if (!outcome) return nothing;
    if (outcome.kind === 'error') return html`<p class="notice-error" role="alert">${outcome.action}: ${outcome.message}</p>`;
    return outcome.kind === 'bids' ? this.renderBids(outcome) : this.renderSpent(outcome);
  }

  private renderBids(outcome: Extract<DemoOutcome, { kind: 'bids' }>) {
    return html`
      <p class="summary bids"><strong>${plural(outcome.bids.length, 'bid')}</strong> in ${elapsed(outcome.ms)}</p>
      ${outcome.bids.length > 0 ? html`
        <div class="scroll">
          <table class="bid-list">
            <thead><tr><th>Worker</th><th class="num">Price</th><th class="num">Slots</th><th class="num">Wonks</th><th class="num">Jobs</th></tr></thead>
            <tbody>${outcome.bids.map((bid) => html`
              <tr>
                <td><pf-peer-id peer-id=${bid.id}></pf-peer-id></td><td class="num">${bid.price}</td><td class="num">${bid.slots}</td>
                <td class="num">${count(bid.wonks)}</td><td class="num">${count(bid.jobs)}</td>
              </tr>`)}
            </tbody>
          </table>
        </div>` : nothing}
    `;
  }

  private renderSpent(outcome: Extract<DemoOutcome, { kind: 'spent' }>) {
    const { result } = outcome;
    const shown = result.results.slice(0, SHOWN_RESULTS).map((value) => JSON.stringify(value)).join(', ');
    const more = result.results.length > SHOWN_RESULTS ? `, … (${count(result.results.length - SHOWN_RESULTS)} more)` : '';
    return html`
      <p class="summary spent">
        Paid <strong>${points(result.paid)}</strong> for ${plural(outcome.jobs, 'job')} on
        ${plural(result.workers.length, 'worker')} in ${elapsed(outcome.ms)}.
      </p>
      <p class="results">x * 2 → ${shown}${more}</p>
    `;
  }

  private renderStrip(demo: DemoController) {
    return html`
      <div class="strip-head">
        <span class="summary">${plural(demo.workers, 'worker tab')}${demo.frames.length > demo.workers ? ', 1 client tab' : ''}</span>
        <button class="quiet" aria-expanded=${this._open ? 'true' : 'false'} aria-controls="strip" @click=${() => (this._open = !this._open)}>
          ${this._open ? 'Hide tabs' : 'Show tabs'}
        </button>
      </div>
      <div id="strip" class="strip ${this._open ? '' : 'folded'}">
        ${repeat(demo.frames, (frame) => frame.key, (frame) => this.renderFrame(demo, frame))}
      </div>
    `;
  }

  private renderFrame(demo: DemoController, frame: DemoFrame) {
    const status = demo.status(frame.key);
    const links = status?.neighbours !== undefined ? ` · ${plural(status.neighbours, 'link')}` : '';
    return html`
      <figure>
        <div class="thumb ${frame.kind}">
          <iframe src=${frame.src} title=${`Demo ${frame.kind} tab`} tabindex="-1"
            @load=${(event: Event) => demo.attach(frame.key, (event.target as HTMLIFrameElement).contentWindow)}></iframe>
        </div>
        <figcaption>
          ${status?.id ? html`<pf-peer-id peer-id=${status.id}></pf-peer-id>` : html`<span>${frame.kind}</span>`}
          <span>${status ? `${status.state}${links}` : 'loading'}</span>
        </figcaption>
      </figure>
    `;
  }

  private readonly _onStart = (): void => {
    this.controller?.start(this._workers);
  };

  private readonly _onWorkers = (event: Event): void => {
    const value = Math.round(Number((event.target as HTMLInputElement).value));
    if (Number.isFinite(value)) this._workers = Math.min(Math.max(value, 1), MAX_DEMO_WORKERS);
  };

  private readonly _onPoints = (event: Event): void => {
    const value = Math.round(Number((event.target as HTMLInputElement).value));
    if (Number.isFinite(value)) this._points = Math.min(Math.max(value, 1), MAX_POINTS);
  };
}

customElements.define('pf-demo-panel', PfDemoPanel);

declare global {
  interface HTMLElementTagNameMap {
    'pf-demo-panel': PfDemoPanel;
  }
}
