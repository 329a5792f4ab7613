// Every job of the series as one small square coloured by its state, drawn on a canvas so a series of
// thousands costs a few rectangles per frame: only cells whose state or progress changed are
// redrawn. Running cells fill up with their progress; a red corner marks a job retried after a
// failure. Hovering a cell tells its index, state, worker and history. The page bumps `revision`
// when the live queue has changed (its jobs are mutated in place).
import { LitElement, css, html, nothing } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { JobState, type Job, type JobQueue } from '../../peer/farm/job-queue.ts';
import { count, plural, shortId } from '../shared/format.ts';
import { baseStyles } from '../shared/styles.ts';

const LEGEND: ReadonlyArray<{ state: JobState; label: string }> = [
  { state: JobState.queued, label: 'Queued' },
  { state: JobState.assigned, label: 'Assigned' },
  { state: JobState.running, label: 'Running' },
  { state: JobState.verifying, label: 'Verifying' },
  { state: JobState.done, label: 'Done' },
  { state: JobState.poisoned, label: 'Failed (poisoned)' },
];

/** Cell sizes tried from the largest down, until the grid fits in MAX_HEIGHT_PX. */
const CELL_SIZES_PX = [16, 14, 12, 10, 8, 6, 5, 4, 3, 2];
const MAX_HEIGHT_PX = 260;
/** Progress is drawn in this many steps, so a cell is redrawn at most this often. */
const PROGRESS_STEPS = 8;

interface Layout { size: number; pitch: number; cols: number; rows: number }

function layoutFor(jobs: number, width: number): Layout {
  let layout: Layout | undefined;
  for (const size of CELL_SIZES_PX) {
    const pitch = size + (size >= 8 ? 2 : 1);
    const cols = Math.max(1, Math.floor((width + pitch - size) / pitch));
    layout = { size, pitch, cols, rows: Math.ceil(jobs / cols) };
    if (layout.rows * pitch <= MAX_HEIGHT_PX) break;
  }
  return layout!;
}

/** What a cell shows; a change of key means redraw. */
function cellKey(job: Job): string {
  const progress = job.state === JobState.running ? Math.floor(job.progress * PROGRESS_STEPS) : 0;
  return `${job.state}${progress}${job.failures.length > 0 ? '!' : ''}`;
}

export class PfJobGrid extends LitElement {
  static override properties = {
    queue: { attribute: false },
    revision: { type: Number },
    _width: { state: true },
    _hover: { state: true },
  };

  declare queue: JobQueue | undefined;
  declare revision: number;
  declare _width: number;
  declare _hover: number | undefined;

  private keys: string[] = [];
  private palette = new Map<string, string>();
  private drawnFor: unknown;
  private readonly resize = new ResizeObserver(([entry]) => {
    this._width = Math.floor(entry?.contentRect.width ?? 0);
  });
  private readonly scheme = matchMedia('(prefers-color-scheme: dark)');
  private readonly onScheme = (): void => this.redrawAll();

  constructor() {
    super();
    this.revision = 0;
    this._width = 0;
  }

  static override styles = [baseStyles, css`
    :host {
      --cell-queued: var(--pf-neutral-soft);
      --cell-assigned: color-mix(in srgb, var(--pf-warn) 30%, var(--pf-surface));
      --cell-running: var(--pf-warn);
      --cell-verifying: #4f73c9;
      --cell-done: var(--pf-ok);
      --cell-poisoned: var(--pf-danger);
    }

    .frame {
      position: relative;
      min-height: 20px;
    }

    canvas {
      display: block;
    }

    .tip {
      position: absolute;
      z-index: 1;
      padding: 6px 10px;
      border: 1px solid var(--pf-border);
      border-radius: var(--pf-radius-small);
      background: var(--pf-surface);
      box-shadow: var(--pf-shadow);
      font-size: 0.82rem;
      white-space: nowrap;
      pointer-events: none;
      transform: translateY(calc(-100% - 6px));
    }

    .legend {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 14px;
      margin: 12px 0 0;
      padding: 0;
      list-style: none;
      color: var(--pf-muted);
      font-size: 0.82rem;
      font-variant-numeric: tabular-nums;
    }

    .legend li {
      display: inline-flex;
      align-items: center;
      gap: 6px;
    }

    .swatch {
      width: 10px;
      height: 10px;
      border-radius: 3px;
      background: var(--swatch);
    }

    .legend strong {
      color: var(--pf-text);
      font-weight: 600;
    }
  `];

  override connectedCallback(): void {
    super.connectedCallback();
    this.scheme.addEventListener('change', this.onScheme);
    void this.updateComplete.then(() => this.resize.observe(this.renderRoot.querySelector('.frame')!));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.scheme.removeEventListener('change', this.onScheme);
    this.resize.disconnect();
  }

  override render() {
    const jobs = this.queue?.jobs ?? [];
    const counts = new Map<JobState, number>();
    for (const job of jobs) counts.set(job.state, (counts.get(job.state) ?? 0) + 1);
    const summary = LEGEND.map(({ state, label }) => `${count(counts.get(state) ?? 0)} ${label.toLowerCase()}`).join(', ');
    return html`
      <div class="frame" @pointermove=${this._onPointer} @pointerleave=${this._onLeave}>
        <canvas role="img" aria-label=${`${plural(jobs.length, 'job')}: ${summary}`}></canvas>
        ${this.renderTip(jobs)}
        <span class="probe" hidden></span>
      </div>
      <ul class="legend">
        ${LEGEND.map(({ state, label }) => html`
          <li><span class="swatch" style=${styleMap({ '--swatch': `var(--cell-${state})` })}></span>
            ${label} <strong>${count(counts.get(state) ?? 0)}</strong></li>
        `)}
      </ul>
    `;
  }

