// Pairs the two records of one message for the replay: the `out` event at its sender and the `in`
// event at its receiver become one arrow, from the send to the receipt. An end may be only an
// address (the authority, the "hub", logs a tab by its IP before it joins); the other half then
// names it.
import type { NetEvent } from '../../protocol/events.ts';

/** Halves further apart than this are two messages, not one (tabs' clocks differ a little). */
export const MAX_FLIGHT_MS = 5000;

export interface ReplayMessage {
  readonly from: string;
  readonly to: string;
  readonly text: string;
  /** When it was sent, or received when the send was not recorded. */
  readonly sent: number;
  /** When it was received, if that was recorded. */
  readonly received: number | undefined;
  /** Refused with an exception, or an exception reply. */
  readonly error: boolean;
}

/** An end of a message that is not a known node. */
const UNKNOWN = '*';

interface Half {
  readonly t: number;
  readonly from: string;
  readonly to: string;
  readonly text: string;
  readonly error: boolean;
  used: boolean;
}

type Queues = Map<string, Half[]>;

/**
 * One side's unmatched halves: with both ends known by exact key, and those to or from the hub also
 * by partial key (the hub's own half may lack the other end); with an unknown end by its key.
 */
interface Side {
  readonly exact: Queues;
  readonly partial: Queues;
  readonly wild: Queues;
}

const key = (from: string, to: string, text: string) => `${from}>${to}|${text}`;

/**
 * Builds the messages from `events` (sorted by time); `endpoint` maps an event's `peer` to a node
 * id, or to undefined when it is only an address; only `hub` logs others by address. Messages come
 * out sorted by `sent`.
 */
export function pairMessages(
  events: readonly NetEvent[], endpoint: (peer: string | undefined) => string | undefined, hub: string,
): ReplayMessage[] {
  const outs: Side = { exact: new Map(), partial: new Map(), wild: new Map() };
  const ins: Side = { exact: new Map(), partial: new Map(), wild: new Map() };
  const halves: Half[] = [];
  const messages: ReplayMessage[] = [];
  for (const event of events) {
    if (event.kind !== 'in' && event.kind !== 'out') continue;
    const other = endpoint(event.peer) ?? UNKNOWN;
    const text = event.text ?? '';
    const half: Half = {
      t: event.t, text, used: false,
      from: event.kind === 'out' ? event.node : other,
      to: event.kind === 'out' ? other : event.node,
      error: event.result === 'exception' || text.startsWith('exception '),
    };
    const [own, opposite] = event.kind === 'out' ? [outs, ins] : [ins, outs];
    const match = findMatch(opposite, half);
    if (match) {
      match.used = true;
      half.used = true;
      const [sent, received] = event.kind === 'out' ? [half, match] : [match, half];
      messages.push({
        from: known(sent.from, received.from), to: known(sent.to, received.to), text,
        sent: Math.min(sent.t, received.t), received: Math.max(sent.t, received.t), error: sent.error || received.error,
      });
    } else {
      store(own, half, hub);
      halves.push(half);
    }
  }
  for (const half of halves) {
    if (half.used || half.from === UNKNOWN || half.to === UNKNOWN) continue;
    messages.push({ from: half.from, to: half.to, text: half.text, sent: half.t, received: undefined, error: half.error });
  }
  return messages.sort((a, b) => a.sent - b.sent);
}

function known(a: string, b: string): string {
  return a === UNKNOWN ? b : a;
}

function findMatch(side: Side, half: Half): Half | undefined {
  const { from, to, text } = half;
  if (from === UNKNOWN) return take(side.partial.get(key(UNKNOWN, to, text)), half.t);
  if (to === UNKNOWN) return take(side.partial.get(key(from, UNKNOWN, text)), half.t);
  return take(side.exact.get(key(from, to, text)), half.t)
    ?? take(side.wild.get(key(UNKNOWN, to, text)), half.t)
    ?? take(side.wild.get(key(from, UNKNOWN, text)), half.t);
}

function store(side: Side, half: Half, hub: string): void {
  const { from, to, text } = half;
  if (from === UNKNOWN || to === UNKNOWN) return push(side.wild, key(from, to, text), half);
  push(side.exact, key(from, to, text), half);
  if (to === hub) push(side.partial, key(UNKNOWN, to, text), half);
  if (from === hub) push(side.partial, key(from, UNKNOWN, text), half);
}

function push(queues: Queues, name: string, half: Half): void {
  const queue = queues.get(name);
  if (queue) queue.push(half);
  else queues.set(name, [half]);
}

/** The oldest unused half still close enough in time; used and stale ones are dropped on the way. */
function take(queue: Half[] | undefined, t: number): Half | undefined {
  while (queue && queue.length > 0) {
    const head = queue[0]!;
    if (!head.used && t - head.t <= MAX_FLIGHT_MS) return head;
    queue.shift();
  }
  return undefined;
}
