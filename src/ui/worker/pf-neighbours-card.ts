// The tab's overlay links (DESIGN.md section 3): each neighbour with the direction of its link and
// the last measured round trip. Outbound neighbours are the ones this tab chose; inbound ones chose
// this tab. Rows keep their place (outbound first, then by id) so live RTT updates do not reshuffle.
import { LitElement, css, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { Direction } from '../../peer/overlay.ts';
import type { WorkerRole } from '../../peer/worker-role.ts';
import { emptyState } from '../shared/empty-state.ts';
import { milliseconds } from '../shared/format.ts';
import { baseStyles, cardStyles, tableStyles } from '../shared/styles.ts';
import '../shared/pf-peer-id.ts';

export type NeighbourView = WorkerRole['neighbours'][number];

const LINK_LABELS: Record<Direction, { arrow: string; label: string; title: string }> = {
  outbound: { arrow: '→', label: 'Outbound', title: 'This tab chose this worker (low round trip) and dialed it' },
  inbound: { arrow: '←', label: 'Inbound', title: 'This worker chose this tab and dialed it' },
};

function byDirectionThenId(a: NeighbourView, b: NeighbourView): number {
  if (a.direction !== b.direction) return a.direction === Direction.outbound ? -1 : 1;
  return a.id.localeCompare(b.id);
}

export class PfNeighboursCard extends LitElement {
  static override properties = {
    neighbours: { attribute: false },
    active: { type: Boolean },
  };

  declare neighbours: readonly NeighbourView[];
  /** The tab has joined or is joining, so neighbours are on the way. */
  declare active: boolean;

  constructor() {
    super();
    this.neighbours = [];
    this.active = false;
  }

  static override styles = [baseStyles, cardStyles, tableStyles, css`
    :host {
      display: flex;
      flex-direction: column;
    }

    .card {
      flex: 1;
    }

    .card-head {
      flex-wrap: wrap;
    }

    .tally {
      color: var(--pf-muted);
      font-size: 0.88rem;
      font-variant-numeric: tabular-nums;
      white-space: nowrap;
    }

    th {
      padding-top: 0;
    }

    tbody tr {
      animation: appear 240ms ease-out;
    }

    td.num {
      font-family: var(--pf-mono);
      font-size: 0.88rem;
      font-variant-numeric: tabular-nums;
    }

    .link {
      display: inline-flex;
      align-items: center;
      gap: 5px;
      padding: 1px 9px 1px 7px;
      border-radius: 999px;
      font-size: 0.8rem;
      font-weight: 600;
    }

    .link.outbound {
      background: var(--pf-accent-soft);
      color: var(--pf-accent);
    }

    .link.inbound {
      background: var(--pf-neutral-soft);
      color: var(--pf-neutral);
    }

    .arrow {
      font-weight: 700;
    }

    .note {
      margin-top: 14px;
      color: var(--pf-muted);
      font-size: 0.86rem;
    }

    @keyframes appear {
      from {
        opacity: 0;
      }
    }

    @media (prefers-reduced-motion: reduce) {
      tbody tr {
        animation: none;
      }
    }
  `];

  override render() {
    const outbound = this.neighbours.filter((n) => n.direction === Direction.outbound).length;
    const inbound = this.neighbours.length - outbound;
    return html`
      <section class="card" aria-labelledby="title">
        <div class="card-head">
          <h2 id="title">Overlay neighbours<span class="count">${this.neighbours.length}</span></h2>
          ${this.active || this.neighbours.length > 0
            ? html`<span class="tally">${outbound} outbound · ${inbound} inbound</span>`
            : nothing}
        </div>
        ${this.neighbours.length > 0 ? this.renderTable() : this.renderEmpty()}
      </section>
    `;
  }

  private renderTable() {
    const rows = [...this.neighbours].sort(byDirectionThenId);
    return html`
      <table>
        <thead>
          <tr><th>Worker</th><th>Link</th><th class="num">Round trip</th></tr>
        </thead>
        <tbody>${repeat(rows, (n) => n.id, (n) => this.renderRow(n))}</tbody>
      </table>
      <p class="note">Bid requests travel along these links. Outbound links go to the fastest workers this
        tab found (their round trip is measured); inbound ones come from workers that chose this tab.</p>
    `;
  }

  private renderRow(neighbour: NeighbourView) {
    const link = LINK_LABELS[neighbour.direction];
    return html`
      <tr>
        <td><pf-peer-id peer-id=${neighbour.id}></pf-peer-id></td>
        <td>
          <span class="link ${neighbour.direction}" title=${link.title}>
            <span class="arrow" aria-hidden="true">${link.arrow}</span>${link.label}
          </span>
        </td>
        <td class="num">
          ${neighbour.rttMs === undefined
            ? html`<span class="muted" title="Measured on the links this tab dialed">—</span>`
            : milliseconds(neighbour.rttMs)}
        </td>
      </tr>
    `;
  }

  private renderEmpty() {
    if (!this.active) return emptyState('No overlay links', 'Join to link with other workers.');
    return emptyState('Looking for neighbours…', 'This tab pings the workers the authority lists and keeps the fastest.');
  }
}

customElements.define('pf-neighbours-card', PfNeighboursCard);

declare global {
  interface HTMLElementTagNameMap {
    'pf-neighbours-card': PfNeighboursCard;
  }
}
