// The workers with the most accepted jobs (/api/ledger): rank, worker, accepted jobs, the share of
// judged results accepted over all time and recently (the share clients weigh bids by), and balance.
// A share is "—" until a result of the worker's has been judged.
import { LitElement, css, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { LedgerView } from '../../peer/admin-role.ts';
import { emptyState } from '../shared/empty-state.ts';
import { count, percent } from '../shared/format.ts';
import { baseStyles, cardStyles, tableStyles } from '../shared/styles.ts';
import '../shared/pf-peer-id.ts';

type LeaderboardRow = LedgerView['leaderboard'][number];

export class PfLeaderboard extends LitElement {
  static override properties = {
    rows: { attribute: false },
  };

  /** In the authority's order: most accepted jobs first. */
  declare rows: readonly LeaderboardRow[];

  constructor() {
    super();
    this.rows = [];
  }

  static override styles = [baseStyles, cardStyles, tableStyles, css`
    tbody tr:hover td {
      background: var(--pf-surface-2);
    }

    .rank {
      width: 3ch;
      color: var(--pf-muted);
      font-variant-numeric: tabular-nums;
    }
  `];

  override render() {
    if (this.rows.length === 0) {
      return emptyState('No accepted jobs yet', 'Workers appear here once a client accepts one of their results.');
    }
    return html`
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th class="rank">#</th><th>Worker</th><th class="num">Accepted jobs</th><th class="num">Valid</th>
              <th class="num">Recent</th><th class="num">Balance</th>
            </tr>
          </thead>
          <tbody>${repeat(this.rows, (row) => row.worker, (row, index) => this.renderRow(row, index + 1))}</tbody>
        </table>
      </div>
    `;
  }

  private renderRow(row: LeaderboardRow, rank: number) {
    const judged = row.jobs + row.rejected;
    return html`
      <tr>
        <td class="rank">${rank}</td>
        <td><pf-peer-id peer-id=${row.worker}></pf-peer-id></td>
        <td class="num">${count(row.jobs)}</td>
        <td class="num" title=${`${count(row.jobs)} of ${count(judged)} judged results accepted; ${count(row.rejected)} rejected`}>
          ${this.share(row.valid)}
        </td>
        <td class="num" title=${`Weighted by age (7-day half-life), over ${row.recentWeight.toFixed(1)} recent judged results`}>
          ${this.share(row.recent)}
        </td>
        <td class="num">${count(row.balance)}</td>
      </tr>
    `;
  }

  private share(value: number | null) {
    return value === null ? html`<span class="muted">—</span>` : percent(value);
  }
}

customElements.define('pf-leaderboard', PfLeaderboard);

declare global {
  interface HTMLElementTagNameMap {
    'pf-leaderboard': PfLeaderboard;
  }
}
