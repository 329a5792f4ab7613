// Paints a replay scene on a 2D canvas, in the original demo's visual language (reference
// section 9.3): the authority a blue circle, workers grey circles, clients red squares; thin arrows
// labelled with the command line, red for exceptions; thick grey lines for open links (traffic) or
// overlay links (P2P network); a red ring on a node whose overlay just changed.
import { peerHue, shortId } from '../shared/format.ts';
import { AUTHORITY_NODE, type ReplayNode } from './replay-index.ts';
import type { Point } from './replay-layout.ts';
import type { Scene, SceneArrow } from './replay-scene.ts';

export type ReplayViewName = 'traffic' | 'overlay';

export interface Palette {
  readonly surface: string;
  readonly text: string;
  readonly muted: string;
  readonly border: string;
  readonly danger: string;
  readonly authority: string;
  readonly worker: string;
  readonly client: string;
}

export interface PaintRequest {
  readonly ctx: CanvasRenderingContext2D;
  readonly width: number;
  readonly height: number;
  readonly scene: Scene;
  readonly view: ReplayViewName;
  /** A node's centre in CSS pixels. */
  readonly at: (id: string) => Point;
  readonly hovered: string | undefined;
  readonly trailMs: number;
  readonly palette: Palette;
  /** Lines for the top-left corner: the time, then the hovered node. */
  readonly caption: readonly string[];
}

export const NODE_RADIUS: Record<ReplayNode['kind'], number> = { authority: 15, worker: 10, client: 9 };
/** Arrow labels drawn besides the current step's: the newest few, one per direction of a pair. */
const EXTRA_LABELS = 5;
const LABEL_CHARS = 38;
const MONO = 'ui-monospace, "SF Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace';
const SANS = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

export function paintScene(request: PaintRequest): void {
  const { ctx, width, height, palette, scene, view } = request;
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = palette.surface;
  ctx.fillRect(0, 0, width, height);
  if (view === 'traffic') {
    paintLines(request, scene.links, 7, palette.muted, 0.28);
    paintArrows(request);
  } else {
    paintLines(request, scene.edges, 3.5, palette.muted, 0.85);
  }
  for (const node of scene.nodes) paintNode(request, node);
  if (view === 'traffic') paintArrowLabels(request);
  paintCaption(request);
}

