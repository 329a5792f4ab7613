// Every job of the series as one small square coloured by its state, drawn on a canvas so a series of
// thousands costs a few rectangles per frame: only cells whose state or progress changed are
// redrawn. Running cells fill up with their progress; a red corner marks a job retried after a
// failure. Hovering a cell tells its index, state, worker and history. A series with more jobs than
// the grid has room for (a hundred thousand) shows a block of consecutive jobs per cell, coloured by
// the most pressing state in it. The page bumps `revision` when the live queue has changed (its
// jobs are mutated in place).
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
/** A block's colour: the first of these states any of its jobs is in (done only when all are). */
const PRECEDENCE: readonly JobState[] = [
  JobState.poisoned, JobState.running, JobState.verifying, JobState.assigned, JobState.queued, JobState.done,
];
const STATE_CODE = new Map<JobState, number>(PRECEDENCE.map((state, code) => [state, code]));
/** A cell key's flag for a job retried after a failure. */
const RETRIED = 0x80;

/** `per` consecutive jobs in each cell (1 unless the series is larger than the grid). */
interface Layout { size: number; pitch: number; cols: number; rows: number; per: number; cells: number }

function layoutFor(jobs: number, width: number): Layout {
  let layout: Layout | undefined;
  for (const size of CELL_SIZES_PX) {
    const pitch = size + (size >= 8 ? 2 : 1);
    const cols = Math.max(1, Math.floor((width + pitch - size) / pitch));
    layout = { size, pitch, cols, rows: Math.ceil(jobs / cols), per: 1, cells: jobs };
    if (layout.rows * pitch <= MAX_HEIGHT_PX) return layout;
  }
  const { size, pitch, cols } = layout!;
  const per = Math.ceil(jobs / (cols * Math.floor(MAX_HEIGHT_PX / pitch)));
  const cells = Math.ceil(jobs / per);
  return { size, pitch, cols, rows: Math.ceil(cells / cols), per, cells };
}

/**
 * What a cell shows, as a small number (a change means redraw): the state code of its most pressing
 * job (PRECEDENCE), the progress step of a lone running job, and RETRIED.
 */
function cellKey(jobs: readonly Job[], first: number, per: number): number {
  const end = Math.min(jobs.length, first + per);
  let code = STATE_CODE.get(JobState.done)!;
  let flags = 0;
  for (let i = first; i < end; i += 1) {
    const job = jobs[i]!;
    code = Math.min(code, STATE_CODE.get(job.state)!);
    if (job.failures.length > 0 && job.state !== JobState.poisoned) flags = RETRIED;
  }
  const lone = jobs[first]!;
  const progress = per === 1 && lone.state === JobState.running ? Math.floor(lone.progress * PROGRESS_STEPS) : 0;
  return (code << 4) | progress | flags;
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

  /** The key each cell was last drawn with (0xff: not drawn). */
  private keys = new Uint8Array(0);
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
    const counts = new Map<JobState, number>(LEGEND.map(({ state }) => [state, this.queue?.count(state) ?? 0]));
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
    const cell = this._hover;
    if (cell === undefined) return nothing;
    const layout = layoutFor(jobs.length, this._width);
    const { pitch, cols, size, per } = layout;
    if (cell >= layout.cells) return nothing;
    const x = (cell % cols) * pitch;
    const top = Math.floor(cell / cols) * pitch;
    // Anchored on the cell's side towards the middle, so the tip never leaves the card.
    const place = x < (Math.min(layout.cells, cols) * pitch) / 2
      ? { left: `${x}px`, top: `${top}px` }
      : { left: `${x + size}px`, top: `${top}px`, transform: 'translate(-100%, calc(-100% - 6px))' };
    const text = per === 1 ? this.describe(jobs[cell]!) : describeBlock(jobs, cell * per, Math.min(jobs.length, (cell + 1) * per));
    return html`<div class="tip" role="tooltip" style=${styleMap(place)}>${text}</div>`;
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
    const shape = `${jobs.length}/${layout.cols}/${layout.size}/${layout.per}/${ratio}`;
    const ctx = canvas.getContext('2d')!;
    const across = Math.min(layout.cells, layout.cols) * layout.pitch;
    if (this.drawnFor !== this.queue || canvas.dataset['shape'] !== shape) {
      canvas.dataset['shape'] = shape;
      canvas.style.width = `${across}px`;
      canvas.style.height = `${layout.rows * layout.pitch}px`;
      canvas.width = Math.ceil(across * ratio);
      canvas.height = Math.ceil(layout.rows * layout.pitch * ratio);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      this.keys = new Uint8Array(layout.cells).fill(0xff);
      this.drawnFor = this.queue;
      this.palette = this.colours();
    }
    const colours = this.palette;
    for (let cell = 0; cell < layout.cells; cell += 1) {
      const key = cellKey(jobs, cell * layout.per, layout.per);
      if (this.keys[cell] === key) continue;
      this.keys[cell] = key;
      this.drawCell(ctx, layout, cell, key, colours);
    }
  }

  private drawCell(ctx: CanvasRenderingContext2D, { size, pitch, cols, per }: Layout, cell: number, key: number, colours: Map<string, string>): void {
    const x = (cell % cols) * pitch;
    const y = Math.floor(cell / cols) * pitch;
    const radius = size >= 8 ? 2.5 : 0;
    const state = PRECEDENCE[key >> 4]!;
    const progress = key & 0x0f;
    ctx.clearRect(x, y, size, size);
    const fill = (colour: string, top: number, height: number) => {
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.roundRect(x, top, size, height, radius);
      ctx.fill();
    };
    if (state === JobState.running && per === 1) {
      fill(colours.get(JobState.assigned)!, y, size);
      const filled = Math.max(2, Math.round((size * progress) / PROGRESS_STEPS));
      fill(colours.get(JobState.running)!, y + size - filled, filled);
    } else {
      fill(colours.get(state)!, y, size);
    }
    if ((key & RETRIED) !== 0 && size >= 6) {
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
    const { pitch, cols, size, cells } = layoutFor(jobs, this._width);
    const x = event.clientX - box.left;
    const y = event.clientY - box.top;
    const cell = Math.floor(y / pitch) * cols + Math.floor(x / pitch);
    const inside = x >= 0 && y >= 0 && x % pitch < size && y % pitch < size && x < cols * pitch && cell < cells;
    this._hover = inside ? cell : undefined;
  }

  private _onLeave(): void {
    this._hover = undefined;
  }
}

/** "Jobs a–b · 12 done, 3 running, ..." for a block of jobs [first, end). */
function describeBlock(jobs: readonly Job[], first: number, end: number): string {
  const counts = new Map<JobState, number>();
  for (let i = first; i < end; i += 1) counts.set(jobs[i]!.state, (counts.get(jobs[i]!.state) ?? 0) + 1);
  const parts = LEGEND.filter(({ state }) => counts.has(state)).map(({ state, label }) => `${count(counts.get(state)!)} ${label.toLowerCase()}`);
  return `Jobs ${count(first)}–${count(end - 1)} · ${parts.join(', ')}`;
}

customElements.define('pf-job-grid', PfJobGrid);

declare global {
  interface HTMLElementTagNameMap {
    'pf-job-grid': PfJobGrid;
  }
}
