// The replay's player bar: `<` and `>` step to the previous or next event time, play/pause with a
// speed of 1×, 5× or 20×, and a slider over the whole timeline (releasing it snaps onward to the
// next event, as the original's "Frame" slider did). Properties in, `pf-*` events out.
import { LitElement, css, html } from 'lit';
import { clockTimeMs, count, offsetSeconds } from '../shared/format.ts';
import { baseStyles, buttonStyles, fieldStyles } from '../shared/styles.ts';
import { SPEEDS, type Speed } from './replay-playback.ts';

export class PfReplayPlayer extends LitElement {
  static override properties = {
    start: { type: Number },
    end: { type: Number },
    time: { type: Number },
    step: { type: Number },
    steps: { type: Number },
    playing: { type: Boolean },
    speed: { type: Number },
  };

  declare start: number;
  declare end: number;
  declare time: number;
  /** The event time the clock is at (0-based) of `steps` distinct ones. */
  declare step: number;
  declare steps: number;
  declare playing: boolean;
  declare speed: Speed;

  constructor() {
    super();
    this.start = 0;
    this.end = 0;
    this.time = 0;
    this.step = 0;
    this.steps = 0;
    this.playing = false;
    this.speed = 1;
  }

  static override styles = [baseStyles, buttonStyles, fieldStyles, css`
    .bar {
      display: grid;
      grid-template-columns: auto 1fr auto;
      align-items: center;
      gap: 10px 14px;
    }

    .buttons,
    .speeds {
      display: flex;
      gap: 4px;
    }

    .buttons button {
      min-width: 40px;
      padding: 6px 10px;
      font-family: var(--pf-mono);
      font-weight: 600;
    }

    .buttons button.play {
      min-width: 76px;
      font-family: inherit;
    }

    .speeds button {
      padding: 4px 9px;
      font-size: 0.85rem;
      font-variant-numeric: tabular-nums;
    }

    .speeds button[aria-pressed='true'] {
      background: var(--pf-accent-soft);
      border-color: var(--pf-accent);
      color: var(--pf-accent-strong);
      font-weight: 650;
    }

    .readout {
      display: flex;
      flex-wrap: wrap;
      justify-content: space-between;
      gap: 2px 16px;
      grid-column: 1 / -1;
      color: var(--pf-muted);
      font-size: 0.86rem;
      font-variant-numeric: tabular-nums;
    }

    .readout strong {
      color: var(--pf-text);
      font-family: var(--pf-mono);
      font-weight: 600;
    }

    input[type='range'] {
      margin: 0;
    }

    @media (max-width: 620px) {
      .bar {
        grid-template-columns: 1fr auto;
      }

      input[type='range'] {
        grid-column: 1 / -1;
        grid-row: 2;
      }
    }
  `];

  override render() {
    const empty = this.steps === 0;
    return html`
      <div class="bar">
        <div class="buttons">
          <button class="prev" title="Previous event (←)" aria-label="Previous event" ?disabled=${empty || this.time <= this.start}
            @click=${() => this.emit('pf-step', { direction: -1 })}>&lt;</button>
          <button class="play" ?disabled=${empty} @click=${() => this.emit(this.playing ? 'pf-pause' : 'pf-play')}>
            ${this.playing ? 'Pause' : 'Play'}
          </button>
          <button class="next" title="Next event (→)" aria-label="Next event" ?disabled=${empty || this.time >= this.end}
            @click=${() => this.emit('pf-step', { direction: 1 })}>&gt;</button>
        </div>
        <input type="range" aria-label="Replay time" min="0" max=${Math.max(0, this.end - this.start)} step="1"
          .value=${String(this.time - this.start)} ?disabled=${empty}
          @input=${this._onSlide} @change=${this._onSlideEnd} />
        <div class="speeds" role="group" aria-label="Playback speed">
          ${SPEEDS.map((speed) => html`<button aria-pressed=${speed === this.speed ? 'true' : 'false'}
            @click=${() => this.emit('pf-speed', { speed })}>${speed}×</button>`)}
        </div>
        <div class="readout">
          <span><strong class="time">${offsetSeconds(this.time - this.start)}</strong> of ${offsetSeconds(this.end - this.start).slice(1)}
            · ${empty ? '—' : clockTimeMs(this.time)}</span>
          <span>event time ${count(empty ? 0 : this.step + 1)} of ${count(this.steps)}</span>
        </div>
      </div>
    `;
  }

  private readonly _onSlide = (event: Event): void => {
    this.emit('pf-seek', { time: this.start + Number((event.target as HTMLInputElement).value), snap: false });
  };

  private readonly _onSlideEnd = (event: Event): void => {
    this.emit('pf-seek', { time: this.start + Number((event.target as HTMLInputElement).value), snap: true });
  };

  private emit(name: string, detail?: object): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }
}

customElements.define('pf-replay-player', PfReplayPlayer);

declare global {
  interface HTMLElementTagNameMap {
    'pf-replay-player': PfReplayPlayer;
  }
}
