// The replay's index over the network events (DESIGN.md section 6), built once per load so that
// every frame is a few binary searches: the nodes and their lifetimes, the messages (both halves
// paired), the links that were open, each worker's overlay over time, the distinct event times
// `<` and `>` step between, and the errors.
import type { NetEvent } from '../../protocol/events.ts';
import { pairMessages, type ReplayMessage } from './replay-pairing.ts';

export type { ReplayMessage } from './replay-pairing.ts';

export const AUTHORITY_NODE = 'authority';

export type NodeKind = 'authority' | 'worker' | 'client';

export interface ReplayNode {
  readonly id: string;
  readonly kind: NodeKind;
  /** Its first and last event (the end of the replay if still joined): it is drawn in between. */
  readonly first: number;
  readonly last: number;
}

/** A link (WebRTC or the authority's WebSocket) open from `open` to `close`. */
export interface ReplayLink {
  readonly a: string;
  readonly b: string;
  readonly open: number;
  readonly close: number;
}

/** A node's overlay neighbours as it reported them, oldest first. */
export interface OverlayTimeline {
  readonly times: number[];
  readonly ids: (readonly string[])[];
}

export interface ReplayError {
  readonly t: number;
  readonly node: string;
  readonly peer: string | undefined;
  readonly text: string;
}

export interface ReplayIndex {
  readonly start: number;
  readonly end: number;
  readonly eventCount: number;
  /** Every distinct event time, ascending. */
  readonly times: Float64Array;
  readonly nodes: ReadonlyMap<string, ReplayNode>;
  /** Sorted by `sent`; `sentTimes[i]` is `messages[i].sent`, for binary search. */
  readonly messages: readonly ReplayMessage[];
  readonly sentTimes: Float64Array;
  readonly links: readonly ReplayLink[];
  readonly overlays: ReadonlyMap<string, OverlayTimeline>;
  /** When some node's overlay changed, ascending, for the rings. */
  readonly overlayChanges: readonly { readonly t: number; readonly node: string }[];
  readonly errors: readonly ReplayError[];
}

const PEER_ID = /^[0-9a-f]{32}$/;
const AUTHORITY_URL = /^wss?:\/\//;
/** How an authority names another of its federation in its events (signaling/federation). */
const FEDERATED_AUTHORITY = /^authority-[0-9a-f]{8}$/;

/** The node at the other end of an event: a tab names the authority by its URL. */
export function endpointOf(peer: string | undefined): string | undefined {
  if (peer === undefined) return undefined;
  if (AUTHORITY_URL.test(peer) || peer === AUTHORITY_NODE) return AUTHORITY_NODE;
  return PEER_ID.test(peer) || FEDERATED_AUTHORITY.test(peer) ? peer : undefined;
}

/**
 * `roles` (from /api/peers) names the nodes still joined, which live to the end of the replay, and
 * their kind; the kind of the others is told by their traffic.
 */
export function buildReplayIndex(events: readonly NetEvent[], roles: ReadonlyMap<string, 'worker' | 'client'> = new Map()): ReplayIndex {
  const sorted = isSorted(events) ? events : [...events].sort((a, b) => a.t - b.t);
  const messages = pairMessages(sorted, endpointOf, AUTHORITY_NODE);
  return {
    start: sorted[0]?.t ?? 0,
    end: sorted.at(-1)?.t ?? 0,
    eventCount: sorted.length,
    times: distinctTimes(sorted),
    nodes: collectNodes(sorted, roles, sorted.at(-1)?.t ?? 0),
    messages,
    sentTimes: Float64Array.from(messages, (message) => message.sent),
    links: collectLinks(sorted),
    ...collectOverlays(sorted),
    errors: sorted.filter((event) => event.result === 'exception').map((event) => ({
      t: event.t, node: event.node, peer: endpointOf(event.peer), text: event.text ?? '',
    })),
  };
}

