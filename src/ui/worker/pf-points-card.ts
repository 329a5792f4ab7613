// The worker's points: its balance as the authority last reported it, its record (accepted jobs,
// valid share, and the recent share that clients weigh bids by), the points its jobs earned since
// the page opened, and the latest ledger entries. Refresh emits `pf-refresh-points`; the page calls
// WorkerRole.refreshPoints.
import { LitElement, css, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Balance, HistoryEntry, PointsRecord } from '../../peer/points-client.ts';
import { ClockController } from '../shared/clock-controller.ts';
import { clockTime, count, percent, plural, points, relativeTime, signedPoints } from '../shared/format.ts';
import { baseStyles, buttonStyles, cardStyles } from '../shared/styles.ts';

/** Rows of history shown: a glance at the latest, not a statement. */
export const SHOWN_HISTORY_ROWS = 5;

const KIND_LABELS: Readonly<Record<string, (n: number) => string>> = {
  grant: () => 'Starting points',
  post: (n) => `Paid for ${plural(n, 'job')}`,
  hold: (n) => `Held for ${plural(n, 'job')}`,
  void: (n) => `${plural(n, 'hold')} given back`,
  reject: (n) => `${plural(n, 'result')} outvoted, refunded`,
  expire: (n) => `${plural(n, 'hold')} expired`,
};

/** Consecutive entries of one kind, as one row: a busy worker is paid job by job. */
interface HistoryRow {
  readonly kind: string;
  readonly entries: number;
  readonly delta: number;
  readonly at: number;
}

/**
 * Groups runs of one kind, newest first. When the read was cut at `limit` entries, the oldest run
 * may be cut too, so it is dropped rather than shown with a wrong count (unless it is all there is).
 */
export function historyRows(entries: readonly HistoryEntry[], limit: number): HistoryRow[] {
  const rows: HistoryRow[] = [];
  for (const entry of entries) {
    const last = rows.at(-1);
    if (last && last.kind === entry.kind) {
      rows[rows.length - 1] = { ...last, entries: last.entries + 1, delta: last.delta + entry.delta };
    } else {
      rows.push({ kind: entry.kind, entries: 1, delta: entry.delta, at: entry.at });
    }
  }
  if (entries.length >= limit && rows.length > 1) rows.pop();
  return rows;
}

export class PfPointsCard extends LitElement {
  static override properties = {
    balance: { attribute: false },
    record: { attribute: false },
    earned: { type: Number },
    joined: { type: Boolean },
    history: { attribute: false },
    historyLimit: { type: Number, attribute: 'history-limit' },
    historyError: { type: String, attribute: 'history-error' },
    refreshing: { type: Boolean },
  };

  declare balance: Balance | undefined;
  declare record: PointsRecord | undefined;
  /** Points earned by jobs done since the page opened (paid as their clients settle them). */
  declare earned: number;
  declare joined: boolean;
  /** The latest ledger entries, newest first, read with `historyLimit`. */
  declare history: readonly HistoryEntry[] | undefined;
  declare historyLimit: number;
  declare historyError: string | undefined;
  /** A refresh asked for is on its way. */
  declare refreshing: boolean;

  private readonly clock = new ClockController(this);

  constructor() {
    super();
    this.earned = 0;
    this.joined = false;
    this.historyLimit = 50;
    this.refreshing = false;
  }

