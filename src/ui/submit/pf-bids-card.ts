// The Bids card of the submit page: a Get bids button (emits `pf-solicit`; the page calls
// ClientRole.solicit), progress while the request floods the overlay, then the bids that came back
// and how long they took. Shows what the role holds, so a solicit started from the console shows too.
import { LitElement, css, html, nothing } from 'lit';
import type { Bid } from '../../peer/bids.ts';
import type { SolicitState } from '../../peer/client-role.ts';
import { emptyState } from '../shared/empty-state.ts';
import { clockTime, plural } from '../shared/format.ts';
import { baseStyles, buttonStyles, cardStyles } from '../shared/styles.ts';
import '../shared/pf-peer-id.ts';
import './pf-bid-table.ts';
import './pf-solicit-progress.ts';

/** "3.2 s"; under a second in ms, since loopback floods can take 40 ms. */
function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** "Asking for bids failed: <reason>." */
function failure(reason: string | undefined): string {
  const text = reason?.trim().replace(/\.$/, '');
  return text ? `Asking for bids failed: ${text}.` : 'Asking for bids failed.';
}

/** Why Get bids cannot be pressed now, as an empty state; undefined when it can. */
export type Blocker = 'joining' | 'no-workers' | undefined;

export class PfBidsCard extends LitElement {
  static override properties = {
    bids: { attribute: false },
    state: { type: String },
    via: { type: String },
    startedAt: { type: Number, attribute: 'started-at' },
    deadline: { type: Number },
    error: { type: String },
    blocker: { type: String },
    excluded: { attribute: false },
    locked: { type: Boolean },
    _finishedAt: { state: true },
    _tookMs: { state: true },
    _askedVia: { state: true },
  };

  declare bids: readonly Bid[];
  declare state: SolicitState;
  declare via: string | undefined;
  declare startedAt: number | undefined;
  declare deadline: number | undefined;
  declare error: string | undefined;
  declare blocker: Blocker;
  /** Bids the person unticked, and whether ticks are frozen (a series is running). */
  declare excluded: ReadonlySet<string>;
  declare locked: boolean;
  /** When the bids shown arrived, and how long the solicit took (noticed here: the role keeps no end time). */
  declare _finishedAt: number | undefined;
  declare _tookMs: number | undefined;
  declare _askedVia: string | undefined;

  constructor() {
    super();
    this.bids = [];
    this.state = 'idle';
    this.excluded = new Set();
    this.locked = false;
  }

  static override styles = [baseStyles, cardStyles, buttonStyles, css`
    .lead {
      max-width: 70ch;
      margin: -6px 0 16px;
      color: var(--pf-muted);
    }

    pf-solicit-progress,
    .notice-error {
      margin-bottom: 16px;
    }

    pf-bid-table.stale {
      opacity: 0.5;
      transition: opacity 160ms ease;
    }

    .footer {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 6px;
      margin-top: 12px;
      padding-top: 12px;
      border-top: 1px solid var(--pf-border);
      color: var(--pf-muted);
      font-size: 0.86rem;
      font-variant-numeric: tabular-nums;
    }
  `];

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('state') && this.state === 'done') {
      this._finishedAt = Date.now();
      this._tookMs = this.startedAt === undefined ? undefined : this._finishedAt - this.startedAt;
      this._askedVia = this.via;
    }
  }

  override render() {
    const soliciting = this.state === 'soliciting';
    return html`
      <section class="card" aria-labelledby="title">
        <div class="card-head">
          <h2 id="title">Bids<span class="count">${this.bids.length}</span></h2>
          <button
            class="primary"
            ?disabled=${soliciting || this.blocker !== undefined}
            aria-busy=${soliciting ? 'true' : 'false'}
            @click=${this._onSolicit}
          >Get bids</button>
        </div>
        <p class="lead">One listening worker, picked at random, floods the request through the overlay and
          sends back every bid that reaches it in time. Untick a bid to leave that worker out of the next run.</p>
        ${soliciting
          ? html`<pf-solicit-progress .via=${this.via} .startedAt=${this.startedAt}
              .deadline=${this.deadline}></pf-solicit-progress>`
          : nothing}
        ${this.state === 'failed'
          ? html`<p class="notice-error" role="alert"><span>${failure(this.error)} Press Get bids to try again.</span></p>`
          : nothing}
        ${this.bids.length > 0 ? this.renderBids(soliciting) : this.renderEmpty()}
      </section>
    `;
  }

  private renderBids(stale: boolean) {
    const workers = new Set(this.bids.map((bid) => bid.id)).size;
    const took = this._tookMs === undefined ? '' : ` in ${seconds(this._tookMs)}`;
    return html`
      <pf-bid-table class=${stale ? 'stale' : ''} .bids=${this.bids} .excluded=${this.excluded} ?locked=${this.locked}></pf-bid-table>
      <p class="footer" title=${this._finishedAt ? `Received at ${clockTime(this._finishedAt)}` : ''}>
        ${plural(this.bids.length, 'bid')} from ${plural(workers, 'worker')}${took}
        · ${this.ticked()}
        ${this._askedVia ? html`<span>· asked through <pf-peer-id peer-id=${this._askedVia}></pf-peer-id></span>` : nothing}
      </p>
    `;
  }

  /** "all ticked" or "2 of 3 ticked". */
  private ticked(): string {
    const ticked = this.bids.filter((bid) => !this.excluded.has(bid.id)).length;
    return ticked === this.bids.length ? 'all ticked' : `${ticked} of ${this.bids.length} ticked`;
  }

  private renderEmpty() {
    if (this.state === 'soliciting') return nothing;
    if (this.state === 'done') {
      return emptyState('No worker answered in time',
        'Workers that joined a moment ago may still be linking up; try again in a few seconds.');
    }
    if (this.state === 'failed') return nothing;
    switch (this.blocker) {
      case 'joining': return emptyState('No bids yet', 'Bids can be asked for once this page has joined as a client.');
      case 'no-workers': return emptyState('No bids yet', 'Bids need a listening worker: open the Worker page in another tab and press Join.');
      default: return emptyState('No bids yet', 'Press Get bids to ask the listening workers what they offer.');
    }
  }

  private _onSolicit(): void {
    this.dispatchEvent(new CustomEvent('pf-solicit', { bubbles: true, composed: true }));
  }
}

customElements.define('pf-bids-card', PfBidsCard);

declare global {
  interface HTMLElementTagNameMap {
    'pf-bids-card': PfBidsCard;
  }
}
