// While a solicit is out: which worker it went through, a bar that fills towards the deadline, and
// the seconds left. The element exists only while soliciting, so its fast clock runs only then.
import { LitElement, css, html } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { ClockController } from '../shared/clock-controller.ts';
import { baseStyles } from '../shared/styles.ts';
import '../shared/pf-peer-id.ts';

/** Often enough for the bar to move smoothly (it eases between ticks). */
const PROGRESS_TICK_MS = 200;

export class PfSolicitProgress extends LitElement {
  static override properties = {
    via: { type: String },
    startedAt: { type: Number, attribute: 'started-at' },
    deadline: { type: Number },
  };

  /** The worker the request went through. */
  declare via: string | undefined;
  declare startedAt: number | undefined;
  /** When the client stops waiting for the proffer. */
  declare deadline: number | undefined;

  private readonly clock = new ClockController(this, PROGRESS_TICK_MS);

  static override styles = [baseStyles, css`
    .line {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      justify-content: space-between;
      gap: 4px 14px;
      margin-bottom: 10px;
    }

    .what {
      display: inline-flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 8px;
    }

    .left {
      color: var(--pf-muted);
      font-variant-numeric: tabular-nums;
      white-space: nowrap;
    }

    .track {
      height: 6px;
      border-radius: 999px;
      background: var(--pf-surface-2);
      overflow: hidden;
    }

    .fill {
      height: 100%;
      border-radius: inherit;
      background: var(--pf-accent);
      transition: width ${PROGRESS_TICK_MS}ms linear;
    }

    @media (prefers-reduced-motion: reduce) {
      .fill {
        transition: none;
      }
    }
  `];

  override render() {
    const now = this.clock.now;
    const start = this.startedAt ?? now;
    const end = this.deadline ?? now;
    const share = end > start ? Math.min(1, Math.max(0, (now - start) / (end - start))) : 0;
    const secondsLeft = Math.max(0, Math.ceil((end - now) / 1000));
    return html`
      <div class="line" role="status">
        <span class="what">
          Asking the network through
          ${this.via ? html`<pf-peer-id peer-id=${this.via}></pf-peer-id>` : html`a worker…`}
        </span>
        <span class="left" title="The longest this page waits for the bids">${secondsLeft} s</span>
      </div>
      <div
        class="track"
        role="progressbar"
        aria-label="Waiting for bids"
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow=${Math.round(share * 100)}
      >
        <div class="fill" style=${styleMap({ width: `${(share * 100).toFixed(1)}%` })}></div>
      </div>
    `;
  }
}

customElements.define('pf-solicit-progress', PfSolicitProgress);

declare global {
  interface HTMLElementTagNameMap {
    'pf-solicit-progress': PfSolicitProgress;
  }
}
