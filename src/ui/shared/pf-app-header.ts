// The bar at the top of every page: the mark, the name, and links to the three pages.
import { LitElement, css, html } from 'lit';
import { logo } from './logo.ts';

export type PageName = 'worker' | 'submit' | 'admin';

const PAGES: ReadonlyArray<{ name: PageName; label: string; path: string }> = [
  { name: 'worker', label: 'Worker', path: './' },
  { name: 'submit', label: 'Submit', path: './submit.html' },
  { name: 'admin', label: 'Admin', path: './admin.html' },
];

/** Moving between pages keeps the chosen authority; ?join and ?ephemeral belong to one tab only. */
function carriedQuery(search: string): string {
  const kept = new URLSearchParams();
  for (const value of new URLSearchParams(search).getAll('authority')) kept.append('authority', value);
  const text = kept.toString();
  return text ? `?${text}` : '';
}

export class PfAppHeader extends LitElement {
  static override properties = {
    current: { type: String },
  };

  declare current: PageName | undefined;

  static override styles = css`
    :host {
      display: block;
      background: var(--pf-surface);
      border-bottom: 1px solid var(--pf-border);
    }

    * {
      box-sizing: border-box;
    }

    .bar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      justify-content: space-between;
      gap: 10px 24px;
      max-width: var(--pf-max-width);
      margin: 0 auto;
      padding: 12px 20px;
    }

    .brand {
      display: flex;
      align-items: center;
      gap: 10px;
      color: var(--pf-text);
      text-decoration: none;
      font-weight: 650;
      font-size: 1.05rem;
      letter-spacing: 0.01em;
    }

    svg {
      display: block;
    }

    nav {
      display: flex;
      gap: 4px;
      padding: 3px;
      border-radius: 10px;
      background: var(--pf-surface-2);
    }

    a.tab {
      padding: 5px 14px;
      border-radius: 7px;
      color: var(--pf-muted);
      text-decoration: none;
      font-weight: 500;
    }

    a.tab:hover {
      color: var(--pf-text);
    }

    a.tab[aria-current='page'] {
      background: var(--pf-surface);
      color: var(--pf-text);
      box-shadow: var(--pf-shadow);
    }

    a:focus-visible {
      outline: 2px solid var(--pf-accent);
      outline-offset: 2px;
    }

    /* Keep the name and the three tabs on one row on a phone. */
    @media (max-width: 520px) {
      .bar {
        padding: 10px 12px;
      }

      .brand span {
        font-size: 0.98rem;
      }

      a.tab {
        padding: 5px 10px;
      }
    }
  `;

  override render() {
    const query = carriedQuery(location.search);
    return html`
      <div class="bar">
        <a class="brand" href="./${query}">${logo}<span>peer farm</span></a>
        <nav aria-label="Pages">
          ${PAGES.map((page) => html`
            <a class="tab" href="${page.path}${query}" aria-current=${page.name === this.current ? 'page' : 'false'}>
              ${page.label}
            </a>
          `)}
        </nav>
      </div>
    `;
  }
}

customElements.define('pf-app-header', PfAppHeader);

declare global {
  interface HTMLElementTagNameMap {
    'pf-app-header': PfAppHeader;
  }
}
