// The Mandelbrot example's picture, drawn tile by tile as results arrive. Each done job's result is
// its tile's pixels (base64 bytes: 0 inside the set, 1..255 how slowly the point escaped, see
// examples.ts); the tile is painted in the hue of the worker that computed it, so the image also
// shows who did what. Only tiles not drawn yet are decoded on each update; results of another
// shape (edited code) are skipped.
import { LitElement, css, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { JobState, type Job, type JobQueue } from '../../peer/farm/job-queue.ts';
import { peerHue, plural } from '../shared/format.ts';
import { baseStyles } from '../shared/styles.ts';
import '../shared/pf-peer-id.ts';

/** Larger images are not drawn: the canvas would hold hundreds of megabytes. */
const MAX_SIDE_PX = 4096;

interface Tile { x: number; y: number; size: number; width: number; height: number }

function tileOf(input: unknown): Tile | undefined {
  const tile = input as Partial<Tile> | null;
  const keys = ['x', 'y', 'size', 'width', 'height'] as const;
  if (typeof tile !== 'object' || tile === null || !keys.every((key) => Number.isInteger(tile[key]))) return undefined;
  const { x, y, size, width, height } = tile as Tile;
  const fits = size > 0 && x >= 0 && y >= 0 && x + size <= width && y + size <= height;
  return fits && width <= MAX_SIDE_PX && height <= MAX_SIDE_PX ? { x, y, size, width, height } : undefined;
}

/** HSL (degrees, 0..1, 0..1) to RGB bytes. */
function rgb(hue: number, saturation: number, lightness: number): [number, number, number] {
  const a = saturation * Math.min(lightness, 1 - lightness);
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    return Math.round(255 * (lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [channel(0), channel(8), channel(4)];
}

/** Levels below this are the far field, all but flat; the ramp starts here to show the bands. */
const RAMP_START = 0.08;
const RAMP_LENGTH = 0.72;

/** 256 RGBA colours in one worker's hue: pale far from the set, deep near its edge, dark inside. */
function paletteFor(hue: number): Uint8ClampedArray {
  const palette = new Uint8ClampedArray(256 * 4);
  palette.set([...rgb(hue, 0.45, 0.13), 255], 0);
  for (let level = 1; level < 256; level++) {
    const ramp = Math.min(1, Math.max(0, ((level - 1) / 254 - RAMP_START) / RAMP_LENGTH));
    palette.set([...rgb(hue, 0.4 + 0.4 * ramp, 0.92 - 0.8 * ramp ** 0.75), 255], level * 4);
  }
  return palette;
}

export class PfMandelbrotView extends LitElement {
  static override properties = {
    queue: { attribute: false },
    revision: { type: Number },
  };

  declare queue: JobQueue | undefined;
  declare revision: number;

  private drawnFor: JobQueue | undefined;
  private drawn = new Uint8Array(0);
  /** RGBA palettes by worker, as one 32-bit word per colour (the byte order ImageData uses). */
  private readonly palettes = new Map<string, Uint32Array>();

  constructor() {
    super();
    this.revision = 0;
  }

  static override styles = [baseStyles, css`
    canvas {
      display: block;
      width: 100%;
      height: auto;
      aspect-ratio: 1;
      border-radius: var(--pf-radius-small);
      background: var(--pf-surface-2);
    }

    .caption {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      justify-content: space-between;
      gap: 4px 12px;
      margin-top: 10px;
      color: var(--pf-muted);
      font-size: 0.84rem;
      font-variant-numeric: tabular-nums;
    }

    ul {
      display: flex;
      flex-wrap: wrap;
      gap: 6px 16px;
      margin: 8px 0 0;
      padding: 0;
      list-style: none;
      font-size: 0.86rem;
    }

    li {
      display: inline-flex;
      align-items: center;
      gap: 8px;
    }

    .tiles {
      color: var(--pf-muted);
      font-variant-numeric: tabular-nums;
    }
  `];

  override render() {
    const jobs = this.queue?.jobs ?? [];
    const side = this.side(jobs);
    const tilesBy = new Map<string, number>();
    for (const job of jobs) if (job.doneBy !== undefined) tilesBy.set(job.doneBy, (tilesBy.get(job.doneBy) ?? 0) + 1);
    const done = jobs.filter((job) => job.state === JobState.done).length;
    const workers = [...tilesBy].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return html`
      <canvas width=${side.width} height=${side.height} role="img"
        aria-label=${`Mandelbrot set, ${done} of ${jobs.length} tiles drawn`}></canvas>
      <div class="caption">
        <span>${done} of ${plural(jobs.length, 'tile')} drawn</span>
        <span>Each tile is tinted by the worker that computed it</span>
      </div>
      <ul aria-label="Workers">
        ${repeat(workers, ([id]) => id, ([id, tiles]) => html`
          <li>
            <pf-peer-id peer-id=${id}></pf-peer-id><span class="tiles">${plural(tiles, 'tile')}</span>
          </li>
        `)}
      </ul>
    `;
  }

  /** The image size, from the first tile's input. */
  private side(jobs: readonly Job[]): { width: number; height: number } {
    const first = jobs.length > 0 ? tileOf(this.queue!.input(0)) : undefined;
    return first ? { width: first.width, height: first.height } : { width: 512, height: 512 };
  }

  protected override updated(): void {
    const canvas = this.renderRoot.querySelector('canvas')!;
    const ctx = canvas.getContext('2d')!;
    const jobs = this.queue?.jobs ?? [];
    if (this.drawnFor !== this.queue) {
      this.drawnFor = this.queue;
      this.drawn = new Uint8Array(jobs.length);
      ctx.clearRect(0, 0, canvas.width, canvas.height);
    }
    for (const job of jobs) {
      if (this.drawn[job.index] || job.state !== JobState.done || job.doneBy === undefined) continue;
      this.drawn[job.index] = 1;
      this.drawTile(ctx, job, job.doneBy);
    }
  }

  private drawTile(ctx: CanvasRenderingContext2D, job: Job, worker: string): void {
    const tile = tileOf(this.queue!.input(job.index));
    if (!tile || typeof job.result !== 'string') return;
    let bytes: string;
    try {
      bytes = atob(job.result);
    } catch {
      return;
    }
    if (bytes.length !== tile.size * tile.size) return;
    const palette = this.palette(worker);
    const image = ctx.createImageData(tile.size, tile.size);
    const pixels = new Uint32Array(image.data.buffer);
    for (let i = 0; i < bytes.length; i++) pixels[i] = palette[bytes.charCodeAt(i)]!;
    ctx.putImageData(image, tile.x, tile.y);
  }

  private palette(worker: string): Uint32Array {
    let palette = this.palettes.get(worker);
    if (!palette) this.palettes.set(worker, (palette = new Uint32Array(paletteFor(peerHue(worker)).buffer)));
    return palette;
  }
}

customElements.define('pf-mandelbrot-view', PfMandelbrotView);

declare global {
  interface HTMLElementTagNameMap {
    'pf-mandelbrot-view': PfMandelbrotView;
  }
}
