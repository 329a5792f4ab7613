// A peer id as people see it: a colour dot (the same colour for the same peer on every page) and
// the id in monospace, shortened unless `full`; the title always carries the whole id.
import { LitElement, css, html } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { peerHue, shortId } from './format.ts';

export class PfPeerId extends LitElement {
  static override properties = {
    peerId: { type: String, attribute: 'peer-id' },
    full: { type: Boolean },
  };

  declare peerId: string;
  declare full: boolean;

  constructor() {
    super();
    this.peerId = '';
    this.full = false;
  }

  static override styles = css`
    :host {
      display: inline-flex;
      align-items: center;
      gap: 8px;
      min-width: 0;
      max-width: 100%;
    }

    .dot {
      flex: none;
      width: 10px;
      height: 10px;
      border-radius: 50%;
      background: hsl(var(--hue) 55% 50%);
      box-shadow: 0 0 0 3px hsl(var(--hue) 55% 50% / 18%);
    }

    code {
      font-family: var(--pf-mono);
      font-size: 0.9em;
      overflow-wrap: anywhere;
      min-width: 0;
    }
  `;

  override render() {
    const hue = String(peerHue(this.peerId));
    return html`
      <span class="dot" style=${styleMap({ '--hue': hue })}></span>
      <code title=${this.peerId}>${this.full ? this.peerId : shortId(this.peerId)}</code>
    `;
  }
}

customElements.define('pf-peer-id', PfPeerId);

declare global {
  interface HTMLElementTagNameMap {
    'pf-peer-id': PfPeerId;
  }
}
