// A worker's record: jobs done (posted holds), jobs rejected as invalid, and a recent valid rate
// from exponentially decayed counters (an event's weight halves every half-life).
import type { RecordRow } from './statements.ts';

/** A week: long enough to judge a tab over several sessions, short enough to forgive an old fault. */
export const DEFAULT_RECENT_HALF_LIFE_MS = 7 * 24 * 60 * 60 * 1000;

export interface WorkerRecord {
  /** Holds posted to this worker: accepted results. */
  readonly jobs: number;
  /** Holds rejected as invalid by their client. */
  readonly rejected: number;
  /** jobs / (jobs + rejected); null before the first judged job. */
  readonly valid: number | null;
  /** The same rate with each event weighted by 2^(-age / half-life); null before the first judged job. */
  readonly recent: number | null;
  /** The decayed number of judged jobs at the time asked: how much evidence `recent` stands on. */
  readonly recentWeight: number;
}

export type Verdict = 'valid' | 'invalid';

const EMPTY: RecordRow = { jobs: 0, rejected: 0, recent_valid: 0, recent_total: 0, updated_at_ms: 0 };

/** The factor by which weights shrink from `fromMs` to `toMs`; a clock going back decays nothing. */
export function decayFactor(fromMs: number, toMs: number, halfLifeMs: number): number {
  return toMs <= fromMs ? 1 : 2 ** (-(toMs - fromMs) / halfLifeMs);
}

/** The record after one more judged job at `atMs`. */
export function judge(row: RecordRow | undefined, verdict: Verdict, atMs: number, halfLifeMs: number): RecordRow {
  const before = row ?? { ...EMPTY, updated_at_ms: atMs };
  const factor = decayFactor(before.updated_at_ms, atMs, halfLifeMs);
  const valid = verdict === 'valid' ? 1 : 0;
  return {
    jobs: before.jobs + valid,
    rejected: before.rejected + 1 - valid,
    recent_valid: before.recent_valid * factor + valid,
    recent_total: before.recent_total * factor + 1,
    updated_at_ms: Math.max(before.updated_at_ms, atMs),
  };
}

/** The record as seen at `nowMs` (decay applies to the weight; the rate is a ratio and keeps). */
export function readRecord(row: RecordRow | undefined, nowMs: number, halfLifeMs: number): WorkerRecord {
  const { jobs, rejected, recent_valid, recent_total, updated_at_ms } = row ?? EMPTY;
  const judged = jobs + rejected;
  return {
    jobs,
    rejected,
    valid: judged === 0 ? null : jobs / judged,
    recent: recent_total === 0 ? null : recent_valid / recent_total,
    recentWeight: recent_total * decayFactor(updated_at_ms, nowMs, halfLifeMs),
  };
}