  private renderTip(jobs: readonly Job[]) {
    const job = this._hover === undefined ? undefined : jobs[this._hover];
    if (!job) return nothing;
    const { pitch, cols, size } = layoutFor(jobs.length, this._width);
    const x = (job.index % cols) * pitch;
    const top = Math.floor(job.index / cols) * pitch;
    // Anchored on the cell's side towards the middle, so the tip never leaves the card.
    const place = x < (Math.min(jobs.length, cols) * pitch) / 2
      ? { left: `${x}px`, top: `${top}px` }
      : { left: `${x + size}px`, top: `${top}px`, transform: 'translate(-100%, calc(-100% - 6px))' };
    return html`<div class="tip" role="tooltip" style=${styleMap(place)}>${this.describe(job)}</div>`;
  }

  private describe(job: Job): string {
    const label = LEGEND.find((entry) => entry.state === job.state)?.label ?? job.state;
    const parts = [`Job ${job.index}`, label];
    const workers = job.doneBy ? [job.doneBy] : [...(this.queue?.leases.values() ?? [])].filter((l) => l.job === job.index).map((l) => l.worker);
    if (workers.length > 0) parts.push(`${job.doneBy ? 'by' : 'on'} ${workers.map(shortId).join(', ')}`);
    if (job.state === JobState.running) parts.push(`${Math.round(job.progress * 100)} %`);
    parts.push(`reassigned ${job.reassigned}×`);
    if (job.failures.length > 0) parts.push(plural(job.failures.length, 'failure'));
    return parts.join(' · ');
  }

  protected override updated(): void {
    this.draw();
  }

  private redrawAll(): void {
    this.drawnFor = undefined;
    this.draw();
  }

  private draw(): void {
    const jobs = this.queue?.jobs ?? [];
    const canvas = this.renderRoot.querySelector('canvas');
    if (!canvas || this._width === 0) return;
    const layout = layoutFor(jobs.length, this._width);
    const ratio = devicePixelRatio || 1;
    const shape = `${jobs.length}/${layout.cols}/${layout.size}/${ratio}`;
    const ctx = canvas.getContext('2d')!;
    if (this.drawnFor !== this.queue || canvas.dataset['shape'] !== shape) {
      canvas.dataset['shape'] = shape;
      canvas.style.width = `${Math.min(jobs.length, layout.cols) * layout.pitch}px`;
      canvas.style.height = `${layout.rows * layout.pitch}px`;
      canvas.width = Math.ceil(Math.min(jobs.length, layout.cols) * layout.pitch * ratio);
      canvas.height = Math.ceil(layout.rows * layout.pitch * ratio);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      this.keys = [];
      this.drawnFor = this.queue;
      this.palette = this.colours();
    }
    const colours = this.palette;
    for (const job of jobs) {
      const key = cellKey(job);
      if (this.keys[job.index] === key) continue;
      this.keys[job.index] = key;
      this.drawCell(ctx, layout, job, colours);
    }
  }

  private drawCell(ctx: CanvasRenderingContext2D, { size, pitch, cols }: Layout, job: Job, colours: Map<string, string>): void {
    const x = (job.index % cols) * pitch;
    const y = Math.floor(job.index / cols) * pitch;
    const radius = size >= 8 ? 2.5 : 0;
    ctx.clearRect(x, y, size, size);
    const fill = (colour: string, top: number, height: number) => {
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.roundRect(x, top, size, height, radius);
      ctx.fill();
    };
    if (job.state === JobState.running) {
      fill(colours.get(JobState.assigned)!, y, size);
      const filled = Math.max(2, Math.round(size * Math.floor(job.progress * PROGRESS_STEPS) / PROGRESS_STEPS));
      fill(colours.get(JobState.running)!, y + size - filled, filled);
    } else {
      fill(colours.get(job.state)!, y, size);
    }
    if (job.failures.length > 0 && job.state !== JobState.poisoned && size >= 6) {
      ctx.fillStyle = colours.get(JobState.poisoned)!;
      ctx.fillRect(x + size - Math.ceil(size / 3), y, Math.ceil(size / 3), Math.ceil(size / 3));
    }
  }

  /** The cell colours as rgb(): custom properties may hold color-mix(), which a canvas may not parse. */
  private colours(): Map<string, string> {
    const probe = this.renderRoot.querySelector<HTMLElement>('.probe')!;
    return new Map(LEGEND.map(({ state }) => {
      probe.style.color = `var(--cell-${state})`;
      return [state, getComputedStyle(probe).color];
    }));
  }

  private _onPointer(event: PointerEvent): void {
    const jobs = this.queue?.jobs.length ?? 0;
    const canvas = this.renderRoot.querySelector('canvas')!;
    const box = canvas.getBoundingClientRect();
    const { pitch, cols, size } = layoutFor(jobs, this._width);
    const x = event.clientX - box.left;
    const y = event.clientY - box.top;
    const index = Math.floor(y / pitch) * cols + Math.floor(x / pitch);
    const inside = x >= 0 && y >= 0 && x % pitch < size && y % pitch < size && x < cols * pitch && index < jobs;
    this._hover = inside ? index : undefined;
  }

  private _onLeave(): void {
    this._hover = undefined;
  }
}

customElements.define('pf-job-grid', PfJobGrid);

declare global {
  interface HTMLElementTagNameMap {
    'pf-job-grid': PfJobGrid;
  }
}
