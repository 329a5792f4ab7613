// What this tab offers when a client asks for bids (DESIGN.md section 4): its speed from the wonks
// benchmark, its job slots, its price per job and its record. Read from WorkerRole.bid() and, for
// the record in full, WorkerRole.record (the bid carries its accepted jobs and recent share).
import { LitElement, css, html } from 'lit';
import type { Bid } from '../../peer/bids.ts';
import type { PointsRecord } from '../../peer/points-client.ts';
import { UNKNOWN_WONKS } from '../../peer/wonks.ts';
import { duration, percent, plural, wonksAsMs } from '../shared/format.ts';
import { baseStyles, cardStyles } from '../shared/styles.ts';

export class PfOwnBidCard extends LitElement {
  static override properties = {
    bid: { attribute: false },
    record: { attribute: false },
    active: { type: Boolean },
    recheckMs: { type: Number, attribute: 'recheck-ms' },
  };

  declare bid: Bid | undefined;
  /** The ledger's record of this worker, as last read; undefined before the first read. */
  declare record: PointsRecord | undefined;
  /** The tab has joined or is joining, so the benchmark runs (or is about to). */
  declare active: boolean;
  /** How often the benchmark is run again. */
  declare recheckMs: number | undefined;

  constructor() {
    super();
    this.active = false;
  }

  static override styles = [baseStyles, cardStyles, css`
    :host {
      display: flex;
      flex-direction: column;
    }

    .card {
      flex: 1;
    }

    .stats {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(120px, 1fr));
      gap: 12px;
    }

    .stat {
      padding: 14px 16px;
      border-radius: var(--pf-radius-small);
      background: var(--pf-surface-2);
      min-width: 0;
    }

    .value {
      display: block;
      font-size: 1.45rem;
      font-weight: 650;
      font-variant-numeric: tabular-nums;
      line-height: 1.25;
      white-space: nowrap;
    }

    .value.pending {
      color: var(--pf-muted);
      font-size: 1.05rem;
      font-weight: 500;
      line-height: 1.9;
    }

    /* Finite, as the status badge's: measuring takes a few seconds. */
    .value.measuring {
      animation: pulse 1.4s ease-in-out 4;
    }

    .label {
      color: var(--pf-muted);
      font-size: 0.86rem;
    }

    .note {
      margin-top: 14px;
      color: var(--pf-muted);
      font-size: 0.86rem;
    }

    /* Three tiles still fit side by side on a phone. */
    @media (max-width: 520px) {
      .stats {
        grid-template-columns: repeat(3, minmax(0, 1fr));
        gap: 8px;
      }

      .stat {
        padding: 10px 12px;
      }

      .value {
        font-size: 1.15rem;
      }
    }

    @keyframes pulse {
      50% {
        opacity: 0.45;
      }
    }

    @media (prefers-reduced-motion: reduce) {
      .value.measuring {
        animation: none;
      }
    }
  `];

  override render() {
    const bid = this.bid;
    return html`
      <section class="card" aria-labelledby="title">
        <div class="card-head">
          <h2 id="title">Your bid</h2>
        </div>
        <div class="stats">
          ${this.renderSpeed(bid?.wonks ?? UNKNOWN_WONKS)}
          ${this.stat(bid ? String(bid.slots) : '—', bid?.slots === 1 ? 'job slot' : 'job slots')}
          ${this.stat(bid ? String(bid.price) : '—', bid?.price === 1 ? 'point per job' : 'points per job')}
        </div>
        <p class="note">${this.note(bid)}</p>
      </section>
    `;
  }

  private renderSpeed(wonks: number) {
    if (wonks !== UNKNOWN_WONKS) return this.stat(wonksAsMs(wonks), 'benchmark time');
    const text = this.active ? 'measuring…' : 'not measured';
    return html`
      <div class="stat">
        <span class="value pending ${this.active ? 'measuring' : ''}" aria-live="polite">${text}</span>
        <span class="label">benchmark time</span>
      </div>
    `;
  }

  private stat(value: string, label: string) {
    return html`<div class="stat"><span class="value">${value}</span><span class="label">${label}</span></div>`;
  }

  /** The record, and when the speed is measured (again). */
  private note(bid: Bid | undefined): string {
    const record = this.recordText(bid);
    if (!this.active) return `${record} The benchmark (lower is faster) runs when you join.`;
    return `${record} Sent to clients that ask for bids. Lower benchmark time is faster; it is measured ${this.every()}.`;
  }

  /** "12 jobs accepted · 98 % valid · 97 % recent."; from the bid alone until the record is read. */
  private recordText(bid: Bid | undefined): string {
    const record = this.record;
    if (record) {
      if (record.jobs === 0) return 'No jobs accepted yet.';
      return `${plural(record.jobs, 'job')} accepted · ${percent(record.valid)} valid · ${percent(record.recent)} recent.`;
    }
    if (!bid || bid.jobs === 0) return 'No jobs accepted yet.';
    return `${plural(bid.jobs, 'job')} accepted · ${percent(bid.valid)} recent.`;
  }

  /** "every minute", "every 5 min"; "now and then" when the period is unknown. */
  private every(): string {
    if (!this.recheckMs) return 'now and then';
    const period = duration(this.recheckMs / 1000);
    return period === '1 min' ? 'every minute' : `every ${period}`;
  }
}

customElements.define('pf-own-bid-card', PfOwnBidCard);

declare global {
  interface HTMLElementTagNameMap {
    'pf-own-bid-card': PfOwnBidCard;
  }
}
