// The running (or last) job series: its state, a progress bar of jobs done and poisoned, the
// example's live view (the Mandelbrot picture, or the pi, primes and Collatz readouts), the grid of every
// job, the jobs' latest log lines and the hired workers' throughput; once done, what the accepted
// results were paid. Cancel comes out as a `pf-cancel` event; the results download as JSON, NDJSON
// or CSV (result-files.ts). The page bumps `revision` whenever the live queue changed (it is
// mutated in place).
import { LitElement, css, html, nothing } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { SeriesState } from '../../peer/client-role.ts';
import type { JobLogLine, SeriesResult, WorkerStats } from '../../peer/farm/foreman.ts';
import { JobState, type JobQueue } from '../../peer/farm/job-queue.ts';
import { resultsCsv, resultsFile, type ResultFormat } from '../../peer/farm/result-files.ts';
import { downloadResults } from '../shared/download.ts';
import { ClockController } from '../shared/clock-controller.ts';
import { count, elapsed, points } from '../shared/format.ts';
import { baseStyles, buttonStyles, cardStyles } from '../shared/styles.ts';
import type { ExampleId } from './examples.ts';
import '../shared/pf-status-badge.ts';
import './pf-job-grid.ts';
import './pf-mandelbrot-view.ts';
import './pf-series-readout.ts';
import './pf-worker-throughput.ts';

/** Log lines the card lists; the foreman keeps more, the handle's `log` listeners get all. */
const JOB_OUTPUT_LINES = 30;
/** Left-out workers named one by one; the rest are counted. */
const LEFT_OUT_SHOWN = 6;

const BADGES: Record<SeriesState, string> = {
  idle: 'Idle', bidding: 'Asking for bids', farming: 'Farming', done: 'Done', failed: 'Failed',
};

export class PfSeriesCard extends LitElement {
  static override properties = {
    state: { type: String },
    queue: { attribute: false },
    workers: { attribute: false },
    logs: { attribute: false },
    leftOut: { attribute: false },
    revision: { type: Number },
    error: { type: String },
    cancelled: { type: Boolean },
    result: { attribute: false },
    example: { type: String },
    startedAt: { type: Number, attribute: 'started-at' },
    finishedAt: { type: Number, attribute: 'finished-at' },
  };

  declare state: SeriesState;
  /** This series' live queue; undefined while bids are being asked for. */
  declare queue: JobQueue | undefined;
  declare workers: readonly WorkerStats[];
  /** The jobs' latest log lines (the foreman's, mutated in place: read at each `revision`). */
  declare logs: readonly JobLogLine[];
  /** Bidders left out for the series' requirements, and why. */
  declare leftOut: readonly { id: string; reason: string }[];
  declare revision: number;
  declare error: string | undefined;
  /** The person pressed Cancel: the failure is theirs, not the farm's. */
  declare cancelled: boolean;
  declare result: SeriesResult | undefined;
  /** The example the series came from, for its live view. */
  declare example: ExampleId | undefined;
  declare startedAt: number | undefined;
  declare finishedAt: number | undefined;

  private readonly clock = new ClockController(this);

  constructor() {
    super();
    this.state = 'idle';
    this.workers = [];
    this.revision = 0;
    this.cancelled = false;
  }