function paintLines(request: PaintRequest, pairs: Scene['links'], width: number, colour: string, alpha: number): void {
  const { ctx, at, hovered, palette } = request;
  ctx.lineCap = 'round';
  ctx.lineWidth = width;
  for (const [a, b] of pairs) {
    const from = at(a);
    const to = at(b);
    const touched = hovered === a || hovered === b;
    ctx.globalAlpha = touched ? Math.max(alpha, 0.6) : alpha;
    ctx.strokeStyle = touched ? palette.danger : colour;
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
}

interface Segment {
  readonly from: Point;
  readonly to: Point;
  /** Unit normal, to the right of the direction of travel. */
  readonly nx: number;
  readonly ny: number;
}

/** The arrow between two node rims, moved a little to its right so a reply does not cover it. */
function segment(request: PaintRequest, arrow: SceneArrow): Segment | undefined {
  const { message } = arrow;
  const a = request.at(message.from);
  const b = request.at(message.to);
  const length = Math.hypot(b.x - a.x, b.y - a.y);
  if (length < 1) return undefined;
  const ux = (b.x - a.x) / length;
  const uy = (b.y - a.y) / length;
  const [nx, ny] = [-uy, ux];
  const shift = 4;
  const rimA = radiusOf(request, message.from) + 3;
  const rimB = radiusOf(request, message.to) + 4;
  return {
    from: { x: a.x + ux * rimA + nx * shift, y: a.y + uy * rimA + ny * shift },
    to: { x: b.x - ux * rimB + nx * shift, y: b.y - uy * rimB + ny * shift },
    nx, ny,
  };
}

const radii = new WeakMap<Scene, Map<string, number>>();

function radiusOf(request: PaintRequest, id: string): number {
  const { scene } = request;
  let byId = radii.get(scene);
  if (!byId) radii.set(scene, byId = new Map(scene.nodes.map((node) => [node.id, NODE_RADIUS[node.kind]])));
  return byId.get(id) ?? NODE_RADIUS.worker;
}

function arrowAlpha(arrow: SceneArrow, trailMs: number): number {
  if (arrow.current) return 1;
  return Math.max(0.12, 0.75 * (1 - arrow.age / Math.max(trailMs, 1)));
}

function paintArrows(request: PaintRequest): void {
  const { ctx, palette, scene, hovered } = request;
  for (const arrow of scene.arrows) {
    const line = segment(request, arrow);
    if (!line) continue;
    const { message } = arrow;
    const touched = hovered !== undefined && (message.from === hovered || message.to === hovered);
    ctx.globalAlpha = touched ? 1 : arrowAlpha(arrow, request.trailMs);
    const colour = message.error ? palette.danger : palette.text;
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = arrow.current ? 2 : 1.25;
    ctx.beginPath();
    ctx.moveTo(line.from.x, line.from.y);
    ctx.lineTo(line.to.x, line.to.y);
    ctx.stroke();
    arrowHead(ctx, line, arrow.current ? 9 : 7);
    // Still in flight: a dot where the message is now.
    if (message.received !== undefined && scene.time < message.received && message.received > message.sent) {
      const share = (scene.time - message.sent) / (message.received - message.sent);
      ctx.beginPath();
      ctx.arc(line.from.x + (line.to.x - line.from.x) * share, line.from.y + (line.to.y - line.from.y) * share, 3.5, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
  ctx.globalAlpha = 1;
}

function arrowHead(ctx: CanvasRenderingContext2D, line: Segment, size: number): void {
  const { to, nx, ny } = line;
  const [ux, uy] = [ny, -nx];
  ctx.beginPath();
  ctx.moveTo(to.x, to.y);
  ctx.lineTo(to.x - ux * size + nx * size * 0.45, to.y - uy * size + ny * size * 0.45);
  ctx.lineTo(to.x - ux * size - nx * size * 0.45, to.y - uy * size - ny * size * 0.45);
  ctx.closePath();
  ctx.fill();
}

interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Where along an arrow (from its sender) a label may go, best first. */
const LABEL_SPOTS = [0.4, 0.26, 0.55, 0.68, 0.15];

/** The current step's arrows first, then the newest; one label per direction of a pair. */
function labelOrder(arrows: readonly SceneArrow[]): SceneArrow[] {
  const newestFirst = [...arrows].reverse();
  const ordered = [...newestFirst.filter((arrow) => arrow.current), ...newestFirst.filter((arrow) => !arrow.current)];
  const pairs = new Set<string>();
  let extra = 0;
  return ordered.filter((arrow) => {
    const pair = `${arrow.message.from}>${arrow.message.to}`;
    if (pairs.has(pair) || (!arrow.current && extra >= EXTRA_LABELS)) return false;
    pairs.add(pair);
    if (!arrow.current) extra++;
    return true;
  });
}

/** Labels never cover a node, its name or another label: one that finds no free spot is left out. */
function paintArrowLabels(request: PaintRequest): void {
  const { ctx, palette, scene } = request;
  const taken: Rect[] = scene.nodes.flatMap((node) => {
    const { x, y } = request.at(node.id);
    const r = NODE_RADIUS[node.kind] + 2;
    return [{ x: x - r, y: y - r, width: 2 * r, height: 2 * r }, nodeLabel(request, node)];
  });
  ctx.font = `11.5px ${MONO}`;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'center';
  for (const arrow of labelOrder(scene.arrows)) {
    const line = segment(request, arrow);
    if (!line) continue;
    const text = clip(oneLine(arrow.message.text), LABEL_CHARS);
    const width = ctx.measureText(text).width + 10;
    const spot = LABEL_SPOTS.map((share) => ({
      x: line.from.x + (line.to.x - line.from.x) * share + line.nx * 11 - width / 2,
      y: line.from.y + (line.to.y - line.from.y) * share + line.ny * 11 - 9,
      width, height: 18,
    })).find((rect) => !taken.some((other) => overlaps(rect, other)));
    if (!spot) continue;
    taken.push(spot);
    ctx.globalAlpha = Math.min(1, arrowAlpha(arrow, request.trailMs) + 0.3);
    ctx.fillStyle = palette.surface;
    ctx.strokeStyle = arrow.message.error ? palette.danger : palette.border;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.roundRect(spot.x, spot.y, spot.width, spot.height, 5);
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = arrow.message.error ? palette.danger : palette.text;
    ctx.fillText(text, spot.x + spot.width / 2, spot.y + 9.5);
  }
  ctx.globalAlpha = 1;
}

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function paintNode(request: PaintRequest, node: ReplayNode): void {
  const { ctx, palette, hovered, scene } = request;
  const { x, y } = request.at(node.id);
  const r = NODE_RADIUS[node.kind];
  const isHovered = node.id === hovered;
  if (scene.rings.has(node.id)) {
    ctx.strokeStyle = palette.danger;
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    ctx.arc(x, y, r + 7, 0, 2 * Math.PI);
    ctx.stroke();
  }
  ctx.fillStyle = node.kind === 'authority' ? palette.authority : node.kind === 'client' ? palette.client : palette.worker;
  ctx.strokeStyle = isHovered ? palette.danger : palette.surface;
  ctx.lineWidth = isHovered ? 3 : 2;
  ctx.beginPath();
  if (node.kind === 'client') ctx.rect(x - r, y - r, 2 * r, 2 * r);
  else ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.fill();
  ctx.stroke();
  paintNodeLabel(request, node);
}

interface NodeLabel extends Rect {
  readonly text: string;
}

const NAME_FONT = `11px ${MONO}`;
/** Room for the colour dot before a peer's name. */
const DOT_ROOM = 10;

/** A node's name sits outward from the middle, so names on the ring do not run into neighbours. */
function nodeLabel(request: PaintRequest, node: ReplayNode): NodeLabel {
  const { ctx } = request;
  const { x, y } = request.at(node.id);
  const centre = request.at(AUTHORITY_NODE);
  const r = NODE_RADIUS[node.kind];
  const text = node.kind === 'authority' ? node.id : shortId(node.id).replace('…', '');
  ctx.font = NAME_FONT;
  const width = ctx.measureText(text).width + (node.kind === 'authority' ? 0 : DOT_ROOM);
  const length = Math.hypot(x - centre.x, y - centre.y);
  const [dx, dy] = node.kind === 'authority' || length < 1 ? [0, 1] : [(x - centre.x) / length, (y - centre.y) / length];
  const anchorX = x + dx * (r + 6);
  const anchorY = y + dy * (r + 8);
  const left = dx > 0.35 ? anchorX : dx < -0.35 ? anchorX - width : anchorX - width / 2;
  const middle = Math.abs(dx) > 0.35 ? anchorY : anchorY + dy * 4;
  return { text, x: left, y: middle - 7, width, height: 14 };
}

function paintNodeLabel(request: PaintRequest, node: ReplayNode): void {
  const { ctx, palette } = request;
  const label = nodeLabel(request, node);
  const y = label.y + label.height / 2;
  ctx.font = NAME_FONT;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  let textX = label.x;
  if (node.kind !== 'authority') {
    ctx.fillStyle = `hsl(${peerHue(node.id)} 55% 50%)`;
    ctx.beginPath();
    ctx.arc(label.x + 3, y, 3, 0, 2 * Math.PI);
    ctx.fill();
    textX += DOT_ROOM;
  }
  // A halo in the background colour keeps the name readable where arrows cross it.
  ctx.strokeStyle = palette.surface;
  ctx.lineWidth = 3;
  ctx.lineJoin = 'round';
  ctx.strokeText(label.text, textX, y);
  ctx.fillStyle = node.id === request.hovered ? palette.danger : palette.muted;
  ctx.fillText(label.text, textX, y);
}

function paintCaption(request: PaintRequest): void {
  const { ctx, palette, caption } = request;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  caption.forEach((line, i) => {
    ctx.font = i === 0 ? `600 13px ${SANS}` : `12px ${MONO}`;
    ctx.fillStyle = i === 0 ? palette.text : palette.danger;
    ctx.fillText(line, 12, 10 + i * 18);
  });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}

function clip(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
}
