// The admin page (admin.html): the demo card, then two tabs. "Live": the authority's health, its
// points ledger (totals and the workers' leaderboard) and a live table of its peers, polled by the
// AdminRole; stale data stays on screen, marked by its age, when a poll fails. "Replay": the
// network replay of the events (DESIGN.md section 6). The tab is kept in the URL's #hash.
import { LitElement, css, html, nothing } from 'lit';
import type { AdminRole } from '../../peer/admin-role.ts';
import type { DemoController } from './demo-controller.ts';
import { ClockController } from '../shared/clock-controller.ts';
import { emptyState } from '../shared/empty-state.ts';
import { relativeTime } from '../shared/format.ts';
import { RoleController } from '../shared/role-controller.ts';
import { baseStyles, cardStyles, pageStyles } from '../shared/styles.ts';
import '../shared/pf-app-header.ts';
import '../shared/pf-status-badge.ts';
import './pf-health-summary.ts';
import './pf-federation-table.ts';
import './pf-leaderboard.ts';
import './pf-ledger-totals.ts';
import './pf-jobs-in-flight.ts';
import './pf-peer-table.ts';
import './pf-demo-panel.ts';
import './pf-replay-panel.ts';

type AdminTab = 'live' | 'replay';

const TABS: readonly { name: AdminTab; label: string }[] = [
  { name: 'live', label: 'Live' },
  { name: 'replay', label: 'Replay' },
];

function tabFromHash(hash: string): AdminTab {
  return hash === '#replay' ? 'replay' : 'live';
}

export class PfAdminPage extends LitElement {
  static override properties = {
    model: { attribute: false },
    authority: { type: String },
    demo: { attribute: false },
    tab: { state: true },
  };

  /** The role object this page shows and drives (also `window.peerfarm`). */
  declare model: AdminRole | undefined;
  /** The authority's base URL, shown to say which one this page watches. */
  declare authority: string | undefined;
  /** The in-page demo tabs (the original's Start button and client panel). */
  declare demo: DemoController | undefined;
  declare tab: AdminTab;

  private readonly roleController = new RoleController<AdminRole>(this);
  private readonly clock = new ClockController(this);