/** The first index in `sorted` whose value is greater than `value` (or the length). */
export function upperBound(sorted: ArrayLike<number>, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The first index in `sorted` whose value is at least `value` (or the length). */
export function lowerBound(sorted: ArrayLike<number>, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

function isSorted(events: readonly NetEvent[]): boolean {
  for (let i = 1; i < events.length; i++) if (events[i]!.t < events[i - 1]!.t) return false;
  return true;
}

function distinctTimes(events: readonly NetEvent[]): Float64Array {
  const times: number[] = [];
  for (const event of events) if (times.at(-1) !== event.t) times.push(event.t);
  return Float64Array.from(times);
}

function collectNodes(events: readonly NetEvent[], roles: ReadonlyMap<string, 'worker' | 'client'>, end: number): Map<string, ReplayNode> {
  const spans = new Map<string, { first: number; last: number }>();
  const clients = new Set<string>();
  const workers = new Set<string>();
  const seen = (id: string, t: number) => {
    const span = spans.get(id);
    if (span) span.last = t;
    else spans.set(id, { first: t, last: t });
  };
  for (const event of events) {
    seen(event.node, event.t);
    const other = endpointOf(event.peer);
    if (other) seen(other, event.t);
    const kind = kindFromTraffic(event);
    if (kind === 'client') clients.add(event.node);
    if (kind === 'worker') workers.add(event.node);
  }
  const nodes = new Map<string, ReplayNode>();
  for (const [id, span] of spans) {
    const kind: NodeKind = id === AUTHORITY_NODE || FEDERATED_AUTHORITY.test(id) ? 'authority'
      : roles.get(id) ?? (clients.has(id) && !workers.has(id) ? 'client' : 'worker');
    const joined = id === AUTHORITY_NODE || roles.has(id);
    nodes.set(id, { id, kind, first: span.first, last: joined ? end : span.last });
  }
  return nodes;
}

/** What a tab's own events say about its role: clients farm and pay, workers listen and choose peers. */
function kindFromTraffic(event: NetEvent): 'worker' | 'client' | undefined {
  if (event.node === AUTHORITY_NODE) return undefined;
  if (event.kind === 'job' || event.kind === 'transfer') return 'client';
  if (event.kind === 'overlay') return 'worker';
  if (event.kind !== 'out' || endpointOf(event.peer) !== AUTHORITY_NODE) return undefined;
  const text = event.text ?? '';
  if (/^protocol \S*authority<-client\//.test(text)) return 'client';
  if (/^protocol \S*authority<-worker\//.test(text) || text === 'listening') return 'worker';
  return undefined;
}

function collectLinks(events: readonly NetEvent[]): ReplayLink[] {
  const open = new Map<string, { a: string; b: string; open: number }>();
  const lastSeen = new Map<string, number>();
  const links: ReplayLink[] = [];
  for (const event of events) {
    lastSeen.set(event.node, event.t);
    if (event.kind !== 'open' && event.kind !== 'close') continue;
    const other = endpointOf(event.peer);
    if (!other) continue;
    const name = `${event.node} ${other}`;
    const started = open.get(name);
    if (started) {
      // A second `open` without a `close` (a redial) ends the first interval there.
      links.push({ ...started, close: event.t });
      open.delete(name);
    }
    if (event.kind === 'open') open.set(name, { a: event.node, b: other, open: event.t });
  }
  for (const started of open.values()) links.push({ ...started, close: lastSeen.get(started.a) ?? started.open });
  return links.sort((a, b) => a.open - b.open);
}

function collectOverlays(events: readonly NetEvent[]): Pick<ReplayIndex, 'overlays' | 'overlayChanges'> {
  const overlays = new Map<string, { times: number[]; ids: (readonly string[])[] }>();
  const overlayChanges: { t: number; node: string }[] = [];
  for (const event of events) {
    if (event.kind !== 'overlay') continue;
    const ids = event.ids ?? [];
    let timeline = overlays.get(event.node);
    if (!timeline) overlays.set(event.node, timeline = { times: [], ids: [] });
    const before = timeline.ids.at(-1);
    timeline.times.push(event.t);
    timeline.ids.push(ids);
    if (!before || !sameSet(before, ids)) overlayChanges.push({ t: event.t, node: event.node });
  }
  return { overlays, overlayChanges };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((id) => set.has(id));
}
