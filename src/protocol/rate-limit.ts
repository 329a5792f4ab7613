// A token bucket per link: a peer may send short bursts, but not a sustained flood.

/**
 * Sustained commands per second one link may send. A farming client sends at most two points
 * batches per 10 ms window (src/peer/points-client.ts); signaling an ICE trickle stays far below.
 */
export const LINK_COMMANDS_PER_S = 200;
/** Burst allowance: a join, a full candidate trickle and a few batches arrive at once. */
export const LINK_BURST_COMMANDS = 400;

export class RateLimiter {
  private tokens: number;
  private updatedMs: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number,
  ) {
    this.tokens = burst;
    this.updatedMs = now();
  }

  /** Takes one token; false means the caller is over its rate. */
  take(): boolean {
    const nowMs = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.updatedMs) / 1000) * this.perSecond);
    this.updatedMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