  static override styles = [baseStyles, cardStyles, buttonStyles, css`
    .head-end {
      display: flex;
      align-items: center;
      flex-wrap: wrap;
      gap: 10px;
    }

    .logs {
      margin-top: var(--pf-gap);
    }

    .left-out {
      margin: 0 0 var(--pf-gap);
      color: var(--pf-muted);
    }

    .log-lines {
      list-style: none;
      margin: 0;
      padding: 8px 10px;
      max-height: 14em;
      overflow: auto;
      border: 1px solid var(--pf-border);
      border-radius: var(--pf-radius-small);
      font-family: var(--pf-mono);
      font-size: 0.85em;
      contain: content;
    }

    .log-lines li {
      display: grid;
      grid-template-columns: 13em 4em minmax(0, 1fr);
      gap: 8px;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }

    .log-lines .where, .log-lines .level {
      color: var(--pf-muted);
    }

    .log-lines .warn .level {
      color: var(--pf-warn);
    }

    .log-lines .error .level, .log-lines .error .text {
      color: var(--pf-danger);
    }

    .downloads {
      display: inline-flex;
      align-items: center;
      gap: 6px;
    }

    .downloads .label {
      color: var(--pf-muted);
      font-size: 0.9em;
    }

    .progress {
      margin-bottom: 18px;
    }

    .line {
      display: flex;
      flex-wrap: wrap;
      justify-content: space-between;
      gap: 4px 14px;
      margin-bottom: 8px;
      font-variant-numeric: tabular-nums;
    }

    .line .muted {
      white-space: nowrap;
    }

    .track {
      position: relative;
      height: 8px;
      border-radius: 999px;
      background: var(--pf-surface-2);
      overflow: hidden;
    }

    /* Scaled, not sized, and not animated: a width transition repainted the whole page on every
       frame of a series (measured: 56 paints a second), and any transition here keeps the display
       compositor drawing frames for as long as the series runs. The bar moves 4 times a second. */
    .track span {
      position: absolute;
      inset: 0;
      transform-origin: left;
    }

    .done {
      background: var(--pf-ok);
    }

    .poisoned {
      background: var(--pf-danger);
    }

    .bad {
      color: var(--pf-danger);
    }

    .paid {
      margin-top: 10px;
      color: var(--pf-muted);
      font-size: 0.92rem;
    }

    .paid strong {
      color: var(--pf-text);
      font-variant-numeric: tabular-nums;
    }

    .notice-error,
    .notice {
      margin-bottom: 18px;
    }

    .notice {
      padding: 10px 14px;
      border-radius: var(--pf-radius-small);
      background: var(--pf-neutral-soft);
      color: var(--pf-text);
    }

    .panels {
      display: grid;
      grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
      gap: 22px 26px;
      align-items: start;
    }

    .panels.single {
      grid-template-columns: minmax(0, 1fr);
    }

    h3 {
      margin-bottom: 10px;
      color: var(--pf-muted);
      font-size: 0.8rem;
      font-weight: 600;
      letter-spacing: 0.03em;
      text-transform: uppercase;
    }

    .workers {
      margin-top: 24px;
    }

    @media (max-width: 760px) {
      .panels {
        grid-template-columns: minmax(0, 1fr);
      }
    }

  `];

  override render() {
    const cancelled = this.state === 'failed' && this.cancelled;
    return html`
      <section class="card" aria-labelledby="title">
        <div class="card-head">
          <h2 id="title">Series</h2>
          <div class="head-end">
            <pf-status-badge state=${cancelled ? 'cancelled' : this.state} label=${cancelled ? 'Cancelled' : BADGES[this.state]}></pf-status-badge>
            ${this.state === 'farming' ? html`<button @click=${this._onCancel}>Cancel</button>` : nothing}
            ${this.state === 'done' && this.result ? this.renderDownloads(this.result) : nothing}
          </div>
        </div>
        ${this.renderNotice(cancelled)}
        ${this.renderLeftOut()}
        ${this.queue ? this.renderSeries(this.queue) : this.renderWaiting()}
      </section>
    `;
  }

  private renderNotice(cancelled: boolean) {
    if (this.state !== 'failed') return nothing;
    if (cancelled) return html`<p class="notice" role="status">Cancelled. Jobs already done are kept below; nothing more was handed out.</p>`;
    return html`<p class="notice-error" role="alert"><span>The series failed: ${this.error ?? 'no reason was given'}.</span></p>`;
  }

  private renderWaiting() {
    if (this.state !== 'bidding') return nothing;
    return html`<p class="muted">Asking the network for bids; the best-value workers are hired when they arrive.</p>`;
  }

  private renderSeries(queue: JobQueue) {
    const total = queue.jobs.length;
    const done = queue.count(JobState.done);
    const poisoned = queue.count(JobState.poisoned);
    const scale = (part: number) => `scaleX(${total === 0 ? 0 : part / total})`;
    const until = this.finishedAt ?? this.clock.now;
    const view = this.renderView(queue);
    return html`
      <div class="progress">
        <div class="line">
          <span><strong>${count(done)}</strong> of ${count(total)} jobs done${poisoned > 0
            ? html` · <span class="bad">${count(poisoned)} failed (poisoned)</span>` : nothing}</span>
          <span class="muted">${this.startedAt === undefined ? '' : elapsed(until - this.startedAt)}</span>
        </div>
        <div class="track" role="progressbar" aria-label="Jobs done" aria-valuemin="0" aria-valuemax=${total} aria-valuenow=${done}>
          <span class="poisoned" style=${styleMap({ transform: scale(done + poisoned) })}></span>
          <span class="done" style=${styleMap({ transform: scale(done) })}></span>
        </div>
        ${this.result ? this.renderPaid(this.result) : nothing}
      </div>
      <div class="panels ${view === nothing ? 'single' : ''}">
        ${view}
        <div>
          <h3>Jobs</h3>
          <pf-job-grid .queue=${queue} .revision=${this.revision}></pf-job-grid>
        </div>
      </div>
      ${this.renderLogs()}
      <div class="workers">
        <h3>Workers</h3>
        <pf-worker-throughput .workers=${this.workers} .until=${until}
          ?over=${this.state === 'done' || this.state === 'failed'}></pf-worker-throughput>
      </div>
    `;
  }

