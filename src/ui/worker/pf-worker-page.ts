// The worker page (index.html): this tab's identity and Join button, its overlay neighbours and the
// other workers it knows, what it bids, and its authority link. Everything shown is read from the
// WorkerRole; the page only calls join/leave/refresh on it.
import { LitElement, html, nothing } from 'lit';
import type { WorkerRole } from '../../peer/worker-role.ts';
import { RoleController } from '../shared/role-controller.ts';
import { baseStyles, pageStyles } from '../shared/styles.ts';
import '../shared/pf-app-header.ts';
import '../shared/pf-connection-card.ts';
import '../shared/pf-peers-card.ts';
import './pf-join-card.ts';
import './pf-neighbours-card.ts';
import './pf-own-bid-card.ts';

export class PfWorkerPage extends LitElement {
  static override properties = {
    model: { attribute: false },
  };

  /** The role object this page shows and drives (also `window.peerfarm`). */
  declare model: WorkerRole | undefined;

  private readonly roleController = new RoleController<WorkerRole>(this);

  static override styles = [baseStyles, pageStyles];

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('model')) this.roleController.observe(this.model);
  }

  override render() {
    return html`
      <pf-app-header current="worker"></pf-app-header>
      <main>${this.model ? this.renderRole(this.model) : nothing}</main>
    `;
  }

  private renderRole(role: WorkerRole) {
    const joined = role.connectionState === 'joined';
    const active = role.state !== 'idle';
    return html`
      <pf-join-card
        peer-id=${role.id ?? ''}
        member-state=${role.state}
        connection-state=${role.connectionState}
        ?failed=${Boolean(role.error)}
        @pf-join=${this._onJoin}
        @pf-leave=${this._onLeave}
      ></pf-join-card>
      <div class="columns">
        <pf-neighbours-card .neighbours=${role.neighbours} ?active=${active}></pf-neighbours-card>
        <pf-peers-card
          heading="Other workers"
          .peers=${role.peers}
          ?can-refresh=${joined}
          empty-title=${joined ? 'No other workers yet' : 'Not joined yet'}
          empty-text=${joined
            ? 'Open this page in another tab or on another machine and join there.'
            : 'Join to see the workers the authority knows.'}
          @pf-refresh=${this._onRefresh}
        ></pf-peers-card>
        <pf-own-bid-card
          .bid=${role.bid()}
          ?active=${active}
          recheck-ms=${role.options.get('wonks_time_between_checks')}
        ></pf-own-bid-card>
        <pf-connection-card
          state=${role.connectionState}
          authority=${role.authorityUrl ?? ''}
          protocol=${role.protocol ?? ''}
          address=${role.address ?? ''}
          error=${role.error ?? ''}
        ></pf-connection-card>
      </div>
    `;
  }

  private _onJoin(): void {
    void this.model?.join();
  }

  private _onLeave(): void {
    this.model?.leave();
  }

  private _onRefresh(): void {
    this.model?.refresh();
  }
}

customElements.define('pf-worker-page', PfWorkerPage);

declare global {
  interface HTMLElementTagNameMap {
    'pf-worker-page': PfWorkerPage;
  }
}
