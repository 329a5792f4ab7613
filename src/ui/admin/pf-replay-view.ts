// One canvas of the network replay: the "Network traffic" or the "P2P network" view of the scene
// at the playback's time. It draws on animation frames, never through lit templates, so a replay
// of 100,000 events stays smooth. Hover a node to highlight it and read its id and address; drag it
// to move it. `drawn` tells tests (and the console) what the last frame showed.
import { LitElement, css, html } from 'lit';
import { clockTimeMs, count, offsetSeconds } from '../shared/format.ts';
import { baseStyles } from '../shared/styles.ts';
import { AUTHORITY_NODE, type ReplayIndex } from './replay-index.ts';
import type { Point, ReplayLayout } from './replay-layout.ts';
import { NODE_RADIUS, paintScene, type Palette, type ReplayViewName } from './replay-paint.ts';
import type { ReplayPlayback, Speed } from './replay-playback.ts';
import { sceneAt, type Scene } from './replay-scene.ts';

/** How long arrows linger (and rings stay) at each speed: long enough to be seen while playing. */
const TRAIL_MS: Record<Speed, number> = { 1: 600, 5: 1200, 20: 2500 };
/** Room around the ring for names, in CSS pixels (less on a narrow screen). */
const PAD_X = 84;
const PAD_X_SHARE = 0.14;
const PAD_TOP = 52;
const PAD_BOTTOM = 34;

/** What the last frame showed; pairs are "a b" with a < b. */
export interface Drawn {
  readonly view: ReplayViewName;
  readonly time: number;
  readonly nodes: string[];
  readonly arrows: { from: string; to: string; text: string; error: boolean }[];
  readonly links: string[];
  readonly edges: string[];
  readonly rings: string[];
  /** Each drawn node's centre in CSS pixels, relative to the canvas. */
  readonly positions: Record<string, { x: number; y: number }>;
}

export class PfReplayView extends LitElement {
  static override properties = {
    index: { attribute: false },
    playback: { attribute: false },
    layout: { attribute: false },
    addresses: { attribute: false },
    view: { type: String, reflect: true },
  };

  declare index: ReplayIndex | undefined;
  declare playback: ReplayPlayback | undefined;
  declare layout: ReplayLayout | undefined;
  /** Addresses of the nodes still joined, shown on hover. */
  declare addresses: ReadonlyMap<string, string>;
  declare view: ReplayViewName;

  /** What the last frame showed (for tests and the console). */
  drawn: Drawn | undefined;

  private hovered: string | undefined;
  private dragging: string | undefined;
  private frame: number | undefined;
  private size = { width: 0, height: 0 };
  private scene: Scene | undefined;
  private readonly resizeObserver = new ResizeObserver(() => this.resize());
  private observed: { playback?: ReplayPlayback; layout?: ReplayLayout } = {};

  constructor() {
    super();
    this.addresses = new Map();
    this.view = 'traffic';
  }

  static override styles = [baseStyles, css`
    :host {
      position: relative;
    }

    canvas {
      display: block;
      width: 100%;
      height: clamp(340px, 58vh, 560px);
      border-radius: var(--pf-radius-small);
      border: 1px solid var(--pf-border);
      touch-action: none;
    }

    canvas:focus-visible {
      outline: 2px solid var(--pf-accent);
      outline-offset: 2px;
    }

    canvas.over {
      cursor: grab;
    }

    canvas.dragging {
      cursor: grabbing;
    }
  `];

  override render() {
    return html`<canvas
      tabindex="0"
      role="img"
      aria-label=${this.view === 'traffic' ? 'Network traffic at the current time' : 'P2P network at the current time'}
      @pointermove=${this.onPointerMove}
      @pointerdown=${this.onPointerDown}
      @pointerup=${this.onPointerUp}
      @pointercancel=${this.onPointerUp}
      @pointerleave=${this.onPointerLeave}
      @keydown=${this.onKeyDown}
    ></canvas>`;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.follow();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver.disconnect();
    this.unfollow();
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
  }

  protected override firstUpdated(): void {
    this.resizeObserver.observe(this.canvas);
  }

  protected override updated(): void {
    this.follow();
    this.scheduleDraw();
  }

  private get canvas(): HTMLCanvasElement {
    return this.renderRoot.querySelector('canvas')!;
  }

  private follow(): void {
    if (this.observed.playback === this.playback && this.observed.layout === this.layout) return;
    this.unfollow();
    this.observed = { ...(this.playback && { playback: this.playback }), ...(this.layout && { layout: this.layout }) };
    this.playback?.addEventListener('change', this.scheduleDraw);
    this.layout?.addEventListener('change', this.scheduleDraw);
  }

  private unfollow(): void {
    this.observed.playback?.removeEventListener('change', this.scheduleDraw);
    this.observed.layout?.removeEventListener('change', this.scheduleDraw);
    this.observed = {};
  }

