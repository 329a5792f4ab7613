// The submit page (submit.html): joins as a client at once, because choosing workers needs the
// list of listening workers; asks the network for bids, and shows the workers and the authority link.
// Job series come next.
import { LitElement, css, html, nothing } from 'lit';
import type { ClientRole, SolicitState } from '../../peer/client-role.ts';
import type { Blocker } from './pf-bids-card.ts';
import { RoleController } from '../shared/role-controller.ts';
import { baseStyles, pageStyles } from '../shared/styles.ts';
import '../shared/pf-app-header.ts';
import '../shared/pf-connection-card.ts';
import '../shared/pf-peer-id.ts';
import '../shared/pf-peers-card.ts';
import './pf-bids-card.ts';

export class PfSubmitPage extends LitElement {
  static override properties = {
    model: { attribute: false },
  };

  /** The role object this page shows and drives (also `window.peerfarm`). */
  declare model: ClientRole | undefined;

  private readonly roleController = new RoleController<ClientRole>(this);
  /** Why the last solicit failed, kept here: the role's `error` is overwritten by the next connection update. */
  private solicitError: string | undefined;
  private seenSolicitState: SolicitState = 'idle';

  static override styles = [baseStyles, pageStyles, css`
    .who {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 10px;
      margin-top: 10px;
      color: var(--pf-muted);
      font-size: 0.9rem;
    }
  `];

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('model')) this.roleController.observe(this.model);
    if (this.model) this.noteSolicit(this.model);
  }

  private noteSolicit(role: ClientRole): void {
    if (role.solicitState === 'failed' && this.seenSolicitState !== 'failed') {
      this.solicitError = role.error ?? '';
    }
    if (role.solicitState === 'soliciting') this.solicitError = undefined;
    this.seenSolicitState = role.solicitState;
  }

  override render() {
    return html`
      <pf-app-header current="submit"></pf-app-header>
      <main>${this.model ? this.renderRole(this.model) : nothing}</main>
    `;
  }

  private renderRole(role: ClientRole) {
    const joined = role.connectionState === 'joined';
    return html`
      <section class="intro">
        <h1>Submit jobs</h1>
        <p>This page joins the farm as a client. The workers listening now are the ones a job series
          can be farmed out to.</p>
        <div class="who">
          <span>Client id</span>
          ${role.id
            ? html`<pf-peer-id peer-id=${role.id}></pf-peer-id>`
            : html`<span>creating this tab's key…</span>`}
        </div>
      </section>
      <pf-bids-card
        .bids=${role.bids}
        state=${role.solicitState}
        .via=${role.solicitedVia}
        .startedAt=${role.solicitStartedAt}
        .deadline=${role.solicitDeadline}
        .error=${this.solicitError}
        .blocker=${this.blocker(role)}
        @pf-solicit=${this._onSolicit}
      ></pf-bids-card>
      <div class="columns">
        <pf-peers-card
          heading="Listening workers"
          .peers=${role.workers}
          ?can-refresh=${joined}
          empty-title=${joined ? 'No workers are listening' : 'Waiting for the authority'}
          empty-text=${joined
            ? 'Open the Worker page in another tab and press Join; it will appear here.'
            : 'The list arrives once this page has joined as a client.'}
          @pf-refresh=${this._onRefresh}
        ></pf-peers-card>
        <pf-connection-card
          state=${role.connectionState}
          authority=${role.authorityUrl ?? ''}
          protocol=${role.protocol ?? ''}
          address=${role.address ?? ''}
          error=${role.error === this.solicitError ? '' : role.error ?? ''}
        ></pf-connection-card>
      </div>
    `;
  }

  /** Why bids cannot be asked for now (none while they can). */
  private blocker(role: ClientRole): Blocker {
    if (role.connectionState !== 'joined') return 'joining';
    if (role.workers.length === 0) return 'no-workers';
    return undefined;
  }

  private _onSolicit(): void {
    // A failed solicit sets the role's solicitState and error, which the Bids card shows.
    this.model?.solicit().catch(() => undefined);
  }

  private _onRefresh(): void {
    this.model?.refresh();
  }
}

customElements.define('pf-submit-page', PfSubmitPage);

declare global {
  interface HTMLElementTagNameMap {
    'pf-submit-page': PfSubmitPage;
  }
}
