// A list of peer ids (the workers a tab knows about), as a grid of chips, with an empty state that
// says what to expect instead of showing nothing. Chips are sorted by id: the authority sends a fresh
// random sample each time, and keeping chips in place stops them re-playing their entry animation.
import { LitElement, css, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { emptyState } from './empty-state.ts';
import { baseStyles, cardStyles } from './styles.ts';
import './pf-peer-id.ts';

export class PfPeerList extends LitElement {
  static override properties = {
    peers: { attribute: false },
    emptyTitle: { type: String, attribute: 'empty-title' },
    emptyText: { type: String, attribute: 'empty-text' },
  };

  declare peers: readonly string[];
  declare emptyTitle: string;
  declare emptyText: string;

  constructor() {
    super();
    this.peers = [];
    this.emptyTitle = 'No peers yet';
    this.emptyText = '';
  }

  static override styles = [baseStyles, cardStyles, css`
    ul {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(150px, 1fr));
      gap: 8px;
      margin: 0;
      padding: 0;
      list-style: none;
    }

    li {
      display: flex;
      padding: 8px 12px;
      border: 1px solid var(--pf-border);
      border-radius: var(--pf-radius-small);
      background: var(--pf-surface-2);
      min-width: 0;
      animation: appear 240ms ease-out;
    }

    @keyframes appear {
      from {
        opacity: 0;
        transform: translateY(3px);
      }
    }

    @media (prefers-reduced-motion: reduce) {
      li {
        animation: none;
      }
    }
  `];

  override render() {
    if (this.peers.length === 0) {
      return emptyState(this.emptyTitle, this.emptyText);
    }
    return html`
      <ul>
        ${repeat([...this.peers].sort(), (id) => id, (id) => html`<li><pf-peer-id peer-id=${id}></pf-peer-id></li>`)}
      </ul>
    `;
  }
}

customElements.define('pf-peer-list', PfPeerList);

declare global {
  interface HTMLElementTagNameMap {
    'pf-peer-list': PfPeerList;
  }
}
