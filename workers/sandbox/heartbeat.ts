// The page's watch on its sandbox frame while runs are in flight. The frame runs in a renderer
// process of its own; when a job exhausts that process's memory the process dies and nothing tells
// the page (no MessagePort 'close', no event on the iframe element), and comlink calls then never
// answer. So the page pings the frame (plain messages, not comlink) and counts silence.

/** How often a watched frame is pinged. */
export const SANDBOX_PING_INTERVAL_MS = 1_000;

/**
 * Silence after which a watched frame counts as dead. The frame's main thread only relays (jobs run
 * in its workers) and answers a ping within milliseconds, but on a loaded 2-core machine a renderer
 * can go unscheduled for a few seconds; 10 s keeps such a frame alive and bounds how long the runs
 * of a crashed one wait (an out-of-memory job kills its process ~4 s after it starts, measured).
 */
export const SANDBOX_SILENCE_LIMIT_MS = 10_000;

/**
 * Ticks of the page's own timer that must pass after a ping before its silence counts. If the page
 * itself was frozen (a long task, a throttled background timer), the frame's answer may be queued
 * behind the tick that would judge it: only a second tick comes after that answer for sure.
 */
const TICKS_BEFORE_JUDGING = 2;

export interface HeartbeatDeps {
  /** Sends a ping carrying `seq`; the frame's answer goes to `Heartbeat.answered(seq)`. */
  ping: (seq: number) => void;
  /** Called once when a ping stays unanswered too long; the heartbeat is stopped by then. */
  onSilent: () => void;
  now?: () => number;
  intervalMs?: number;
  silenceLimitMs?: number;
}

export interface Heartbeat {
  /** Starts pinging (no-op when already started). */
  start(): void;
  /**
   * Stops pinging. An unanswered ping stays counted (its answer may still come): otherwise runs
   * that end faster than the silence limit, e.g. by their own time limit, would keep restarting
   * the count and a dead frame would never be noticed.
   */
  stop(): void;
  answered(seq: number): void;
  readonly running: boolean;
}

export function createHeartbeat(deps: HeartbeatDeps): Heartbeat {
  const now = deps.now ?? (() => performance.now());
  const intervalMs = deps.intervalMs ?? SANDBOX_PING_INTERVAL_MS;
  const silenceLimitMs = deps.silenceLimitMs ?? SANDBOX_SILENCE_LIMIT_MS;
  let timer: ReturnType<typeof setInterval> | undefined;
  let seq = 0;
  let unanswered: { seq: number; sentMs: number; ticks: number } | undefined;

  const stop = () => {
    clearInterval(timer);
    timer = undefined;
  };
  const tick = () => {
    if (unanswered === undefined) {
      seq += 1;
      unanswered = { seq, sentMs: now(), ticks: 0 };
      deps.ping(seq);
      return;
    }
    unanswered.ticks += 1;
    if (unanswered.ticks >= TICKS_BEFORE_JUDGING && now() - unanswered.sentMs >= silenceLimitMs) {
      stop();
      deps.onSilent();
    }
  };
  return {
    start: () => {
      if (timer !== undefined) return;
      timer = setInterval(tick, intervalMs);
      // Only the interval judges a ping (TICKS_BEFORE_JUDGING counts its ticks); a start just pings.
      if (unanswered === undefined) tick();
    },
    stop,
    answered: (answeredSeq) => {
      if (unanswered?.seq === answeredSeq) unanswered = undefined;
    },
    get running() {
      return timer !== undefined;
    },
  };
}
