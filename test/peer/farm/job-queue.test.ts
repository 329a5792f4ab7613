import { describe, expect, it } from 'vitest';
import { JobQueue } from '../../../src/peer/farm/job-queue.ts';

function queue(inputs: unknown[], options: Partial<{ redundancy: number; leaseMs: number; poisonAfter: number }> = {}) {
  let now = 0;
  const q = new JobQueue(inputs, { redundancy: 1, leaseMs: 1000, poisonAfter: 3, ...options, clock: () => now });
  return { q, advance: (ms: number) => (now += ms) };
}

describe('JobQueue', () => {
  it('hands out jobs in order and finishes when every result is in', () => {
    const { q } = queue([1, 2]);
    const a = q.next('w1')!;
    const b = q.next('w2')!;
    expect([a.job, b.job]).toEqual([0, 1]);
    expect(q.next('w1')).toBeUndefined();
    q.complete(a.id, '10');
    q.complete(b.id, '20');
    expect(q.finished).toBe(true);
    expect(q.results()).toEqual([10, 20]);
  });

  it('never leases a job restored as done (a resumed series), and finishes with the restored results', () => {
    const { q } = queue([1, 2, 3]);
    expect(q.restore(0, '10', 10, 'w0')).toBe(true);
    expect(q.restore(2, '30', 30, 'w0')).toBe(true);
    expect(q.restore(2, '99', 99, 'w9')).toBe(false);
    const lease = q.next('w1')!;
    expect(lease.job).toBe(1);
    expect(q.next('w1')).toBeUndefined();
    q.complete(lease.id, '20');
    expect(q.finished).toBe(true);
    expect(q.results()).toEqual([10, 20, 30]);
    expect(q.jobs[2]).toMatchObject({ state: 'done', doneBy: 'w0', resultText: '30' });
  });

  it('marks a job running on progress and extends its lease', () => {
    const { q, advance } = queue([1]);
    const lease = q.next('w1')!;
    advance(900);
    q.progress(lease.id, 0.5);
    advance(900);
    expect(q.expire()).toEqual([]);
    expect(q.jobs[0]).toMatchObject({ state: 'running', progress: 0.5 });
  });

  it('reassigns a job when its lease expires', () => {
    const { q, advance } = queue([1]);
    const lease = q.next('w1')!;
    advance(1000);
    expect(q.expire().map((l) => l.id)).toEqual([lease.id]);
    expect(q.jobs[0]).toMatchObject({ state: 'queued', reassigned: 1 });
    expect(q.complete(lease.id, '1')).toBe(false);
    expect(q.next('w2')!.job).toBe(0);
  });

  it('reassigns the jobs of a worker that leaves, and loses none', () => {
    const { q } = queue([1, 2, 3]);
    q.next('w1');
    q.next('w1');
    const kept = q.next('w2')!;
    expect(q.dropWorker('w1')).toHaveLength(2);
    q.complete(kept.id, '3');
    for (let lease = q.next('w2'); lease; lease = q.next('w2')) q.complete(lease.id, String(lease.job + 1));
    expect(q.results()).toEqual([1, 2, 3]);
    expect(q.jobs.map((job) => job.reassigned)).toEqual([1, 1, 0]);
  });

  it('poisons a job after poisonAfter failures and finishes the rest', () => {
    const { q } = queue(['bad', 'good'], { poisonAfter: 3 });
    for (let attempt = 0; attempt < 3; attempt++) {
      const lease = q.next(`w${attempt}`)!;
      expect(lease.job).toBe(0);
      q.fail(lease.id, 'boom');
    }
    expect(q.jobs[0]!.state).toBe('poisoned');
    const good = q.next('w1')!;
    q.complete(good.id, '"ok"');
    expect(q.finished).toBe(true);
    expect(q.results()).toEqual([undefined, 'ok']);
  });

  it('lets no single worker poison a job while another can run it, but ends a lone worker\'s hopeless job', () => {
    const { q } = queue(['x', 'y'], { poisonAfter: 3 });
    for (let attempt = 0; attempt < 8; attempt++) {
      const lease = q.next('liar')!;
      q.fail(lease.id, 'made up');
    }
    expect(q.jobs.map((job) => job.state)).toEqual(['queued', 'queued']);
    expect(q.next('honest', true)!.job).toBe(0);
    const { q: lone } = queue(['x'], { poisonAfter: 3 });
    for (let attempt = 0; attempt < 9; attempt++) lone.fail(lone.next('only')!.id, 'always throws');
    expect(lone.jobs[0]).toMatchObject({ state: 'poisoned' });
  });

  it('offers a worker the jobs it has not failed first, and with `fresh` none it failed', () => {
    const { q } = queue(['a', 'b']);
    q.fail(q.next('w1')!.id, 'boom');
    expect(q.next('w1', true)!.job).toBe(1);
    expect(q.next('w1', true)).toBeUndefined();
    expect(q.next('w1')!.job).toBe(0);
  });

  it('refuses a result that is not JSON before touching the job (regression: it was marked done with no result)', () => {
    const { q } = queue([1]);
    const lease = q.next('w1')!;
    expect(() => q.complete(lease.id, '{not json')).toThrow(TypeError);
    expect(q.jobs[0]).toMatchObject({ state: 'assigned', results: new Map() });
    expect(q.leases.has(lease.id)).toBe(true);
    expect(q.complete(lease.id, '{"ok":1}')).toBe(true);
    expect(q.results()).toEqual([{ ok: 1 }]);
  });

  it('with redundancy 3 runs a job on three distinct workers and takes the majority', () => {
    const { q } = queue([7], { redundancy: 3 });
    const leases = ['good1', 'bad', 'good2'].map((w) => q.next(w)!);
    expect(q.next('good1')).toBeUndefined();
    q.complete(leases[1]!.id, '99');
    expect(q.jobs[0]!.state).toBe('verifying');
    q.complete(leases[0]!.id, '49');
    expect(q.jobs[0]!.state).toBe('verifying');
    q.complete(leases[2]!.id, '49');
    expect(q.jobs[0]).toMatchObject({ state: 'done', result: 49, doneBy: 'good1' });
    expect([...q.flagged]).toEqual([['bad', 1]]);
  });

  it('cancels the leases still running once the majority is in', () => {
    const { q } = queue([7], { redundancy: 3 });
    const leases = ['a', 'b', 'c'].map((w) => q.next(w)!);
    q.complete(leases[0]!.id, '1');
    q.complete(leases[1]!.id, '1');
    expect(q.cancelled.map((l) => l.worker)).toEqual(['c']);
    expect(q.finished).toBe(true);
  });

  it('asks one more worker when k results disagree, and poisons past k + 2', () => {
    const { q } = queue([7], { redundancy: 3 });
    for (const [worker, text] of [['a', '1'], ['b', '2'], ['c', '3']] as const) q.complete(q.next(worker)!.id, text);
    expect(q.jobs[0]!.state).toBe('verifying');
    q.complete(q.next('d')!.id, '4');
    q.complete(q.next('e')!.id, '5');
    expect(q.jobs[0]!.state).toBe('poisoned');
  });
});