  /** "Paid 100 points for 100 accepted results": results returned less those outvoted, over every worker. */
  private renderPaid(result: SeriesResult) {
    const accepted = result.workers.reduce((sum, worker) => sum + Math.max(0, worker.done - worker.flagged), 0);
    const restored = result.restored ?? 0;
    return html`<p class="paid" role="status">Paid <strong>${points(result.paid)}</strong> for ${count(accepted)} accepted ${accepted === 1 ? 'result' : 'results'}.${restored > 0
      ? ` Resumed: ${count(restored)} ${restored === 1 ? 'job was' : 'jobs were'} kept from an earlier tab, not run or paid again.` : ''}</p>`;
  }

  private renderView(queue: JobQueue) {
    switch (this.example) {
      case 'mandelbrot': return html`<div><h3>Image</h3><pf-mandelbrot-view .queue=${queue} .revision=${this.revision}></pf-mandelbrot-view></div>`;
      case 'pi':
      case 'primes':
      case 'collatz': return html`<div><h3>Result</h3><pf-series-readout kind=${this.example} .queue=${queue} .revision=${this.revision}></pf-series-readout></div>`;
      case undefined: return nothing;
    }
  }

  private renderLeftOut() {
    const left = this.leftOut ?? [];
    if (left.length === 0) return nothing;
    const shown = left.slice(0, LEFT_OUT_SHOWN);
    return html`
      <p class="left-out" role="status">Left out for the series' requirements:
        ${shown.map((worker, i) => html`${i > 0 ? '; ' : ''}<code>${worker.id.slice(0, 8)}</code> ${worker.reason}`)}${left.length > shown.length ? html`; and ${count(left.length - shown.length)} more` : nothing}.</p>
    `;
  }

  /** The last lines the jobs logged (ctx.log, console.*), newest first, each with its job and worker. */
  private renderLogs() {
    const lines = this.logs ?? [];
    if (lines.length === 0) return nothing;
    const shown = lines.slice(-JOB_OUTPUT_LINES).reverse();
    return html`
      <div class="logs">
        <h3>Job output <span class="muted">(${count(lines.length)} ${lines.length === 1 ? 'line' : 'lines'}${lines.length > shown.length ? `, latest ${shown.length}` : ''})</span></h3>
        <ol class="log-lines" aria-label="Lines the jobs logged, newest first">
          ${shown.map((line) => html`<li class=${line.level}><span class="where">job ${line.index} · ${line.worker.slice(0, 8)}</span><span class="level">${line.level}</span><span class="text">${line.text}</span></li>`)}
        </ol>
      </div>
    `;
  }

  /** The CSV of the last result, made once: whether it exists decides the button, and a click saves it. */
  private csv: { for: SeriesResult; text: string | undefined } | undefined;

  private renderDownloads(result: SeriesResult) {
    if (this.csv?.for !== result) this.csv = { for: result, text: resultsCsv(result) };
    const csv = this.csv.text !== undefined;
    return html`
      <span class="downloads" role="group" aria-label="Download the results">
        <span class="label">Download</span>
        <button class="primary" @click=${() => this.download('json')} title="Results, jobs and workers, as one JSON document">JSON</button>
        <button @click=${() => this.download('ndjson')} title="One JSON line a job: index, value, worker">NDJSON</button>
        <button @click=${() => this.download('csv')} ?disabled=${!csv}
          title=${csv ? 'A row a job, a column per field of the results' : 'CSV needs flat results: numbers, strings or objects of them'}>CSV</button>
      </span>
    `;
  }

  private _onCancel(): void {
    this.dispatchEvent(new CustomEvent('pf-cancel', { bubbles: true, composed: true }));
  }

  private download(format: ResultFormat): void {
    const text = format === 'csv' ? this.csv?.text : resultsFile(this.result!, format);
    if (text !== undefined) downloadResults(text, format, this.finishedAt ?? Date.now());
  }
}

customElements.define('pf-series-card', PfSeriesCard);

declare global {
  interface HTMLElementTagNameMap {
    'pf-series-card': PfSeriesCard;
  }
}
