// The page's heartbeat on its sandbox frame (workers/sandbox/heartbeat.ts), on fake timers and a
// clock the test moves: when it pings, what keeps a frame alive, and when silence means dead.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHeartbeat, type Heartbeat } from '../../workers/sandbox/heartbeat.ts';

const INTERVAL_MS = 1_000;
const LIMIT_MS = 10_000;

let clockMs: number;
let pings: number[];
let silent: number;
let heartbeat: Heartbeat;

/** Moves the clock and fires the interval ticks that fall due, as a page that is not frozen does. */
function pass(ms: number): void {
  for (let left = ms; left > 0; left -= INTERVAL_MS) {
    clockMs += Math.min(INTERVAL_MS, left);
    vi.advanceTimersByTime(Math.min(INTERVAL_MS, left));
  }
}

beforeEach(() => {
  vi.useFakeTimers();
  clockMs = 0;
  pings = [];
  silent = 0;
  heartbeat = createHeartbeat({
    ping: (seq) => pings.push(seq),
    onSilent: () => (silent += 1),
    now: () => clockMs,
    intervalMs: INTERVAL_MS,
    silenceLimitMs: LIMIT_MS,
  });
});

afterEach(() => {
  heartbeat.stop();
  vi.useRealTimers();
});

describe('sandbox heartbeat', () => {
  it('pings at once when started, then once per interval while each ping is answered', () => {
    heartbeat.start();
    expect(pings).toEqual([1]);
    for (let i = 0; i < 30; i++) {
      heartbeat.answered(pings.at(-1)!);
      pass(INTERVAL_MS);
    }
    expect(pings).toHaveLength(31);
    expect(silent).toBe(0);
  });

  it('reports a frame silent for the limit once, and stops', () => {
    heartbeat.start();
    pass(LIMIT_MS - INTERVAL_MS);
    expect(silent).toBe(0);
    pass(INTERVAL_MS);
    expect(silent).toBe(1);
    expect(heartbeat.running).toBe(false);
    pass(5 * LIMIT_MS);
    expect([silent, pings]).toEqual([1, [1]]);
  });

  it('ignores an answer to another ping', () => {
    heartbeat.start();
    heartbeat.answered(99);
    pass(LIMIT_MS);
    expect(silent).toBe(1);
  });

  it('sends no ping while stopped, but keeps counting an unanswered one across stop and start', () => {
    heartbeat.start();
    heartbeat.stop();
    pass(3 * LIMIT_MS);
    expect(pings).toEqual([1]);
    // Runs that start and end within the limit must not hide a dead frame by restarting the count.
    heartbeat.start();
    expect(pings).toEqual([1]);
    pass(2 * INTERVAL_MS);
    expect(silent).toBe(1);
  });

  it('does not judge a ping on the first tick after the page itself was frozen', () => {
    heartbeat.start();
    clockMs += 3 * LIMIT_MS; // the page's own thread was blocked: no tick ran meanwhile
    vi.advanceTimersByTime(INTERVAL_MS);
    expect(silent).toBe(0);
    heartbeat.answered(1); // the answer that was queued behind the tick
    pass(INTERVAL_MS);
    expect([silent, pings]).toEqual([0, [1, 2]]);
  });
});
