// The submit page (submit.html): joins as a client at once, because choosing workers needs the
// list of listening workers, and shows that list and the authority link. Job series come next.
import { LitElement, css, html, nothing } from 'lit';
import type { ClientRole } from '../../peer/client-role.ts';
import { RoleController } from '../shared/role-controller.ts';
import { baseStyles, pageStyles } from '../shared/styles.ts';
import '../shared/pf-app-header.ts';
import '../shared/pf-connection-card.ts';
import '../shared/pf-peer-id.ts';
import '../shared/pf-peers-card.ts';

export class PfSubmitPage extends LitElement {
  static override properties = {
    model: { attribute: false },
  };

  /** The role object this page shows and drives (also `window.peerfarm`). */
  declare model: ClientRole | undefined;

  private readonly roleController = new RoleController<ClientRole>(this);

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
          error=${role.error ?? ''}
        ></pf-connection-card>
      </div>
    `;
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
