// Where the replay draws each node, in unit coordinates (-1..1 on both axes, stretched to the
// canvas): the authority in the middle, the peers on a ring in order of appearance. A node someone
// dragged keeps its place, whatever loads next, until "Reset layout".
import { AUTHORITY_NODE, type ReplayIndex, type ReplayNode } from './replay-index.ts';

export interface Point {
  readonly x: number;
  readonly y: number;
}

const RING = 0.9;

export class ReplayLayout extends EventTarget {
  private readonly placed = new Map<string, Point>();
  private defaults = new Map<string, Point>();

  /** Lays out the nodes of a (re)built index; dragged nodes stay where they were put. */
  arrange(index: ReplayIndex): void {
    this.defaults = defaultPositions([...index.nodes.values()]);
  }

  position(id: string): Point {
    return this.placed.get(id) ?? this.defaults.get(id) ?? { x: 0, y: 0 };
  }

  move(id: string, point: Point): void {
    this.placed.set(id, { x: clamp(point.x), y: clamp(point.y) });
    this.dispatchEvent(new Event('change'));
  }

  get moved(): boolean {
    return this.placed.size > 0;
  }

  reset(): void {
    this.placed.clear();
    this.dispatchEvent(new Event('change'));
  }
}

/**
 * On one ring, clients too: a client's arrows to workers are then chords that keep clear of the
 * authority, which an inner ring of clients could not promise.
 */
function defaultPositions(nodes: readonly ReplayNode[]): Map<string, Point> {
  const peers = nodes.filter((node) => node.id !== AUTHORITY_NODE)
    .sort((a, b) => a.first - b.first || a.id.localeCompare(b.id));
  const positions = new Map<string, Point>([[AUTHORITY_NODE, { x: 0, y: 0 }]]);
  // Every other place moves a fifth of a step, so no two peers sit exactly across the authority
  // (their arrows would run over it).
  peers.forEach((node, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * (i + 0.25 + (i % 2) * 0.2)) / peers.length;
    positions.set(node.id, { x: RING * Math.cos(angle), y: RING * Math.sin(angle) });
  });
  return positions;
}

function clamp(value: number): number {
  return Math.max(-1, Math.min(1, value));
}
