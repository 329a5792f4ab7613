// The top of the worker page: who this tab is (its peer id), where it stands, and the one button
// that matters. Emits `pf-join` and `pf-leave`; the page decides what they do.
import { LitElement, css, html, nothing } from 'lit';
import type { ConnectionState } from '../../peer/authority-connection.ts';
import type { MemberState } from '../../peer/member.ts';
import { baseStyles, buttonStyles, cardStyles } from '../shared/styles.ts';
import '../shared/pf-peer-id.ts';
import '../shared/pf-status-badge.ts';

/** How long the "Copied" confirmation stays. */
const COPIED_SHOWN_MS = 1500;

const BADGE_LABELS: Record<MemberState, string> = { idle: 'Not joined', joining: 'Joining', joined: 'Joined' };

export class PfJoinCard extends LitElement {
  static override properties = {
    peerId: { type: String, attribute: 'peer-id' },
    memberState: { type: String, attribute: 'member-state' },
    connectionState: { type: String, attribute: 'connection-state' },
    failed: { type: Boolean },
    _copied: { state: true },
  };

  declare peerId: string | undefined;
  declare memberState: MemberState;
  declare connectionState: ConnectionState;
  /** The last attempt ended in an error (the page shows the error itself). */
  declare failed: boolean;
  declare _copied: boolean;

  constructor() {
    super();
    this.memberState = 'idle';
    this.connectionState = 'offline';
    this.failed = false;
    this._copied = false;
  }

  static override styles = [baseStyles, cardStyles, buttonStyles, css`
    .card {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      justify-content: space-between;
      gap: 18px 28px;
      padding: 24px 26px;
    }

    .who {
      display: grid;
      gap: 8px;
      min-width: 0;
      flex: 1 1 360px;
    }

    .title {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 6px 12px;
    }

    h1 {
      font-size: 1.45rem;
      font-weight: 650;
      letter-spacing: -0.01em;
    }

    .id {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 10px;
    }

    .id .label {
      color: var(--pf-muted);
      font-size: 0.88rem;
    }

    .hint {
      color: var(--pf-muted);
      max-width: 60ch;
    }

    button.primary {
      min-width: 132px;
      font-size: 1.02rem;
    }

    button.leave {
      min-width: 132px;
      padding: 9px 22px;
      font-weight: 600;
    }

    @media (max-width: 520px) {
      .card {
        padding: 18px;
      }

      h1 {
        font-size: 1.25rem;
      }

      button.primary,
      button.leave {
        width: 100%;
      }
    }
  `];

  override render() {
    const joinedOrOnTheWay = this.memberState !== 'idle';
    return html`
      <section class="card" aria-labelledby="title">
        <div class="who">
          <div class="title">
            <h1 id="title">This tab is a worker</h1>
            <pf-status-badge state=${this.memberState} label=${BADGE_LABELS[this.memberState]}></pf-status-badge>
          </div>
          <div class="id">
            <span class="label">Peer id</span>
            ${this.peerId
              ? html`<pf-peer-id peer-id=${this.peerId} full></pf-peer-id>
                  <button class="quiet" @click=${this._onCopy}>${this._copied ? 'Copied' : 'Copy'}</button>`
              : html`<span class="muted">creating this tab's key…</span>`}
          </div>
          <p class="hint" aria-live="polite">${this.hint()}</p>
        </div>
        ${joinedOrOnTheWay
          ? html`<button class="leave" @click=${this._onLeave}>Leave</button>`
          : html`<button class="primary" @click=${this._onJoin}>Join</button>`}
      </section>
    `;
  }

  /** One sentence on what is happening now and what the person can do. */
  private hint(): string | typeof nothing {
    if (this.memberState === 'idle' && this.failed) {
      return 'Joining did not work this time; the reason is shown below. Press Join to try again.';
    }
    if (this.memberState === 'idle') {
      return 'Press Join to lend this tab to the farm. Jobs will run in a sandboxed Web Worker; '
        + 'leave or close the tab at any time.';
    }
    switch (this.connectionState) {
      case 'connecting': return 'Connecting to the authority…';
      case 'joining': return 'Connected. Proving this tab’s identity to the authority…';
      case 'joined': return 'Joined and listening. Keep this tab open to stay in the farm.';
      case 'offline': return 'The link to the authority dropped. Reconnecting shortly…';
      case 'stopped': return nothing;
    }
  }

  private _onJoin(): void {
    this.dispatchEvent(new CustomEvent('pf-join', { bubbles: true, composed: true }));
  }

  private _onLeave(): void {
    this.dispatchEvent(new CustomEvent('pf-leave', { bubbles: true, composed: true }));
  }

  private async _onCopy(): Promise<void> {
    if (!this.peerId) return;
    try {
      await navigator.clipboard.writeText(this.peerId);
      this._copied = true;
      setTimeout(() => (this._copied = false), COPIED_SHOWN_MS);
    } catch {
      // No clipboard permission (e.g. an embedded frame): the id is selectable text anyway.
    }
  }
}

customElements.define('pf-join-card', PfJoinCard);

declare global {
  interface HTMLElementTagNameMap {
    'pf-join-card': PfJoinCard;
  }
}
