// Network events (DESIGN.md section 6): what every authority, worker and client records, ships to
// its authority in batches, and the admin page replays. Shared by tabs and the authority.
import type { LogEvent } from './handler.ts';

export const EVENT_KINDS = ['open', 'close', 'in', 'out', 'overlay', 'job', 'transfer'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** A command line is cut to this in an event: enough to read it in the replay. */
export const EVENT_TEXT_CHARS = 300;
/** Neighbour ids an `overlay` event lists at most. */
const EVENT_MAX_IDS = 64;

export interface NetEvent {
  /** Milliseconds since 1970 on the recording node's clock. */
  readonly t: number;
  /** Who recorded it: a peer id, or `authority`. */
  readonly node: string;
  readonly kind: EventKind;
  /** The other end: a peer id, an address, or an authority URL. */
  readonly peer?: string;
  readonly text?: string;
  readonly result?: 'ok' | 'exception';
  /** For `overlay`: the neighbour ids chosen now. */
  readonly ids?: readonly string[];
}

export function fromLogEvent(node: string, event: LogEvent): NetEvent {
  return {
    t: event.t, node, kind: event.kind, peer: event.link, text: event.text.slice(0, EVENT_TEXT_CHARS),
    ...(event.result && { result: event.result }),
  };
}

/**
 * Reads an event a peer shipped as JSON. The `node` is the sender's joined id, never what the
 * JSON says, so a peer cannot write events in another's name. Malformed events are dropped.
 */
export function readEvent(json: string, node: string): NetEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { t, kind, peer, text, result, ids } = value as Record<string, unknown>;
  if (typeof t !== 'number' || !Number.isFinite(t) || !(EVENT_KINDS as readonly string[]).includes(kind as string)) return undefined;
  const event: { -readonly [K in keyof NetEvent]: NetEvent[K] } = { t, node, kind: kind as EventKind };
  if (typeof peer === 'string') event.peer = peer.slice(0, 128);
  if (typeof text === 'string') event.text = text.slice(0, EVENT_TEXT_CHARS);
  if (result === 'ok' || result === 'exception') event.result = result;
  if (Array.isArray(ids)) event.ids = ids.filter((id): id is string => typeof id === 'string').slice(0, EVENT_MAX_IDS);
  return event;
}
