// What the replay shows at one moment: the nodes alive, the messages in flight or just delivered,
// the open links, the overlay's links and the nodes whose overlay just changed. Pure and cheap:
// binary searches into the index, bounded by what can be seen.
import { upperBound, type ReplayIndex, type ReplayMessage, type ReplayNode } from './replay-index.ts';
import { MAX_FLIGHT_MS } from './replay-pairing.ts';

/** Arrows drawn at most; the newest win. */
export const MAX_ARROWS = 240;

export interface SceneArrow {
  readonly message: ReplayMessage;
  /** Replay time since it was sent. */
  readonly age: number;
  /** Sent or received exactly now: drawn strongest, with its label. */
  readonly current: boolean;
}

export interface Scene {
  readonly time: number;
  readonly nodes: readonly ReplayNode[];
  /** Oldest first, so the newest are painted on top. */
  readonly arrows: readonly SceneArrow[];
  /** Open links and overlay links as [a, b] with a < b. */
  readonly links: readonly (readonly [string, string])[];
  readonly edges: readonly (readonly [string, string])[];
  /** Nodes whose overlay changed within the ring time before now. */
  readonly rings: ReadonlySet<string>;
}

export interface SceneOptions {
  /** How long a message stays on screen after it was sent, fading. */
  readonly trailMs: number;
  /** How long a ring stays after an overlay change. */
  readonly ringMs: number;
}

export function sceneAt(index: ReplayIndex, time: number, options: SceneOptions): Scene {
  const nodes = [...index.nodes.values()].filter((node) => node.first <= time && time <= node.last);
  const alive = new Set(nodes.map((node) => node.id));
  return {
    time,
    nodes,
    arrows: arrowsAt(index, time, options.trailMs, alive),
    links: linksAt(index, time, alive),
    edges: edgesAt(index, time, alive),
    rings: ringsAt(index, time, options.ringMs),
  };
}

function arrowsAt(index: ReplayIndex, time: number, trailMs: number, alive: ReadonlySet<string>): SceneArrow[] {
  const end = upperBound(index.sentTimes, time);
  const arrows: SceneArrow[] = [];
  // A message sent before the trail may still be in flight now: look back by the longest flight too.
  for (let i = end - 1; i >= 0 && arrows.length < MAX_ARROWS; i--) {
    const message = index.messages[i]!;
    const age = time - message.sent;
    if (age > trailMs + MAX_FLIGHT_MS) break;
    const lastSeen = message.received ?? message.sent;
    if (time - lastSeen > trailMs) continue;
    if (!alive.has(message.from) || !alive.has(message.to)) continue;
    arrows.push({ message, age: time - lastSeen, current: message.sent === time || message.received === time });
  }
  return arrows.reverse();
}

function linksAt(index: ReplayIndex, time: number, alive: ReadonlySet<string>): [string, string][] {
  const pairs = new Map<string, [string, string]>();
  for (const link of index.links) {
    if (link.open > time) break;
    if (link.close < time || !alive.has(link.a) || !alive.has(link.b)) continue;
    const pair = ordered(link.a, link.b);
    pairs.set(pair.join(' '), pair);
  }
  return [...pairs.values()];
}

function edgesAt(index: ReplayIndex, time: number, alive: ReadonlySet<string>): [string, string][] {
  const pairs = new Map<string, [string, string]>();
  for (const [node, timeline] of index.overlays) {
    if (!alive.has(node)) continue;
    const at = upperBound(timeline.times, time) - 1;
    if (at < 0) continue;
    for (const other of timeline.ids[at]!) {
      if (!alive.has(other) || other === node) continue;
      const pair = ordered(node, other);
      pairs.set(pair.join(' '), pair);
    }
  }
  return [...pairs.values()];
}

function ringsAt(index: ReplayIndex, time: number, ringMs: number): Set<string> {
  const rings = new Set<string>();
  const changes = index.overlayChanges;
  let low = 0;
  let high = changes.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (changes[middle]!.t <= time) low = middle + 1;
    else high = middle;
  }
  for (let i = low - 1; i >= 0 && time - changes[i]!.t <= ringMs; i--) rings.add(changes[i]!.node);
  return rings;
}

function ordered(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}
