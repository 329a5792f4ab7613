// The ledger's totals (/api/ledger): points minted (grants), points in balances, points held in
// escrow for jobs under way, and whether the books balance — every point minted is in exactly one
// of the other two, which the ledger asserts after every transaction.
import { LitElement, css, html } from 'lit';
import type { LedgerView } from '../../peer/admin-role.ts';
import { emptyState } from '../shared/empty-state.ts';
import { count, points } from '../shared/format.ts';
import { baseStyles, cardStyles } from '../shared/styles.ts';

export class PfLedgerTotals extends LitElement {
  static override properties = {
    totals: { attribute: false },
  };

  declare totals: LedgerView['totals'] | undefined;

  static override styles = [baseStyles, cardStyles, css`
    .stats {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(150px, 1fr));
      gap: 12px;
    }

    .stat {
      padding: 14px 16px;
      border-radius: var(--pf-radius-small);
      background: var(--pf-surface-2);
    }

    .value {
      display: block;
      font-size: 1.6rem;
      font-weight: 650;
      font-variant-numeric: tabular-nums;
      line-height: 1.2;
    }

    .label {
      color: var(--pf-muted);
      font-size: 0.86rem;
    }

    .books {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      margin-top: 12px;
      padding: 2px 10px;
      border-radius: 999px;
      font-size: 0.86rem;
      font-weight: 600;
    }

    .books.ok {
      background: var(--pf-ok-soft);
      color: var(--pf-ok);
    }

    .books.off {
      background: var(--pf-danger-soft);
      color: var(--pf-danger);
    }
  `];

  override render() {
    const totals = this.totals;
    if (!totals) return emptyState('No ledger figures yet', 'They appear once the authority answers /api/ledger.');
    const gap = totals.minted - (totals.balances + totals.held);
    return html`
      <div class="stats">
        ${this.stat(totals.minted, 'minted')}
        ${this.stat(totals.balances, 'in balances')}
        ${this.stat(totals.held, 'held in escrow')}
      </div>
      ${gap === 0
        ? html`<p class="books ok" title="minted = in balances + held">books balance ✓</p>`
        : html`<p class="books off" role="alert">books off by ${points(Math.abs(gap))}: minted ≠ in balances + held</p>`}
    `;
  }

  private stat(value: number, label: string) {
    return html`<div class="stat"><span class="value">${count(value)}</span><span class="label">${label}</span></div>`;
  }
}

customElements.define('pf-ledger-totals', PfLedgerTotals);

declare global {
  interface HTMLElementTagNameMap {
    'pf-ledger-totals': PfLedgerTotals;
  }
}
