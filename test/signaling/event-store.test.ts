// The authority's event store: kept in time order however late events arrive, pages found by
// binary search, the oldest dropped when full; checked against a plain sorted reference.
import { describe, expect, it } from 'vitest';
import { EventStore, MAX_EVENTS_PER_PAGE, MAX_STORED_EVENTS, SIGNAL_EVENTS_BURST, SIGNAL_EVENTS_PER_S } from '../../signaling/event-store.ts';
import type { NetEvent } from '../../src/protocol/events.ts';
import { prng } from '../helpers/prng.ts';

const event = (t: number, text = String(t)): NetEvent => ({ t, node: 'n', kind: 'in', text });
const times = (events: readonly NetEvent[]) => events.map((e) => e.t);

describe('EventStore', () => {
  it('places a late event among the recent ones and one far back before the next read', () => {
    const store = new EventStore();
    for (let t = 0; t < 10_000; t++) store.add(event(t * 10));
    store.add(event(99_975)); // a few places back: spliced in
    store.add(event(5)); // 10,000 places back: merged before the next read
    const all = store.all();
    expect(all).toHaveLength(10_002);
    expect(times(all).every((t, i) => i === 0 || t >= all[i - 1]!.t)).toBe(true);
    expect(times(store.page(0, 3))).toEqual([0, 5, 10]);
    expect(times(store.page(99_970, 10))).toEqual([99_970, 99_975, 99_980, 99_990]);
  });

  it('keeps events of the same time in their order of arrival', () => {
    const store = new EventStore();
    for (const text of ['a', 'b']) store.add(event(100, text));
    store.add(event(200, 'c'));
    store.add(event(100, 'd'));
    expect(store.all().map((e) => e.text)).toEqual(['a', 'b', 'd', 'c']);
  });

  it('serves a page from the first event at or after since, bounded by limit and MAX_EVENTS_PER_PAGE', () => {
    const store = new EventStore();
    for (let t = 0; t < MAX_EVENTS_PER_PAGE + 5000; t++) store.add(event(t));
    expect(times(store.page(7.5, 3))).toEqual([8, 9, 10]);
    expect(store.page(0, Number.MAX_SAFE_INTEGER)).toHaveLength(MAX_EVENTS_PER_PAGE);
    expect(store.page(MAX_EVENTS_PER_PAGE + 5000, 10)).toEqual([]);
  });

  it('gives a copy to read while events keep arriving', () => {
    const store = new EventStore();
    store.add(event(1));
    const snapshot = store.all();
    store.add(event(2));
    expect(times(snapshot)).toEqual([1]);
  });

  it('bounds what late events hold before a read: a clock far behind cannot grow the store', () => {
    const store = new EventStore(10_000);
    for (let t = 0; t < 10_000; t++) store.add(event(1_000_000 + t));
    let largest = 0;
    for (let t = 0; t < 50_000; t++) {
      store.add(event(t));
      largest = Math.max(largest, store.size);
    }
    expect(largest).toBeLessThanOrEqual(20_001);
    expect(times(store.all())).toEqual(Array.from({ length: 10_000 }, (_, t) => 1_000_000 + t));
    expect(store.dropped).toBe(50_000);
  });

  it('keeps the newest `capacity` events and counts the dropped ones, with late events mixed in', () => {
    const random = prng(7);
    const capacity = 5000;
    const store = new EventStore(capacity);
    const reference: NetEvent[] = [];
    let clock = 0;
    for (let i = 0; i < 40_000; i++) {
      clock += 1;
      // Mostly in order, some a little late, a few from a clock far behind (distinct times: t.i).
      const roll = random();
      const lateness = roll < 0.8 ? 0 : roll < 0.98 ? Math.floor(random() * 50) : Math.floor(random() * 30_000);
      const late = event(clock - lateness + i / 100_000);
      store.add(late);
      reference.push(late);
      if (i % 7919 === 0) expect(store.page(clock - 100, 50)).toEqual(expected(reference, capacity, clock - 100, 50));
    }
    expect(store.all()).toEqual(expected(reference, capacity, -Infinity, Infinity));
    expect(store.size).toBe(capacity);
    expect(store.dropped).toBe(40_000 - capacity);
  });

  it('records relayed signals up to a burst and a rate, and counts the rest', () => {
    let nowMs = 0;
    const store = new EventStore(MAX_STORED_EVENTS, () => nowMs);
    const burst = Array.from({ length: SIGNAL_EVENTS_BURST + 500 }, () => store.recordsSignal());
    expect(burst.filter(Boolean)).toHaveLength(SIGNAL_EVENTS_BURST);
    expect(store.unrecordedSignals).toBe(500);
    nowMs += 10_000;
    const later = Array.from({ length: 1000 }, () => store.recordsSignal());
    expect(later.filter(Boolean)).toHaveLength(10 * SIGNAL_EVENTS_PER_S);
    expect(store.unrecordedSignals).toBe(500 + 1000 - 10 * SIGNAL_EVENTS_PER_S);
  });
});

function expected(reference: readonly NetEvent[], capacity: number, since: number, limit: number): NetEvent[] {
  const kept = [...reference].sort((a, b) => a.t - b.t).slice(-capacity);
  return kept.filter((e) => e.t >= since).slice(0, Math.min(limit, MAX_EVENTS_PER_PAGE));
}
