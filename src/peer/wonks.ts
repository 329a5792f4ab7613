// Wonks: this tab's speed, from the benchmark in workers/wonks.worker.ts (µs, lower is faster),
// sampled at join and again every wonks_time_between_checks; the latest sample goes into bids.
import { wrap, type Remote } from 'comlink';
import type { WonksApi } from '../../workers/wonks.worker.ts';

/** What a bid says before the first sample is in (the original's `bogus 1000000`). */
export const UNKNOWN_WONKS = 1_000_000;

/** Runs the benchmark once in a fresh Web Worker and ends the worker. */
export async function measureWonks(): Promise<number> {
  const worker = new Worker(new URL('../../workers/wonks.worker.ts', import.meta.url), { type: 'module' });
  try {
    const api: Remote<WonksApi> = wrap<WonksApi>(worker);
    return await api.measure();
  } finally {
    worker.terminate();
  }
}
