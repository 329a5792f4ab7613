// The bids that came back from a solicit, as a table. By default the cheapest per unit of speed
// comes first (price × wonks, ascending: DESIGN.md section 4); a segmented control re-sorts by
// price, speed or slots. Numbers are right-aligned, ids monospace with their colour dot. Each row
// has a checkbox (all ticked unless the page says otherwise); ticking emits `pf-bid-select`.
import { byValue } from '../../peer/farm/choose-bids.ts';
import { LitElement, css, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Bid } from '../../peer/bids.ts';
import { UNKNOWN_WONKS } from '../../peer/wonks.ts';
import { percent, plural, wonksAsMs } from '../shared/format.ts';
import { baseStyles, buttonStyles, tableStyles } from '../shared/styles.ts';
import '../shared/pf-peer-id.ts';

export type BidOrder = 'value' | 'price' | 'speed' | 'slots';

const ORDERS: ReadonlyArray<{ order: BidOrder; label: string; compare: (a: Bid, b: Bid) => number }> = [
  // The same order the default choice hires by (src/peer/farm/choose-bids.ts).
  { order: 'value', label: 'Best value', compare: byValue },
  { order: 'price', label: 'Cheapest', compare: (a, b) => a.price - b.price || a.wonks - b.wonks },
  { order: 'speed', label: 'Fastest', compare: (a, b) => a.wonks - b.wonks || a.price - b.price },
  { order: 'slots', label: 'Most slots', compare: (a, b) => b.slots - a.slots || byValue(a, b) },
];

export function sortBids(bids: readonly Bid[], order: BidOrder): Bid[] {
  const { compare } = ORDERS.find((entry) => entry.order === order)!;
  return [...bids].sort((a, b) => compare(a, b) || a.id.localeCompare(b.id));
}

export class PfBidTable extends LitElement {
  static override properties = {
    bids: { attribute: false },
    order: { type: String },
    excluded: { attribute: false },
    locked: { type: Boolean },
  };

  declare bids: readonly Bid[];
  declare order: BidOrder;
  /** Bids the person unticked. */
  declare excluded: ReadonlySet<string>;
  /** The ticks cannot change now (a series is running). */
  declare locked: boolean;

  constructor() {
    super();
    this.bids = [];
    this.order = 'value';
    this.excluded = new Set();
    this.locked = false;
  }

  static override styles = [baseStyles, buttonStyles, tableStyles, css`
    .sort {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 6px 10px;
      margin-bottom: 10px;
      color: var(--pf-muted);
      font-size: 0.86rem;
    }

    .segments {
      display: inline-flex;
      gap: 2px;
      padding: 3px;
      border-radius: 9px;
      background: var(--pf-surface-2);
    }

    .segments button {
      padding: 2px 11px;
      border: none;
      border-radius: 6px;
      background: transparent;
      color: var(--pf-muted);
      font-size: 0.86rem;
    }

    .segments button:hover:not([aria-pressed='true']) {
      background: transparent;
      color: var(--pf-text);
    }

    .segments button[aria-pressed='true'] {
      background: var(--pf-surface);
      color: var(--pf-text);
      box-shadow: var(--pf-shadow);
    }

    th:first-child,
    td:first-child {
      width: 1px;
      padding-left: 2px;
      padding-right: 4px;
    }

    input[type='checkbox'] {
      width: 16px;
      height: 16px;
      margin: 0;
      vertical-align: middle;
      accent-color: var(--pf-accent);
      cursor: pointer;
    }

    tr.off td:not(:first-child) {
      opacity: 0.5;
    }

    tbody tr:last-child td {
      border-bottom: none;
    }

    tbody tr:hover td {
      background: var(--pf-surface-2);
    }

    .num {
      text-align: right;
      font-variant-numeric: tabular-nums;
    }

    .best {
      margin-left: 8px;
      padding: 1px 8px;
      border-radius: 999px;
      background: var(--pf-accent-soft);
      color: var(--pf-accent);
      font-size: 0.76rem;
      font-weight: 600;
      vertical-align: middle;
    }
  `];

  override render() {
    const rows = sortBids(this.bids, this.order);
    return html`
      <div class="sort">
        <span id="sort-label">Sort by</span>
        <div class="segments" role="group" aria-labelledby="sort-label">
          ${ORDERS.map(({ order, label }) => html`
            <button aria-pressed=${order === this.order ? 'true' : 'false'} data-order=${order} @click=${this._onSort}>
              ${label}
            </button>
          `)}
        </div>
      </div>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>${this.renderAll()}</th>
              <th>Worker</th><th class="num">Slots</th><th class="num">Price</th>
              <th class="num" title="Benchmark time: lower is faster">Speed</th><th class="num">Record</th>
            </tr>
          </thead>
          <tbody>${repeat(rows, (bid) => bid.id, (bid, index) => this.renderRow(bid, index === 0))}</tbody>
        </table>
      </div>
    `;
  }

  private renderAll() {
    const ticked = this.bids.filter((bid) => !this.excluded.has(bid.id)).length;
    return html`<input type="checkbox" aria-label="Hire every bidder" ?disabled=${this.locked}
      .checked=${ticked === this.bids.length} .indeterminate=${ticked > 0 && ticked < this.bids.length}
      @change=${(event: Event) => this.select(this.bids.map((bid) => bid.id), (event.target as HTMLInputElement).checked)} />`;
  }

  private renderRow(bid: Bid, first: boolean) {
    const best = first && this.order === 'value' && this.bids.length > 1;
    const ticked = !this.excluded.has(bid.id);
    return html`
      <tr class=${ticked ? '' : 'off'}>
        <td>
          <input type="checkbox" aria-label=${`Hire ${bid.id}`} ?disabled=${this.locked} .checked=${ticked}
            @change=${(event: Event) => this.select([bid.id], (event.target as HTMLInputElement).checked)} />
        </td>
        <td>
          <pf-peer-id peer-id=${bid.id}></pf-peer-id>${best ? html`<span class="best">best value</span>` : ''}
        </td>
        <td class="num">${bid.slots}</td>
        <td class="num">${plural(bid.price, 'pt')}</td>
        <td class="num">
          ${bid.wonks === UNKNOWN_WONKS ? html`<span class="muted">not measured</span>` : wonksAsMs(bid.wonks)}
        </td>
        <td class="num">
          ${bid.jobs === 0
            ? html`<span class="muted">no jobs yet</span>`
            : html`${plural(bid.jobs, 'job')} <span class="muted">·</span> ${percent(bid.valid)} valid`}
        </td>
      </tr>
    `;
  }

  private select(ids: string[], selected: boolean): void {
    this.dispatchEvent(new CustomEvent('pf-bid-select', { detail: { ids, selected }, bubbles: true, composed: true }));
  }

  private _onSort(event: Event): void {
    this.order = (event.currentTarget as HTMLElement).dataset['order'] as BidOrder;
  }
}

customElements.define('pf-bid-table', PfBidTable);

declare global {
  interface HTMLElementTagNameMap {
    'pf-bid-table': PfBidTable;
  }
}
