// The replay's error list, like the original's "Error Messages" window: every command a node
// refused with an exception, in time order. Choosing one moves the replay there (`pf-seek`).
import { LitElement, css, html, nothing } from 'lit';
import { count, offsetSeconds } from '../shared/format.ts';
import { baseStyles, buttonStyles, cardStyles } from '../shared/styles.ts';
import { emptyState } from '../shared/empty-state.ts';
import { AUTHORITY_NODE, type ReplayError } from './replay-index.ts';
import '../shared/pf-peer-id.ts';

/** Rows rendered at most; the rest are counted. */
const MAX_ROWS = 300;

export class PfReplayErrors extends LitElement {
  static override properties = {
    errors: { attribute: false },
    start: { type: Number },
    time: { type: Number },
  };

  declare errors: readonly ReplayError[];
  /** The replay's first event time, for offsets. */
  declare start: number;
  /** The replay's current time: the error shown now is marked. */
  declare time: number;

  constructor() {
    super();
    this.errors = [];
    this.start = 0;
    this.time = 0;
  }

  static override styles = [baseStyles, buttonStyles, cardStyles, css`
    ol {
      max-height: 260px;
      margin: 0;
      padding: 0;
      overflow-y: auto;
      list-style: none;
    }

    button.row {
      display: grid;
      grid-template-columns: 9ch minmax(0, auto) 1fr;
      align-items: baseline;
      gap: 12px;
      width: 100%;
      padding: 7px 8px;
      border: none;
      border-bottom: 1px solid var(--pf-border);
      border-radius: 0;
      background: transparent;
      text-align: left;
      font-size: 0.88rem;
    }

    li:last-child button.row {
      border-bottom: none;
    }

    button.row[aria-current='true'] {
      background: var(--pf-danger-soft);
    }

    .when {
      color: var(--pf-muted);
      font-variant-numeric: tabular-nums;
    }

    .who {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      white-space: nowrap;
      color: var(--pf-muted);
    }

    .text {
      color: var(--pf-danger);
      font-family: var(--pf-mono);
      font-size: 0.86em;
      font-weight: 600;
      overflow-wrap: anywhere;
    }

    .more {
      margin-top: 8px;
      color: var(--pf-muted);
      font-size: 0.86rem;
    }
  `];

  override render() {
    if (this.errors.length === 0) return emptyState('No errors', 'Commands refused with an exception are listed here.');
    const shown = this.errors.slice(0, MAX_ROWS);
    return html`
      <ol>${shown.map((error) => html`<li>${this.renderRow(error)}</li>`)}</ol>
      ${this.errors.length > MAX_ROWS
        ? html`<p class="more">and ${count(this.errors.length - MAX_ROWS)} more (download the events for all of them)</p>`
        : nothing}
    `;
  }

  private renderRow(error: ReplayError) {
    return html`
      <button class="row" aria-current=${error.t === this.time ? 'true' : 'false'}
        title="Show this moment in the replay" @click=${() => this.seek(error.t)}>
        <span class="when">${offsetSeconds(error.t - this.start)}</span>
        <span class="who">${this.who(error.peer)} → ${this.who(error.node)}</span>
        <span class="text">${error.text}</span>
      </button>
    `;
  }

  private who(id: string | undefined) {
    if (id === undefined) return html`<span>?</span>`;
    return id === AUTHORITY_NODE ? html`<span>authority</span>` : html`<pf-peer-id peer-id=${id}></pf-peer-id>`;
  }

  private seek(time: number): void {
    this.dispatchEvent(new CustomEvent('pf-seek', { detail: { time, snap: false }, bubbles: true, composed: true }));
  }
}

customElements.define('pf-replay-errors', PfReplayErrors);

declare global {
  interface HTMLElementTagNameMap {
    'pf-replay-errors': PfReplayErrors;
  }
}
