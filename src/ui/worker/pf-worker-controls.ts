// How much of this tab the farm may use: Pause/Resume (running jobs finish; no new ones are taken
// and bids offer no slot), the worker threads (1..the cores the browser reports) and the share of
// CPU time jobs may use. Emits `pf-pause`, `pf-resume`, `pf-threads` {threads} and
// `pf-cpu-limit` {percent}; the page applies them to the WorkerRole.
import { LitElement, css, html } from 'lit';
import { plural } from '../shared/format.ts';
import { baseStyles, buttonStyles, cardStyles, fieldStyles } from '../shared/styles.ts';
import '../shared/pf-status-badge.ts';

/** The CPU slider's range and step, in percent (WorkerRole.setCpuLimit takes 10..100). */
const CPU_MIN = 10;
const CPU_MAX = 100;
const CPU_STEP = 5;

export class PfWorkerControls extends LitElement {
  static override properties = {
    paused: { type: Boolean },
    joined: { type: Boolean },
    threads: { type: Number },
    maxThreads: { type: Number, attribute: 'max-threads' },
    cpuLimit: { type: Number, attribute: 'cpu-limit' },
    running: { type: Number },
  };

  declare paused: boolean;
  declare joined: boolean;
  declare threads: number;
  declare maxThreads: number;
  declare cpuLimit: number;
  /** Jobs running now (they finish even while paused). */
  declare running: number;

  constructor() {
    super();
    this.paused = false;
    this.joined = false;
    this.threads = 1;
    this.maxThreads = 1;
    this.cpuLimit = CPU_MAX;
    this.running = 0;
  }

  static override styles = [baseStyles, cardStyles, buttonStyles, fieldStyles, css`
    :host {
      display: flex;
      flex-direction: column;
    }

    .card {
      flex: 1;
      display: grid;
      align-content: start;
      gap: 18px;
    }

    .card-head {
      margin-bottom: -4px;
    }

    .state {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      justify-content: space-between;
      gap: 10px 14px;
      padding: 12px 14px;
      border-radius: var(--pf-radius-small);
      background: var(--pf-surface-2);
    }

    .state.paused {
      background: var(--pf-warn-soft);
    }

    .state strong {
      display: block;
      font-weight: 600;
    }

    .state span {
      color: var(--pf-muted);
      font-size: 0.88rem;
    }

    .state button {
      min-width: 104px;
    }

    .row {
      display: flex;
      align-items: baseline;
      justify-content: space-between;
      gap: 10px;
    }

    .value {
      font-weight: 600;
      font-variant-numeric: tabular-nums;
    }

    .stepper {
      display: inline-flex;
      align-items: center;
      border: 1px solid var(--pf-border);
      border-radius: var(--pf-radius-small);
      overflow: hidden;
    }

    .stepper button {
      width: 38px;
      padding: 6px 0;
      border: none;
      border-radius: 0;
      font-size: 1.05rem;
      line-height: 1;
    }

    .stepper output {
      min-width: 46px;
      padding: 6px 8px;
      border-left: 1px solid var(--pf-border);
      border-right: 1px solid var(--pf-border);
      font-weight: 600;
      font-variant-numeric: tabular-nums;
      text-align: center;
    }

    .threads {
      display: flex;
      align-items: center;
      gap: 12px;
    }

    .ticks {
      display: flex;
      justify-content: space-between;
      color: var(--pf-muted);
      font-size: 0.78rem;
    }
  `];

  override render() {
    return html`
      <section class="card" aria-labelledby="title">
        <div class="card-head">
          <h2 id="title">Controls</h2>
          <pf-status-badge state=${this.badgeState()} label=${this.badgeLabel()}></pf-status-badge>
        </div>
        ${this.renderState()}
        <div>
          <div class="row">
            <span class="label" id="threads-label">Worker threads</span>
            <span class="hint">up to ${plural(this.maxThreads, 'core')} here</span>
          </div>
          <div class="threads">
            <div class="stepper" role="group" aria-labelledby="threads-label">
              <button aria-label="Fewer threads" ?disabled=${this.threads <= 1} @click=${() => this.setThreads(this.threads - 1)}>−</button>
              <output aria-live="polite">${this.threads}</output>
              <button aria-label="More threads" ?disabled=${this.threads >= this.maxThreads} @click=${() => this.setThreads(this.threads + 1)}>+</button>
            </div>
            <span class="hint">${plural(this.threads, 'job')} at once</span>
          </div>
        </div>
        <div>
          <div class="row">
            <label for="cpu">CPU use</label>
            <span class="value">${this.cpuLimit} %</span>
          </div>
          <input id="cpu" type="range" min=${CPU_MIN} max=${CPU_MAX} step=${CPU_STEP} .value=${String(this.cpuLimit)}
            aria-valuetext=${`${this.cpuLimit} percent`} @input=${this._onCpu} />
          <div class="ticks" aria-hidden="true"><span>${CPU_MIN} %</span><span>${CPU_MAX} %</span></div>
          <p class="hint">After each job its thread rests, so jobs use at most this share of each thread's time.</p>
        </div>
      </section>
    `;
  }

  private renderState() {
    if (this.paused) {
      const finishing = this.running > 0 ? `${plural(this.running, 'running job')} will finish first.` : 'Bids offer no slot while paused.';
      return html`
        <div class="state paused" role="status">
          <div><strong>Paused — not taking new jobs</strong><span>${finishing}</span></div>
          <button class="primary" @click=${this._onResume}>Resume</button>
        </div>
      `;
    }
    const text = this.joined ? 'Clients that hire this tab can send it jobs.' : 'Jobs come once this tab has joined.';
    return html`
      <div class="state" role="status">
        <div><strong>${this.joined ? 'Taking jobs' : 'Not joined yet'}</strong><span>${text}</span></div>
        <button @click=${this._onPause}>Pause</button>
      </div>
    `;
  }

  private badgeState(): string {
    if (this.paused) return 'paused';
    return this.joined ? (this.running > 0 ? 'running' : 'listening') : 'idle';
  }

  private badgeLabel(): string {
    if (this.paused) return 'Paused';
    if (!this.joined) return 'Not joined';
    return this.running > 0 ? `Running ${this.running}` : 'Ready';
  }

  private setThreads(threads: number): void {
    const clamped = Math.min(this.maxThreads, Math.max(1, threads));
    if (clamped === this.threads) return;
    this.dispatchEvent(new CustomEvent('pf-threads', { detail: { threads: clamped }, bubbles: true, composed: true }));
  }

  private _onCpu(event: Event): void {
    const percent = Number((event.target as HTMLInputElement).value);
    this.dispatchEvent(new CustomEvent('pf-cpu-limit', { detail: { percent }, bubbles: true, composed: true }));
  }

  private _onPause(): void {
    this.dispatchEvent(new CustomEvent('pf-pause', { bubbles: true, composed: true }));
  }

  private _onResume(): void {
    this.dispatchEvent(new CustomEvent('pf-resume', { bubbles: true, composed: true }));
  }
}

customElements.define('pf-worker-controls', PfWorkerControls);

declare global {
  interface HTMLElementTagNameMap {
    'pf-worker-controls': PfWorkerControls;
  }
}
