// The live table of peers joined to the authority (/api/peers) with their points balances. Workers
// come first, oldest first, so rows stay put between polls; times are relative to `now`, which the
// page ticks.
import { LitElement, css, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { PeerView } from '../../peer/admin-role.ts';
import { emptyState } from '../shared/empty-state.ts';
import { clockTime, count, relativeTime } from '../shared/format.ts';
import { baseStyles, cardStyles, tableStyles } from '../shared/styles.ts';
import '../shared/pf-peer-id.ts';
import '../shared/pf-status-badge.ts';

function byRoleThenAge(a: PeerView, b: PeerView): number {
  if (a.role !== b.role) return a.role === 'worker' ? -1 : 1;
  return a.joinedAt - b.joinedAt || a.id.localeCompare(b.id);
}

export class PfPeerTable extends LitElement {
  static override properties = {
    peers: { attribute: false },
    now: { type: Number },
  };

  declare peers: readonly PeerView[];
  declare now: number;

  constructor() {
    super();
    this.peers = [];
    this.now = Date.now();
  }

  static override styles = [baseStyles, cardStyles, tableStyles, css`
    .scroll {
      overflow-x: auto;
      margin: 0 -4px;
    }

    tbody tr:hover td {
      background: var(--pf-surface-2);
    }

    .role {
      text-transform: capitalize;
    }
  `];

  override render() {
    if (this.peers.length === 0) {
      return emptyState('No peers have joined', 'Open the Worker page in a tab and press Join.');
    }
    const rows = [...this.peers].sort(byRoleThenAge);
    return html`
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>Peer</th><th>Role</th><th>State</th><th>Address</th><th>Protocol</th>
              <th class="num">Neighbours</th><th class="num">Jobs</th><th class="num">In flight</th><th class="num">Balance</th><th>Joined</th><th>Last seen</th>
            </tr>
          </thead>
          <tbody>${repeat(rows, (peer) => peer.id, (peer) => this.renderRow(peer))}</tbody>
        </table>
      </div>
    `;
  }

  private renderRow(peer: PeerView) {
    return html`
      <tr>
        <td><pf-peer-id peer-id=${peer.id}></pf-peer-id></td>
        <td class="role">${peer.role}</td>
        <td><pf-status-badge state=${peer.state}></pf-status-badge></td>
        <td class="mono">${peer.address || html`<span class="muted">—</span>`}</td>
        <td class="mono">${peer.protocol ?? html`<span class="muted">—</span>`}</td>
        <td class="num">${peer.neighbours ? peer.neighbours.length : html`<span class="muted">—</span>`}</td>
        <td class="num">${peer.jobs ?? html`<span class="muted">—</span>`}</td>
        <td class="num">${peer.inFlight ?? html`<span class="muted">—</span>`}</td>
        <td class="num">${typeof peer.balance === 'number' ? count(peer.balance) : html`<span class="muted">—</span>`}</td>
        <td title=${clockTime(peer.joinedAt)}>${relativeTime(peer.joinedAt, this.now)}</td>
        <td title=${clockTime(peer.lastSeenAt)}>${relativeTime(peer.lastSeenAt, this.now)}</td>
      </tr>
    `;
  }
}

customElements.define('pf-peer-table', PfPeerTable);

declare global {
  interface HTMLElementTagNameMap {
    'pf-peer-table': PfPeerTable;
  }
}
