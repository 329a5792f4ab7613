// The authority's store of network events (its own and those its peers ship): kept sorted by
// time, oldest dropped first when full, served as JSON pages and as an NDJSON download for the
// admin replay. Events mostly arrive in time order: each is placed by a binary search from the
// end; one far out of order waits in a side list merged in before the next read, so a peer with
// a wrong clock costs one merge per read, not a move of the whole store per event.
import type { NetEvent } from '../src/protocol/events.ts';
import { RateLimiter } from '../src/protocol/rate-limit.ts';

/** Enough for a long demo of 50 peers; at ~200 bytes an event this is ~40 MB at most. */
export const MAX_STORED_EVENTS = 200_000;
/** One /api/events page holds at most this many events (~4 MB of JSON, ~10 ms to write). */
export const MAX_EVENTS_PER_PAGE = 20_000;
/**
 * A late event is spliced into place when at most this many newer events follow it (a batch
 * shipped 2 s late by a busy network); further back, it waits for the next merge.
 */
const MAX_SPLICE_DISTANCE = 4096;
/**
 * Relayed `signal`s recorded at most, per second over time and in one burst (each relay is two
 * frames, in and out). A demo's whole overlay signaling (50 peers x 4 links x ~10 frames) is kept;
 * under a relay load of thousands a second the rest are counted, not stored, so they cost neither
 * the store's memory nor two events per relay (docs/BENCHMARKS.md, authority-load).
 */
export const SIGNAL_EVENTS_PER_S = 20;
export const SIGNAL_EVENTS_BURST = 4000;
/** Late events held before a merge is forced, and the dropping slack past capacity (amortises the merge). */
const MAX_LATE_EVENTS = 10_000;

export class EventStore {
  /** Sorted by `t`; `events[head]` is the oldest kept, those before it are dropped. */
  private events: NetEvent[] = [];
  private head = 0;
  /** Events older than MAX_SPLICE_DISTANCE places from the end, not yet merged. */
  private late: NetEvent[] = [];
  /** Events dropped because the store was full. */
  dropped = 0;
  /** Relayed signals not recorded: over SIGNAL_EVENTS_PER_S. */
  unrecordedSignals = 0;
  private readonly signalBudget: RateLimiter;

  constructor(private readonly capacity = MAX_STORED_EVENTS, clock: () => number = Date.now) {
    this.signalBudget = new RateLimiter(SIGNAL_EVENTS_PER_S, SIGNAL_EVENTS_BURST, clock);
  }

  get size(): number {
    return this.events.length - this.head + this.late.length;
  }

  add(event: NetEvent): void {
    const last = this.events.at(-1);
    if (last === undefined || event.t >= last.t || this.events.length === this.head) {
      this.events.push(event);
    } else {
      const at = this.firstAfter(event.t);
      if (this.events.length - at <= MAX_SPLICE_DISTANCE) this.events.splice(at, 0, event);
      else this.late.push(event);
    }
    if (this.late.length > MAX_LATE_EVENTS) this.merge();
    this.trim();
  }

  /** Whether the event of a relayed signal may be recorded now; one that may not is only counted. */
  recordsSignal(): boolean {
    if (this.signalBudget.take()) return true;
    this.unrecordedSignals++;
    return false;
  }

  /** Events with t >= sinceMs, oldest first, at most `limit` (and MAX_EVENTS_PER_PAGE). */
  page(sinceMs: number, limit: number): NetEvent[] {
    this.merge();
    const from = this.firstAtOrAfter(sinceMs);
    return this.events.slice(from, from + Math.min(limit, MAX_EVENTS_PER_PAGE));
  }

  /** Every stored event, oldest first: a copy, so a download may stream it while events arrive. */
  all(): NetEvent[] {
    this.merge();
    return this.events.slice(this.head);
  }

  private merge(): void {
    if (this.late.length === 0) return;
    const late = this.late.sort((a, b) => a.t - b.t);
    this.late = [];
    const merged: NetEvent[] = new Array<NetEvent>(this.events.length - this.head + late.length);
    let i = this.head;
    let j = 0;
    for (let k = 0; k < merged.length; k++) {
      merged[k] = j >= late.length || (i < this.events.length && this.events[i]!.t <= late[j]!.t) ? this.events[i++]! : late[j++]!;
    }
    this.events = merged;
    this.head = 0;
    this.trim();
  }

  /** Drops the oldest past capacity; late events are merged first once they make the excess large. */
  private trim(): void {
    const excess = this.size - this.capacity;
    if (excess <= 0) return;
    if (this.late.length > 0) {
      if (excess > MAX_LATE_EVENTS) this.merge();
      return;
    }
    this.head += excess;
    this.dropped += excess;
    // Compact now and then: the dropped prefix is released in one copy, not one shift per event.
    if (this.head >= Math.max(1024, this.capacity >> 2)) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
  }

  /** Index of the first kept event with t > tMs (binary search). */
  private firstAfter(tMs: number): number {
    let low = this.head;
    let high = this.events.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.events[mid]!.t <= tMs) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Index of the first kept event with t >= tMs (binary search). */
  private firstAtOrAfter(tMs: number): number {
    let low = this.head;
    let high = this.events.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.events[mid]!.t < tMs) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