  constructor() {
    super();
    this.tab = tabFromHash(location.hash);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this._onHashChange);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this._onHashChange);
  }

  static override styles = [baseStyles, cardStyles, pageStyles, css`
    .intro .title {
      display: flex;
      align-items: center;
      gap: 12px;
    }

    .intro .meta {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 16px;
      margin-top: 4px;
      color: var(--pf-muted);
      font-size: 0.9rem;
    }

    .tabs {
      display: flex;
      gap: 4px;
      border-bottom: 1px solid var(--pf-border);
    }

    .tabs a {
      margin-bottom: -1px;
      padding: 8px 16px;
      border-bottom: 2px solid transparent;
      color: var(--pf-muted);
      font-weight: 500;
      text-decoration: none;
    }

    .tabs a:hover {
      color: var(--pf-text);
    }

    .tabs a[aria-selected='true'] {
      border-bottom-color: var(--pf-accent);
      color: var(--pf-text);
      font-weight: 600;
    }

    .tabs a:focus-visible {
      outline: 2px solid var(--pf-accent);
      outline-offset: -2px;
    }

    .tab-body {
      display: grid;
      gap: var(--pf-gap);
      min-width: 0;
    }

    .tab-body[hidden] {
      display: none;
    }

    h3 {
      margin: 22px 0 8px;
      color: var(--pf-muted);
      font-size: 0.8rem;
      font-weight: 600;
      letter-spacing: 0.03em;
      text-transform: uppercase;
    }
  `];

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('model')) this.roleController.observe(this.model);
  }

  override render() {
    return html`
      <pf-app-header current="admin"></pf-app-header>
      <main>${this.model ? this.renderRole(this.model) : nothing}</main>
    `;
  }

  private renderRole(role: AdminRole) {
    return html`
      <section class="intro">
        <div class="title">
          <h1>Authority</h1>
          ${this.renderStatus(role)}
        </div>
        <div class="meta">
          ${this.authority ? html`<span class="mono">${this.authority}</span>` : nothing}
          <span>${this.freshness(role)}</span>
        </div>
      </section>
      ${role.error ? html`<p class="notice-error" role="alert">${role.error}</p>` : nothing}
      ${this.demo ? html`<pf-demo-panel .controller=${this.demo}></pf-demo-panel>` : nothing}
      <nav class="tabs" role="tablist" aria-label="Views">
        ${TABS.map(({ name, label }) => html`<a role="tab" id=${`tab-${name}`} href=${`#${name}`}
          aria-selected=${name === this.tab ? 'true' : 'false'} aria-controls=${`panel-${name}`}>${label}</a>`)}
      </nav>
      <div class="tab-body" id="panel-live" role="tabpanel" aria-labelledby="tab-live" ?hidden=${this.tab !== 'live'}>
        ${this.renderLive(role)}
      </div>
      <div class="tab-body" id="panel-replay" role="tabpanel" aria-labelledby="tab-replay" ?hidden=${this.tab !== 'replay'}>
        <pf-replay-panel .model=${role} authority=${this.authority ?? ''} ?active=${this.tab === 'replay'}></pf-replay-panel>
      </div>
    `;
  }

  private renderLive(role: AdminRole) {
    return html`
      <section class="card" aria-labelledby="health">
        <div class="card-head"><h2 id="health">Health</h2></div>
        <pf-health-summary .health=${role.health}></pf-health-summary>
        <h3>Federation<span class="count">${(role.health?.federation?.authorities.length ?? 0) + 1}</span></h3>
        <pf-federation-table .federation=${role.health?.federation}
          peers=${(role.health?.peers.workers ?? 0) + (role.health?.peers.clients ?? 0)} now=${this.clock.now}></pf-federation-table>
      </section>
      <section class="card" aria-labelledby="ledger">
        <div class="card-head"><h2 id="ledger">Points ledger</h2></div>
        <pf-ledger-totals .totals=${role.ledger?.totals}></pf-ledger-totals>
        <h3>Leaderboard</h3>
        <pf-leaderboard .rows=${role.ledger?.leaderboard ?? []}></pf-leaderboard>
        <h3>Jobs in flight<span class="count">${role.ledger?.inFlightTotal ?? 0}</span></h3>
        <pf-jobs-in-flight .holds=${role.ledger?.inFlight ?? []} total=${role.ledger?.inFlightTotal ?? 0}
          now=${this.clock.now}></pf-jobs-in-flight>
      </section>
      <section class="card" aria-labelledby="peers">
        <div class="card-head">
          <h2 id="peers">Peers<span class="count">${role.peers.length}</span></h2>
        </div>
        ${role.updatedAt
          ? html`<pf-peer-table .peers=${role.peers} now=${this.clock.now}></pf-peer-table>`
          : emptyState('Waiting for the authority', 'Its peers appear after the first answer.')}
      </section>
    `;
  }

  private readonly _onHashChange = (): void => {
    this.tab = tabFromHash(location.hash);
  };

  private freshness(role: AdminRole): string {
    return role.updatedAt ? `updated ${relativeTime(role.updatedAt, this.clock.now)}` : 'waiting for the first answer';
  }

  private renderStatus(role: AdminRole) {
    if (role.error) return html`<pf-status-badge state="unreachable"></pf-status-badge>`;
    if (role.health) return html`<pf-status-badge state="online"></pf-status-badge>`;
    return html`<pf-status-badge state="connecting"></pf-status-badge>`;
  }
}

customElements.define('pf-admin-page', PfAdminPage);

declare global {
  interface HTMLElementTagNameMap {
    'pf-admin-page': PfAdminPage;
  }
}
