// The authority's store of network events (its own and those its peers ship): a bounded ring,
// oldest dropped first, served as JSON pages and as an NDJSON download for the admin replay.
import type { NetEvent } from '../src/protocol/events.ts';

/** Enough for a long demo of 50 peers; at ~200 bytes an event this is ~40 MB at most. */
export const MAX_STORED_EVENTS = 200_000;
/** One /api/events page holds at most this many events. */
export const MAX_EVENTS_PER_PAGE = 20_000;

export class EventStore {
  private events: NetEvent[] = [];
  /** Events dropped because the store was full. */
  dropped = 0;

  constructor(private readonly capacity = MAX_STORED_EVENTS) {}

  get size(): number {
    return this.events.length;
  }

  add(event: NetEvent): void {
    this.events.push(event);
    if (this.events.length > this.capacity * 1.1) this.trim();
  }

  /** Events with t >= sinceMs, oldest first (by recording time). */
  page(sinceMs: number, limit: number): NetEvent[] {
    this.trim();
    return this.sorted().filter((event) => event.t >= sinceMs).slice(0, Math.min(limit, MAX_EVENTS_PER_PAGE));
  }

  all(): NetEvent[] {
    this.trim();
    return this.sorted();
  }

  // Batches arrive late and clocks differ a little: sort when read, not on every write.
  private sorted(): NetEvent[] {
    this.events.sort((a, b) => a.t - b.t);
    return this.events;
  }

  private trim(): void {
    const excess = this.events.length - this.capacity;
    if (excess <= 0) return;
    this.sorted();
    this.events = this.events.slice(excess);
    this.dropped += excess;
  }
}
