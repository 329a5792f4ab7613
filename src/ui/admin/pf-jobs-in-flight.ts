// Jobs in flight (/api/ledger): every job a client has awarded and not yet settled is an open hold
// in the ledger, so the authority can list them without seeing the jobs themselves.
import { LitElement, css, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { LedgerView } from '../../peer/admin-role.ts';
import { emptyState } from '../shared/empty-state.ts';
import { count, duration } from '../shared/format.ts';
import { baseStyles, cardStyles, tableStyles } from '../shared/styles.ts';
import '../shared/pf-peer-id.ts';

type Hold = LedgerView['inFlight'][number];

/** Rows shown; the total says how many more there are. */
const SHOWN_ROWS = 20;

export class PfJobsInFlight extends LitElement {
  static override properties = {
    holds: { attribute: false },
    total: { type: Number },
    now: { type: Number },
  };

  declare holds: readonly Hold[];
  declare total: number;
  declare now: number;

  constructor() {
    super();
    this.holds = [];
    this.total = 0;
    this.now = Date.now();
  }

  static override styles = [baseStyles, cardStyles, tableStyles, css`
    .more {
      margin-top: 8px;
      color: var(--pf-muted);
      font-size: 0.88rem;
    }
  `];

  override render() {
    if (this.total === 0) return emptyState('No jobs in flight', 'Jobs awarded by a client show here until they are settled.');
    const shown = this.holds.slice(0, SHOWN_ROWS);
    return html`
      <div class="scroll">
        <table>
          <thead><tr><th>Client</th><th>Worker</th><th class="num">Points</th><th>Hold ends</th></tr></thead>
          <tbody>${repeat(shown, (hold) => hold.id, (hold) => html`
            <tr>
              <td><pf-peer-id peer-id=${hold.client}></pf-peer-id></td>
              <td><pf-peer-id peer-id=${hold.worker}></pf-peer-id></td>
              <td class="num">${count(hold.amount)}</td>
              <td>in ${duration(Math.max(0, Math.round((hold.expiresAtMs - this.now) / 1000)))}</td>
            </tr>`)}
          </tbody>
        </table>
      </div>
      ${this.total > shown.length ? html`<div class="more">and ${count(this.total - shown.length)} more</div>` : ''}
    `;
  }
}

customElements.define('pf-jobs-in-flight', PfJobsInFlight);

declare global {
  interface HTMLElementTagNameMap {
    'pf-jobs-in-flight': PfJobsInFlight;
  }
}
