// A coloured pill for a lifecycle state: green when joined, amber and pulsing while on the way,
// grey when offline, red for an error. Unknown states are shown plainly rather than hidden.
import { LitElement, css, html } from 'lit';

export type BadgeTone = 'ok' | 'busy' | 'neutral' | 'danger';

const TONES: Readonly<Record<string, BadgeTone>> = {
  joined: 'ok',
  listening: 'ok',
  online: 'ok',
  connecting: 'busy',
  joining: 'busy',
  offline: 'neutral',
  idle: 'neutral',
  stopped: 'neutral',
  error: 'danger',
  unreachable: 'danger',
  // Jobs and series (worker page job list, submit page progress).
  bidding: 'busy',
  farming: 'busy',
  running: 'busy',
  working: 'ok',
  done: 'ok',
  finished: 'ok',
  paused: 'neutral',
  unfinished: 'busy',
  cancelled: 'neutral',
  left: 'neutral',
  failed: 'danger',
  // Links between authorities (admin page, federation).
  linked: 'ok',
  dead: 'danger',
};

export function toneOf(state: string): BadgeTone {
  return TONES[state] ?? 'neutral';
}

/** States arrive in lower case from the roles and the API; labels read as words. */
function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export class PfStatusBadge extends LitElement {
  static override properties = {
    state: { type: String },
    still: { type: Boolean },
    label: { type: String },
  };

  declare state: string;
  /** No pulse: for badges in rows that change state many times a second (a busy worker's job list). */
  declare still: boolean;
  declare label: string | undefined;

  constructor() {
    super();
    this.state = 'offline';
    this.still = false;
  }

  static override styles = css`
    :host {
      display: inline-block;
      vertical-align: middle;
    }

    span {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      padding: 2px 10px 2px 8px;
      border-radius: 999px;
      font-size: 0.82rem;
      font-weight: 600;
      line-height: 1.6;
      white-space: nowrap;
    }

    span::before {
      content: '';
      width: 7px;
      height: 7px;
      border-radius: 50%;
      background: currentColor;
    }

    .ok {
      background: var(--pf-ok-soft);
      color: var(--pf-ok);
    }

    .busy {
      background: var(--pf-warn-soft);
      color: var(--pf-warn);
    }

    /* A few pulses when it turns busy, not for ever: an endless animation keeps a busy tab (a
       worker farming for hours) repainting 60 times a second, which costs it real CPU. */
    .busy::before {
      animation: pulse 1.2s ease-in-out 3;
    }

    /* A row reused for job after job would restart the pulse at every render, for ever. */
    .busy.still::before {
      animation: none;
    }

    .neutral {
      background: var(--pf-neutral-soft);
      color: var(--pf-neutral);
    }

    .danger {
      background: var(--pf-danger-soft);
      color: var(--pf-danger);
    }

    @keyframes pulse {
      50% {
        opacity: 0.25;
      }
    }

    @media (prefers-reduced-motion: reduce) {
      .busy::before {
        animation: none;
      }
    }
  `;

  override render() {
    return html`<span class="${toneOf(this.state)} ${this.still ? 'still' : ''}">${this.label ?? capitalise(this.state)}</span>`;
  }
}

customElements.define('pf-status-badge', PfStatusBadge);

declare global {
  interface HTMLElementTagNameMap {
    'pf-status-badge': PfStatusBadge;
  }
}
