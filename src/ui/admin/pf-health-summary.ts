// The authority's health at a glance: uptime, open connections, joined workers and clients, and
// the protocol versions it installed (old and new peers coexist, DESIGN.md section 2).
import { LitElement, css, html, nothing } from 'lit';
import type { HealthView } from '../../peer/admin-role.ts';
import { emptyState } from '../shared/empty-state.ts';
import { duration } from '../shared/format.ts';
import { baseStyles, cardStyles } from '../shared/styles.ts';

export class PfHealthSummary extends LitElement {
  static override properties = {
    health: { attribute: false },
  };

  declare health: HealthView | undefined;

  static override styles = [baseStyles, cardStyles, css`
    .stats {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(130px, 1fr));
      gap: 12px;
    }

    .stat {
      padding: 14px 16px;
      border-radius: var(--pf-radius-small);
      background: var(--pf-surface-2);
    }

    .stat .value {
      display: block;
      font-size: 1.6rem;
      font-weight: 650;
      font-variant-numeric: tabular-nums;
      line-height: 1.2;
    }

    .stat .label {
      color: var(--pf-muted);
      font-size: 0.86rem;
    }

    h3 {
      margin: 18px 0 8px;
      color: var(--pf-muted);
      font-size: 0.86rem;
      font-weight: 500;
    }

    ul {
      display: flex;
      flex-wrap: wrap;
      gap: 6px;
      margin: 0;
      padding: 0;
      list-style: none;
    }

    li {
      padding: 2px 10px;
      border: 1px solid var(--pf-border);
      border-radius: 999px;
      font-family: var(--pf-mono);
      font-size: 0.82rem;
    }
  `];

  override render() {
    const health = this.health;
    if (!health) return emptyState('Waiting for the authority', 'Its health appears after the first answer.');
    return html`
      <div class="stats">
        ${this.stat(duration(health.uptimeS), 'uptime')}
        ${this.stat(health.connections, 'open connections')}
        ${this.stat(health.peers.workers, health.peers.workers === 1 ? 'worker' : 'workers')}
        ${this.stat(health.peers.clients, health.peers.clients === 1 ? 'client' : 'clients')}
      </div>
      ${health.protocols.length > 0
        ? html`
            <h3>Protocols installed</h3>
            <ul>${health.protocols.map((name) => html`<li>${name}</li>`)}</ul>
          `
        : nothing}
    `;
  }

  private stat(value: string | number, label: string) {
    return html`<div class="stat"><span class="value">${value}</span><span class="label">${label}</span></div>`;
  }
}

customElements.define('pf-health-summary', PfHealthSummary);

declare global {
  interface HTMLElementTagNameMap {
    'pf-health-summary': PfHealthSummary;
  }
}