  private readonly scheduleDraw = (): void => {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.draw();
    });
  };

  private resize(): void {
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    this.size = { width: canvas.clientWidth, height: canvas.clientHeight };
    canvas.width = Math.round(this.size.width * ratio);
    canvas.height = Math.round(this.size.height * ratio);
    this.scheduleDraw();
  }

  private draw(): void {
    const { index, playback } = this;
    const { width, height } = this.size;
    if (!index || !playback || width === 0) return;
    const trailMs = TRAIL_MS[playback.speed];
    const scene = sceneAt(index, playback.time, { trailMs, ringMs: trailMs });
    this.scene = scene;
    const ctx = this.canvas.getContext('2d')!;
    const ratio = this.canvas.width / width;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    paintScene({
      ctx, width, height, scene, view: this.view, at: (id) => this.toPixels(id),
      hovered: this.hovered, trailMs, palette: this.palette(), caption: this.caption(index, playback),
    });
    this.drawn = describe(this.view, scene, (id) => this.toPixels(id));
  }

  private caption(index: ReplayIndex, playback: ReplayPlayback): string[] {
    const { step, steps } = playback.position;
    const lines = [`${offsetSeconds(playback.time - index.start)}  ·  ${clockTimeMs(playback.time)}  ·  step ${count(step + 1)} of ${count(steps)}`];
    const node = this.hovered ? index.nodes.get(this.hovered) : undefined;
    if (node) {
      lines.push(`${node.kind} ${node.id === AUTHORITY_NODE ? '' : node.id}`.trim());
      const address = this.addresses.get(node.id);
      if (address) lines.push(`address ${address}`);
      lines.push(`seen ${offsetSeconds(node.first - index.start)} to ${offsetSeconds(node.last - index.start)}`);
    }
    return lines;
  }

  private palette(): Palette {
    const style = getComputedStyle(this);
    const read = (name: string) => style.getPropertyValue(name).trim();
    return {
      surface: read('--pf-surface') || '#fff', text: read('--pf-text') || '#1b2624', muted: read('--pf-muted') || '#5d6b68',
      border: read('--pf-border') || '#dde3e1', danger: read('--pf-danger') || '#b3261e',
      authority: read('--replay-authority') || '#2f6bd8', worker: read('--replay-worker') || '#8d9996',
      client: read('--replay-client') || '#d0453b',
    };
  }

  /** Half the ring's width and height in CSS pixels, and its centre. */
  private get frameBox(): { cx: number; cy: number; rx: number; ry: number } {
    const { width, height } = this.size;
    const ry = (height - PAD_TOP - PAD_BOTTOM) / 2;
    return { cx: width / 2, cy: PAD_TOP + ry, rx: width / 2 - Math.min(PAD_X, width * PAD_X_SHARE), ry };
  }

  private toPixels(id: string): Point {
    const unit = this.layout?.position(id) ?? { x: 0, y: 0 };
    const { cx, cy, rx, ry } = this.frameBox;
    return { x: cx + unit.x * rx, y: cy + unit.y * ry };
  }

  private toUnit(x: number, y: number): Point {
    const { cx, cy, rx, ry } = this.frameBox;
    return { x: (x - cx) / rx, y: (y - cy) / ry };
  }

  private nodeAt(x: number, y: number): string | undefined {
    const nodes = this.scene?.nodes ?? [];
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i]!;
      const centre = this.toPixels(node.id);
      if (Math.hypot(centre.x - x, centre.y - y) <= NODE_RADIUS[node.kind] + 5) return node.id;
    }
    return undefined;
  }

  private readonly onPointerMove = (event: PointerEvent): void => {
    if (this.dragging) {
      this.layout?.move(this.dragging, this.toUnit(event.offsetX, event.offsetY));
      return;
    }
    const over = this.nodeAt(event.offsetX, event.offsetY);
    this.canvas.classList.toggle('over', over !== undefined);
    if (over === this.hovered) return;
    this.hovered = over;
    this.scheduleDraw();
  };

  private readonly onPointerDown = (event: PointerEvent): void => {
    const id = this.nodeAt(event.offsetX, event.offsetY);
    if (!id) return;
    this.dragging = id;
    this.hovered = id;
    this.canvas.setPointerCapture(event.pointerId);
    this.canvas.classList.add('dragging');
  };

  private readonly onPointerUp = (): void => {
    this.dragging = undefined;
    this.canvas.classList.remove('dragging');
  };

  /** ← and → step like the player's buttons while the canvas has the focus. */
  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    event.preventDefault();
    const direction = event.key === 'ArrowLeft' ? -1 : 1;
    this.dispatchEvent(new CustomEvent('pf-step', { detail: { direction }, bubbles: true, composed: true }));
  };

  private readonly onPointerLeave = (): void => {
    if (this.dragging || this.hovered === undefined) return;
    this.hovered = undefined;
    this.scheduleDraw();
  };
}

function describe(view: ReplayViewName, scene: Scene, at: (id: string) => Point): Drawn {
  const pairs = (list: Scene['links']) => list.map(([a, b]) => `${a} ${b}`).sort();
  return {
    view, time: scene.time,
    nodes: scene.nodes.map((node) => node.id),
    arrows: view === 'traffic' ? scene.arrows.map(({ message }) => ({ from: message.from, to: message.to, text: message.text, error: message.error })) : [],
    links: view === 'traffic' ? pairs(scene.links) : [],
    edges: view === 'overlay' ? pairs(scene.edges) : [],
    rings: [...scene.rings].sort(),
    positions: Object.fromEntries(scene.nodes.map((node) => {
      const { x, y } = at(node.id);
      return [node.id, { x: Math.round(x), y: Math.round(y) }];
    })),
  };
}

customElements.define('pf-replay-view', PfReplayView);

declare global {
  interface HTMLElementTagNameMap {
    'pf-replay-view': PfReplayView;
  }
}
