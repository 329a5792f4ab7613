// The tab's link to its authority: state, URL, negotiated protocol, the address the authority
// observes, and the last error. Shared by the worker and submit pages.
import { LitElement, css, html, nothing } from 'lit';
import { baseStyles, cardStyles, detailStyles } from './styles.ts';
import './pf-status-badge.ts';

export class PfConnectionCard extends LitElement {
  static override properties = {
    state: { type: String },
    authority: { type: String },
    protocol: { type: String },
    address: { type: String },
    error: { type: String },
  };

  declare state: string;
  declare authority: string | undefined;
  declare protocol: string | undefined;
  declare address: string | undefined;
  declare error: string | undefined;

  constructor() {
    super();
    this.state = 'offline';
  }

  static override styles = [baseStyles, cardStyles, detailStyles, css`
    :host {
      display: flex;
      flex-direction: column;
    }

    .card {
      flex: 1;
    }

    .notice-error {
      margin-top: 16px;
    }
  `];

  override render() {
    return html`
      <section class="card" aria-labelledby="title">
        <div class="card-head">
          <h2 id="title">Authority connection</h2>
          <pf-status-badge state=${this.state}></pf-status-badge>
        </div>
        <dl>
          <dt>Authority</dt>
          <dd>${this.value(this.authority, 'not connected')}</dd>
          <dt>Protocol</dt>
          <dd>${this.value(this.protocol, 'negotiated when connecting')}</dd>
          <dt>Your address</dt>
          <dd>${this.value(this.address, 'reported by the authority on join')}</dd>
        </dl>
        ${this.error ? html`<p class="notice-error" role="alert">${this.error}</p>` : nothing}
      </section>
    `;
  }

  private value(text: string | undefined, missing: string) {
    return text ? html`<span class="mono">${text}</span>` : html`<span class="muted">${missing}</span>`;
  }
}

customElements.define('pf-connection-card', PfConnectionCard);

declare global {
  interface HTMLElementTagNameMap {
    'pf-connection-card': PfConnectionCard;
  }
}
