// Hostile input on a client's link to a worker: a worker that answers its jobs with non-JSON,
// oversize or unsigned results, or with results for leases it does not hold. Each is that worker's
// failure or is ignored; the job's state is never corrupted, and an honest worker finishes the series.
import { describe, expect, it } from 'vitest';
import { generateIdentity, sign, type Identity } from '../../src/protocol/identity.ts';
import { resultMessage } from '../../src/protocol/protocols/points.ts';
import { MAX_JOB_DATA_BYTES } from '../../src/protocol/protocols/peer-common.ts';
import type { ClientLink } from '../../src/peer/farm/job-service.ts';
import { crew, farm, range, worker, workerServer, type FakeWorker } from '../helpers/fake-farm.ts';
import { until } from '../helpers/until.ts';

interface Answer { readonly value: string; readonly signer?: Identity; readonly series?: string; readonly lease?: string }

/**
 * A worker that pulls one job at a time and answers each with `answer(lease)`, signed by its own
 * key unless the answer names another signer; with `once`, it answers one job and goes quiet.
 */
async function rogue(answer: (lease: string, identity: Identity) => Answer, once = false): Promise<FakeWorker & { answered: number }> {
  const identity = await generateIdentity();
  const state = { identity, ran: [] as number[], answered: 0 };
  const server = workerServer((handler: ClientLink) => ({
    series: ({ series }) => {
      queueMicrotask(() => handler.send('pull', { series, count: 1 }));
      return ['key', { series, key: identity.publicKey }];
    },
    job: async ({ series, lease, input }) => {
      state.ran.push(JSON.parse(input) as number);
      const made = answer(lease, identity);
      const [s, l] = [made.series ?? series, made.lease ?? lease];
      const signature = await sign(made.signer ?? identity, resultMessage(s, l, made.value));
      handler.sendAny('result', { series: s, lease: l, value: made.value, signature });
      state.answered += 1;
      if (!once) handler.send('pull', { series, count: 1 });
    },
    cancel: () => undefined,
    end: () => undefined,
  }));
  return Object.assign(state, { server });
}

describe('a worker that returns', () => {
  it('non-JSON results: each counts as its failure, no job is marked done without a result, an honest worker does them', async () => {
    const bad = await rogue(() => ({ value: '{not json' }));
    const { workers, ids } = await crew([['bad', Promise.resolve(bad)], ['honest', worker((x) => x * 10)]]);
    const result = await farm(workers, { inputs: range(30), poisonAfter: 30 }).run();
    expect(result.results).toEqual(range(30).map((x) => x * 10));
    expect(result.jobs.every((job) => job.state === 'done' && job.doneBy === ids['honest'])).toBe(true);
    const stats = result.workers.find((w) => w.id === ids['bad'])!;
    expect(stats.done).toBe(0);
    expect(stats.failed).toBe(bad.answered);
  });

  it('unsigned results (signed by another key): each counts as its failure', async () => {
    const stranger = await generateIdentity();
    const bad = await rogue(() => ({ value: '666', signer: stranger }));
    const { workers, ids } = await crew([['bad', Promise.resolve(bad)], ['honest', worker((x) => x + 1)]]);
    const result = await farm(workers, { inputs: range(20), poisonAfter: 20 }).run();
    expect(result.results).toEqual(range(20).map((x) => x + 1));
    expect(result.workers.find((w) => w.id === ids['bad'])).toMatchObject({ done: 0, failed: bad.answered });
  });

  it('results for leases it does not hold, or for another series: ignored, they change nothing', async () => {
    const bad = await rogue((lease) => ({ value: '666', lease: `${lease}x` }), true);
    const other = await rogue(() => ({ value: '667', series: 'series-2' }), true);
    const { workers, ids } = await crew([['bad', Promise.resolve(bad)], ['other', Promise.resolve(other)], ['honest', worker((x) => x)]]);
    const { foreman, run } = farm(workers, { inputs: range(10), leaseMs: 60_000 });
    const running = run();
    // The rogues hold one lease each that they never answer: the honest worker does the rest.
    await until(() => bad.answered === 1 && other.answered === 1 && foreman.queue.jobs.filter((job) => job.state === 'done').length === 8);
    expect(foreman.queue.jobs.filter((job) => job.state === 'done').every((job) => job.doneBy === ids['honest'])).toBe(true);
    expect(foreman.workers.get(ids['bad']!)).toMatchObject({ done: 0, failed: 0 });
    expect(foreman.workers.get(ids['other']!)).toMatchObject({ done: 0, failed: 0 });
    foreman.abort('test over');
    await expect(running).rejects.toThrow('test over');
  });

  it('an oversize result: refused on the link before it is read, the job goes to an honest worker when the lease runs out', async () => {
    let now = 1_000_000;
    const huge = JSON.stringify('x'.repeat(MAX_JOB_DATA_BYTES + 100));
    const bad = await rogue(() => ({ value: huge }), true);
    const { workers, ids } = await crew([['bad', Promise.resolve(bad)], ['honest', worker((x) => x)]]);
    const { foreman, run } = farm(workers, { inputs: range(40), leaseMs: 5_000 }, { clock: () => now });
    const running = run();
    await until(() => bad.answered >= 1);
    now += 60_000; // the bad worker's leases run out (the foreman checks leases on a timer)
    const result = await running;
    expect(result.results).toEqual(range(40));
    expect(result.jobs.every((job) => job.doneBy === ids['honest'])).toBe(true);
    expect(foreman.workers.get(ids['bad']!)!.done).toBe(0);
  });
});
