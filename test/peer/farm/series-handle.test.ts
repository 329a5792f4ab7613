import { describe, expect, it, vi } from 'vitest';
import type { SeriesResult } from '../../../src/peer/farm/foreman.ts';
import { SeriesHandle, type ResultEvent, type SeriesStatus } from '../../../src/peer/farm/series-handle.ts';

function handle(status: Partial<SeriesStatus> = {}) {
  let cancelled = 0;
  const made = new SeriesHandle({
    status: () => ({ total: 3, distributed: 0, computed: 0, failed: 0, ...status }),
    cancel: () => (cancelled += 1),
  });
  return { handle: made, cancelled: () => cancelled };
}

const result = (results: unknown[]): SeriesResult => ({ results, jobs: [], workers: [], paid: 0 });
const event = (index: number, value: unknown): ResultEvent => ({ index, value, worker: 'w' });

describe('the series handle', () => {
  it('is the promise of the series: await, then and catch work as before', async () => {
    const { handle: done } = handle();
    done.finish({ result: result([1, 2]) });
    expect(done).toBeInstanceOf(Promise);
    expect((await done).results).toEqual([1, 2]);
    expect(await done.then((r) => r.results.length)).toBe(2);
    const { handle: failed } = handle();
    failed.finish({ error: new Error('no bid fits') });
    await expect(failed).rejects.toThrow('no bid fits');
    expect(await failed.catch((error: Error) => error.message)).toBe('no bid fits');
  });

  it('streams results in the order decided, to listeners and iterators, and a late one misses none', async () => {
    const { handle: series } = handle();
    const early: number[] = [];
    series.on('result', (e) => early.push(e.index));
    const iterated = (async () => {
      const seen: number[] = [];
      for await (const e of series) seen.push(e.index);
      return seen;
    })();
    series.push(event(2, 'c'));
    series.push(event(0, 'a'));
    const late: number[] = [];
    series.on('result', (e) => late.push(e.index));
    series.push(event(1, 'b'));
    expect(series.results).toBeUndefined();
    series.finish({ result: result(['a', 'b', 'c']) });
    expect(await iterated).toEqual([2, 0, 1]);
    expect(early).toEqual([2, 0, 1]);
    expect(late).toEqual([2, 0, 1]);
    expect(series.results).toEqual(['a', 'b', 'c']);
    const after: number[] = [];
    for await (const e of series) after.push(e.index);
    expect(after).toEqual([2, 0, 1]);
  });

  it('ends its iterators with the error when the series fails, after the results it had', async () => {
    const { handle: series } = handle();
    series.push(event(0, 'a'));
    const seen: number[] = [];
    const iterated = (async () => {
      for await (const e of series) seen.push(e.index);
    })();
    series.finish({ error: new Error('cancelled by the person') });
    await expect(iterated).rejects.toThrow('cancelled by the person');
    expect(seen).toEqual([0]);
    await expect(series).rejects.toThrow('cancelled by the person');
  });

  it('stops a listener that unsubscribes, survives one that throws, and passes cancel and status through', async () => {
    const { handle: series, cancelled } = handle({ computed: 1 });
    const seen: number[] = [];
    const stop = series.on('result', (e) => seen.push(e.index));
    // reportError where the runtime has it (browsers), console.error where not (Node 20).
    const errors: unknown[] = [];
    const onError = (error: unknown) => errors.push(error);
    process.on('uncaughtException', onError);
    const logged = vi.spyOn(console, 'error').mockImplementation((error: unknown) => errors.push(error));
    try {
      series.on('result', () => {
        throw new Error('listener bug');
      });
      series.push(event(0, 'a'));
      stop();
      series.push(event(1, 'b'));
    } finally {
      await new Promise((resolve) => setImmediate(resolve));
      process.off('uncaughtException', onError);
      logged.mockRestore();
    }
    expect(seen).toEqual([0]);
    expect(errors.map((error) => (error as Error).message)).toEqual(['listener bug', 'listener bug']);
    expect(series.status).toEqual({ total: 3, distributed: 0, computed: 1, failed: 0 });
    series.cancel();
    expect(cancelled()).toBe(1);
    expect(() => series.on('done' as 'result', () => undefined)).toThrow(TypeError);
  });
});
