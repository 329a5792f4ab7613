// A card listing the workers a tab knows, with a count and a Refresh button that asks the page
// (by a `pf-refresh` event) to re-read the list now instead of at the next periodic check.
import { LitElement, css, html } from 'lit';
import { baseStyles, buttonStyles, cardStyles } from './styles.ts';
import './pf-peer-list.ts';

export class PfPeersCard extends LitElement {
  static override properties = {
    heading: { type: String },
    peers: { attribute: false },
    canRefresh: { type: Boolean, attribute: 'can-refresh' },
    emptyTitle: { type: String, attribute: 'empty-title' },
    emptyText: { type: String, attribute: 'empty-text' },
  };

  declare heading: string;
  declare peers: readonly string[];
  declare canRefresh: boolean;
  declare emptyTitle: string;
  declare emptyText: string;

  constructor() {
    super();
    this.heading = 'Workers';
    this.peers = [];
    this.canRefresh = false;
    this.emptyTitle = 'No workers yet';
    this.emptyText = '';
  }

  static override styles = [baseStyles, cardStyles, buttonStyles, css`
    :host {
      display: flex;
      flex-direction: column;
    }

    .card {
      flex: 1;
    }
  `];

  override render() {
    return html`
      <section class="card" aria-labelledby="title">
        <div class="card-head">
          <h2 id="title">${this.heading}<span class="count">${this.peers.length}</span></h2>
          <button class="quiet" ?disabled=${!this.canRefresh} @click=${this._onRefresh}>Refresh</button>
        </div>
        <pf-peer-list .peers=${this.peers} empty-title=${this.emptyTitle} empty-text=${this.emptyText}></pf-peer-list>
      </section>
    `;
  }

  private _onRefresh(): void {
    this.dispatchEvent(new CustomEvent('pf-refresh', { bubbles: true, composed: true }));
  }
}

customElements.define('pf-peers-card', PfPeersCard);

declare global {
  interface HTMLElementTagNameMap {
    'pf-peers-card': PfPeersCard;
  }
}