  static override styles = [baseStyles, cardStyles, buttonStyles, css`
    :host {
      display: flex;
      flex-direction: column;
    }

    .card {
      flex: 1;
    }

    .balance {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 2px 10px;
    }

    .big {
      font-size: 2.1rem;
      font-weight: 680;
      font-variant-numeric: tabular-nums;
      letter-spacing: -0.01em;
      line-height: 1.15;
    }

    .big.pending {
      color: var(--pf-muted);
      font-size: 1.3rem;
      font-weight: 500;
    }

    .unit,
    .held {
      color: var(--pf-muted);
    }

    .facts {
      display: grid;
      gap: 4px;
      margin-top: 12px;
      font-size: 0.92rem;
    }

    .earned strong {
      color: var(--pf-ok);
      font-variant-numeric: tabular-nums;
    }

    h3 {
      margin: 18px 0 6px;
      color: var(--pf-muted);
      font-size: 0.8rem;
      font-weight: 600;
      letter-spacing: 0.03em;
      text-transform: uppercase;
    }

    ol {
      margin: 0;
      padding: 0;
      list-style: none;
    }

    li {
      display: grid;
      grid-template-columns: minmax(0, 1fr) auto auto;
      align-items: baseline;
      gap: 12px;
      padding: 6px 0;
      border-bottom: 1px solid var(--pf-border);
      font-size: 0.9rem;
    }

    li:last-child {
      border-bottom: none;
    }

    .when {
      color: var(--pf-muted);
      font-size: 0.84rem;
      white-space: nowrap;
    }

    .delta {
      min-width: 4ch;
      font-weight: 600;
      font-variant-numeric: tabular-nums;
      text-align: right;
    }

    .delta.plus {
      color: var(--pf-ok);
    }

    .delta.minus {
      color: var(--pf-danger);
    }
  `];

  override render() {
    return html`
      <section class="card" aria-labelledby="title">
        <div class="card-head">
          <h2 id="title">Points</h2>
          <button class="quiet" ?disabled=${!this.joined || this.refreshing} @click=${this._onRefresh}>
            ${this.refreshing ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
        ${this.renderBalance()}
        <div class="facts">
          <p>${this.recordText()}</p>
          <p class="earned" title="Paid as the clients settle the jobs">
            <strong>${signedPoints(this.earned)}</strong> earned this session <span class="muted">· paid when clients settle</span>
          </p>
        </div>
        ${this.joined ? this.renderHistory() : nothing}
      </section>
    `;
  }

  private renderBalance() {
    const balance = this.balance;
    if (!balance) {
      const text = this.joined ? 'reading…' : 'join to see';
      return html`<div class="balance"><span class="big pending">${text}</span></div>`;
    }
    return html`
      <div class="balance" aria-live="polite">
        <span class="big">${count(balance.points)}</span>
        <span class="unit">${balance.points === 1 ? 'point' : 'points'}</span>
        ${balance.held > 0 ? html`<span class="held">· ${points(balance.held)} held</span>` : nothing}
      </div>
    `;
  }

  private recordText(): string {
    const record = this.record;
    if (!record) return this.joined ? 'Record: reading…' : 'Your record of accepted jobs shows once you join.';
    if (record.jobs === 0) return 'No jobs accepted yet: your record starts with the first.';
    return `${plural(record.jobs, 'job')} accepted · ${percent(record.valid)} valid · ${percent(record.recent)} recent`;
  }

  private renderHistory() {
    const rows = this.history ? historyRows(this.history, this.historyLimit).slice(0, SHOWN_HISTORY_ROWS) : [];
    return html`
      <h3>Latest</h3>
      ${this.history === undefined
        ? html`<p class="muted">${this.historyError ? `History unavailable: ${this.historyError}` : 'Reading the ledger…'}</p>`
        : rows.length === 0
          ? html`<p class="muted">Nothing in the ledger yet.</p>`
          : html`<ol>${repeat(rows, (row) => `${row.kind}/${row.at}`, (row) => this.renderRow(row))}</ol>`}
    `;
  }

  private renderRow(row: HistoryRow) {
    const label = KIND_LABELS[row.kind]?.(row.entries) ?? row.kind;
    const tone = row.delta > 0 ? 'plus' : row.delta < 0 ? 'minus' : '';
    return html`
      <li>
        <span>${label}</span>
        <span class="when" title=${clockTime(row.at)}>${relativeTime(row.at, this.clock.now)}</span>
        <span class="delta ${tone}">${signedPoints(row.delta)}</span>
      </li>
    `;
  }

  private _onRefresh(): void {
    this.dispatchEvent(new CustomEvent('pf-refresh-points', { bubbles: true, composed: true }));
  }
}

customElements.define('pf-points-card', PfPointsCard);

declare global {
  interface HTMLElementTagNameMap {
    'pf-points-card': PfPointsCard;
  }
}
