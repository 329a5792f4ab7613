import { describe, expect, it } from 'vitest';
import { generateIdentity } from '../../../src/protocol/identity.ts';
import { crew, farm, range, worker } from '../../helpers/fake-farm.ts';
import { memoryPair } from '../../../src/net/memory-link.ts';
import { openWorkerLink } from '../../../src/peer/farm/worker-link.ts';
import type { WorkerReplies } from '../../../src/peer/farm/foreman.ts';
import { until } from '../../helpers/until.ts';

describe('farming a job series', () => {
  it('runs every job once and returns the results in input order', async () => {
    const { workers, ids } = await crew([['w1', worker((x) => x * x)], ['w2', worker((x) => x * x)], ['w3', worker((x) => x * x)]]);
    const result = await farm(workers, { inputs: range(60) }).run();
    expect(result.results).toEqual(range(60).map((x) => x * x));
    expect([...workers.values()].flatMap((w) => w.ran).sort((a, b) => a - b)).toEqual(range(60));
    expect(result.workers.map((w) => w.done).reduce((a, b) => a + b)).toBe(60);
  });

  it('a reloaded client (same id, same series id, a new link) is served once its closed tab\'s link drops with pulls unanswered', async () => {
    const { workers, ids } = await crew([['w', worker((x) => x + 1, 1)]]);
    const w = workers.get(ids['w']!)!;
    // The closed tab: it opened series-1 and never answered the worker's pulls.
    let pulled = 0;
    const silent: WorkerReplies = {
      key: async () => undefined, pull: () => void (pulled += 1), progress: () => undefined, log: () => undefined,
      result: async () => undefined, results: async () => undefined, failed: () => undefined,
    };
    const [near, far] = memoryPair('client', ids['w']!);
    w.server.accept(far);
    const old = await openWorkerLink(near, silent);
    old.send('series', { series: 'series-1', code: 'export default (x) => x', timeout: 1000, price: 1 });
    await until(() => pulled > 0);
    // The reopened tab's series-1, on its own link: the worker's slot is promised to the old pulls.
    let finished = false;
    const { foreman, run } = farm(workers, { inputs: range(5) });
    const running = run().then((result) => {
      finished = true;
      return result;
    });
    // The worker has the new series (its key came back), and holds back its pulls for the old ones.
    await until(() => foreman.workers.get(ids['w']!)?.key !== undefined);
    expect(foreman.queue.count('done')).toBe(0);
    old.link.close('tab closed');
    await until(() => finished);
    expect((await running).results).toEqual(range(5).map((x) => x + 1));
  });

  it('gives fast workers more jobs: they pull as their slots free', async () => {
    // The slow worker's jobs finish only once the fast one has done the rest: it never holds more
    // than its two slots and one prefetched job.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { workers, ids } = await crew([['fast', worker((x) => x, 2)], ['slow', worker((x) => x, 2, undefined, () => gate)]]);
    const { foreman, run } = farm(workers, { inputs: range(80) });
    const running = run();
    await until(() => foreman.queue.jobs.filter((job) => job.state === 'done').length >= 77);
    release();
    const done = Object.fromEntries((await running).workers.map((w) => [w.id, w.done]));
    expect(done[ids['slow']!]).toBeLessThanOrEqual(3);
    expect(done[ids['fast']!]).toBe(80 - done[ids['slow']!]!);
  });

  it('completes every job when a worker leaves mid-series, none lost or duplicated in the results', async () => {
    // w1's jobs never finish: it holds them until it leaves, and they must go to w2.
    const { workers, ids } = await crew([['w1', worker((x) => x + 1, 2, undefined, () => new Promise(() => undefined))], ['w2', worker((x) => x + 1, 2)]]);
    const { run, handlers } = farm(workers, { inputs: range(100) });
    const running = run();
    await until(() => workers.get(ids['w1']!)!.ran.length >= 2);
    handlers.get(ids['w1']!)!.link.close('tab closed');
    const result = await running;
    expect(result.results).toEqual(range(100).map((x) => x + 1));
    expect(result.workers.find((w) => w.id === ids['w1'])!.state).toBe('left');
    expect(result.jobs.some((job) => job.reassigned > 0)).toBe(true);
  });

  it('reports a job that always throws as poisoned and completes the rest', async () => {
    const throwing = (x: number) => {
      if (x === 3) throw Object.assign(new Error('bad input 3'), { code: 'JOB_THREW' });
      return x;
    };
    const { workers, ids } = await crew([['w1', worker(throwing)], ['w2', worker(throwing)]]);
    const result = await farm(workers, { inputs: range(10), poisonAfter: 3 }).run();
    expect(result.jobs[3]).toMatchObject({ state: 'poisoned', failures: 3 });
    expect(result.results.filter((_, i) => i !== 3)).toEqual(range(10).filter((x) => x !== 3));
  });

  it('with redundancy 3 takes the majority result and flags the worker that lied', async () => {
    // Three workers for k = 3: every job runs on all three, and the honest ones answer after the
    // liar, so its result is in every vote and outvoted in each.
    const lied = new Set<number>();
    const honest = async (x: number) => {
      await until(() => lied.has(x));
      return x * 2;
    };
    const { workers, ids } = await crew([['honest1', worker(honest)], ['honest2', worker(honest)], ['liar', worker((x) => {
      lied.add(x);
      return -1;
    }, 2)]]);
    const result = await farm(workers, { inputs: range(30), redundancy: 3 }).run();
    expect(result.results).toEqual(range(30).map((x) => x * 2));
    expect(result.workers.find((w) => w.id === ids['liar'])!.flagged).toBe(30);
    expect(result.workers.filter((w) => w.id !== ids['liar']).every((w) => w.flagged === 0)).toBe(true);
  });

  it('drops a worker whose key is not its own and takes none of its results', async () => {
    const stolen = await generateIdentity();
    const { workers, ids } = await crew([['honest', worker((x) => x)], ['impostor', worker(() => 666, 2, stolen)]]);
    const result = await farm(workers, { inputs: range(20) }).run();
    expect(result.results).toEqual(range(20));
    expect(result.workers.find((w) => w.id === ids['impostor'])).toMatchObject({ state: 'left', done: 0 });
  });

  it('fails clearly when every worker is gone', async () => {
    const { workers, ids } = await crew([['w1', worker((x) => x, 1, undefined, () => new Promise(() => undefined))]]);
    const { run, handlers } = farm(workers, { inputs: range(20) });
    const running = run();
    await until(() => workers.get(ids['w1']!)!.ran.length >= 1);
    handlers.get(ids['w1']!)!.link.close('gone');
    await expect(running).rejects.toThrow(/^every worker left or was unreachable; \d+ of 20 jobs unfinished$/);
  });
  it('keeps no result that arrives after the series stopped: its funds are gone, so it could not be paid', async () => {
    // Four jobs finish together and come back in one batch; the series stops at the first.
    let release!: () => void;
    const together = new Promise<void>((resolve) => (release = resolve));
    const { workers, ids } = await crew([['w', worker((x) => x, 4, undefined, () => together)]]);
    const kept: number[] = [];
    const { foreman, run } = farm(workers, { inputs: range(8) }, {
      onResult: (index) => {
        kept.push(index);
        foreman.abort('stopped');
      },
    });
    const running = run();
    await until(() => workers.get(ids['w']!)!.ran.length >= 4);
    release();
    await expect(running).rejects.toThrow('stopped');
    expect(kept.length).toBe(1);
  });

  it('hands a series\' args to a /3 worker once and refuses a worker that only speaks /2, which would run without them', async () => {
    const { workers, ids } = await crew([['new', worker((x) => x, 2)], ['old', worker((x) => x, 2, undefined, undefined, 2)]]);
    const { foreman, handlers, run } = farm(workers, { inputs: range(20), argsJson: '{"factor":3}' });
    const result = await run();
    expect(result.results).toEqual(range(20));
    const old = result.workers.find((w) => w.id === ids['old'])!;
    expect(old.state).toBe('unreachable');
    expect(old.error).toBe('speaks p2p:worker<-client/2; a series with args needs p2p:worker<-client/3');
    expect(result.workers.find((w) => w.id === ids['new'])!.done).toBe(20);
    expect(handlers.get(ids['new']!)!.outbound?.name).toBe('p2p:worker<-client/3');
    expect(foreman.logs).toEqual([]);
  });
});
