// The federation as this authority sees it (/api/health's `federation`): itself first, then each
// other authority it knows, with the state of the link to it, the peers it holds and when it was
// last heard from. A lone authority says so instead of drawing an empty table.
import { LitElement, css, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { FederationView } from '../../peer/admin-role.ts';
import { emptyState } from '../shared/empty-state.ts';
import { count, relativeTime } from '../shared/format.ts';
import { baseStyles, cardStyles, tableStyles } from '../shared/styles.ts';
import '../shared/pf-peer-id.ts';
import '../shared/pf-status-badge.ts';

export class PfFederationTable extends LitElement {
  static override properties = {
    federation: { attribute: false },
    /** Peers this authority holds (its own row). */
    peers: { type: Number },
    now: { type: Number },
  };

  declare federation: FederationView | undefined;
  declare peers: number;
  declare now: number;

  constructor() {
    super();
    this.now = Date.now();
    this.peers = 0;
  }

  static override styles = [baseStyles, cardStyles, tableStyles, css`
    .url {
      font-family: var(--pf-mono);
      font-size: 0.86rem;
      overflow-wrap: anywhere;
    }

    .self td {
      background: var(--pf-surface-2);
    }
  `];

  override render() {
    const federation = this.federation;
    if (!federation || federation.authorities.length === 0) {
      return emptyState('One authority', 'Authorities started with --peer-authority and the same --federation-secret appear here.');
    }
    return html`
      <div class="scroll">
        <table>
          <thead>
            <tr><th>Authority</th><th>Address</th><th>Link</th><th class="num">Peers</th><th>Last heard</th></tr>
          </thead>
          <tbody>
            <tr class="self">
              <td><pf-peer-id peer-id=${federation.id}></pf-peer-id></td>
              <td class="url">${federation.url}</td>
              <td><pf-status-badge state="online" label="This one"></pf-status-badge></td>
              <td class="num">${count(this.peers)}</td>
              <td class="muted">now</td>
            </tr>
            ${repeat(federation.authorities, (other) => other.url, (other) => html`
              <tr>
                <td>${other.id ? html`<pf-peer-id peer-id=${other.id}></pf-peer-id>` : html`<span class="muted">not proved yet</span>`}</td>
                <td class="url">${other.url}</td>
                <td><pf-status-badge state=${other.state}></pf-status-badge></td>
                <td class="num" title=${`${count(other.listed)} of its workers listed to this one`}>${count(other.peers)}</td>
                <td>${other.lastHeardAt === null ? html`<span class="muted">never</span>` : relativeTime(other.lastHeardAt, this.now)}</td>
              </tr>
            `)}
          </tbody>
        </table>
      </div>
    `;
  }
}

customElements.define('pf-federation-table', PfFederationTable);

declare global {
  interface HTMLElementTagNameMap {
    'pf-federation-table': PfFederationTable;
  }
}
