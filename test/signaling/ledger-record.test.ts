import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS, describeEachStore, fundStore, type TestStore } from '../helpers/ledger.ts';
import { decayFactor, judge, readRecord } from '../../signaling/ledger/record.ts';
import type { LedgerStore } from '../../signaling/ledger/store.ts';

const WEEK_MS = 7 * DAY_MS;

describe('record arithmetic', () => {
  it('decays nothing when the clock goes back', () => {
    expect(decayFactor(1000, 500, WEEK_MS)).toBe(1);
    expect(decayFactor(0, WEEK_MS, WEEK_MS)).toBe(0.5);
  });

  it('never moves the update time back on an event stamped in the past', () => {
    const first = judge(undefined, 'valid', 5000, WEEK_MS);
    const second = judge(first, 'invalid', 1000, WEEK_MS);
    expect(second).toEqual({ jobs: 1, rejected: 1, recent_valid: 1, recent_total: 2, updated_at_ms: 5000 });
    expect(readRecord(second, 5000, WEEK_MS).recent).toBe(0.5);
  });
});

describeEachStore('worker record', (open) => {
  let t: TestStore;
  let ledger: LedgerStore;
  let holds = 0;

  beforeEach(async () => {
    t = await open();
    ledger = t.store;
    await fundStore(ledger, 100, 'client', 'worker');
  });

  afterEach(() => t.close());

  /** Holds one point for the worker and settles it now; the hold expires a day later. */
  async function settle(how: 'post' | 'void' | 'reject'): Promise<void> {
    const holdId = `h${++holds}`;
    expect(await ledger.hold(holdId, 'client', 'worker', 1, { expiresAtMs: t.clock.now() + DAY_MS })).toBe('ok');
    const result = how === 'post' ? (await ledger.post(`p${holds}`, holdId, 'client'))
      : how === 'void' ? (await ledger.void(`v${holds}`, holdId, 'client'))
      : (await ledger.reject(`r${holds}`, holdId, 'client', 'differs from the majority'));
    expect(result).toBe('ok');
  }

  describe('worker record', () => {
    it('reads the balances of many accounts, and the records of the workers among them, in one call', async () => {
      await settle('post');
      const [worker, client, unknown] = await ledger.accounts([
        { id: 'worker', worker: true }, { id: 'client', worker: false }, { id: 'nobody', worker: true }]);
      expect(worker).toEqual({ balance: 101, record: await ledger.record('worker') });
      expect(worker!.record!.jobs).toBe(1);
      expect(client).toEqual({ balance: 99, record: undefined });
      expect(unknown).toEqual({ balance: 0, record: expect.objectContaining({ jobs: 0 }) });
    });

    it('reports no rate before the first judged job', async () => {
      expect(await ledger.record('worker')).toEqual({ jobs: 0, rejected: 0, valid: null, recent: null, recentWeight: 0 });
    });

    it('counts posted holds as jobs and rejected ones against the valid rate', async () => {
      await settle('post');
      await settle('post');
      await settle('post');
      await settle('reject');
      expect(await ledger.record('worker')).toEqual({ jobs: 3, rejected: 1, valid: 0.75, recent: 0.75, recentWeight: 4 });
    });

    it('leaves the record alone on a no-fault void and on an expiry', async () => {
      await settle('post');
      await settle('void');
      await ledger.hold('hx', 'client', 'worker', 1, { expiresAtMs: t.clock.now() + 1 });
      expect(await ledger.expire(t.clock.now() + 1)).toBe(1);
      expect(await ledger.record('worker')).toEqual({ jobs: 1, rejected: 0, valid: 1, recent: 1, recentWeight: 1 });
    });

    it('weighs a job judged one half-life ago half as much as one judged now', async () => {
      await settle('post');
      t.clock.advance(WEEK_MS);
      await settle('reject');
      const record = (await ledger.record('worker'));
      expect(record).toMatchObject({ jobs: 1, rejected: 1, valid: 0.5, recentWeight: 1.5 });
      expect(record.recent).toBeCloseTo(1 / 3, 12);
    });

    it('forgives old faults: ten rejections three weeks before ten valid jobs weigh 1.25', async () => {
      for (let i = 0; i < 10; i++) await settle('reject');
      t.clock.advance(3 * WEEK_MS);
      for (let i = 0; i < 10; i++) await settle('post');
      const record = (await ledger.record('worker'));
      expect(record.valid).toBe(0.5);
      expect(record.recent).toBeCloseTo(10 / 11.25, 12);
    });

    it('halves the weight of the evidence every half-life with no new jobs, keeping the rate', async () => {
      await settle('post');
      await settle('reject');
      const now = t.clock.now();
      expect(await ledger.record('worker', now)).toMatchObject({ recent: 0.5, recentWeight: 2 });
      expect(await ledger.record('worker', now + WEEK_MS)).toMatchObject({ recent: 0.5, recentWeight: 1 });
      expect(await ledger.record('worker', now + 2 * WEEK_MS)).toMatchObject({ recent: 0.5, recentWeight: 0.5 });
    });

    it('honours the recentHalfLifeMs option', async () => {
      const short = await open({ recentHalfLifeMs: DAY_MS });
      try {
        await fundStore(short.store, 100, 'client', 'worker');
        await short.store.hold('h1', 'client', 'worker', 1, { expiresAtMs: short.clock.now() + DAY_MS });
        await short.store.post('p1', 'h1', 'client');
        expect((await short.store.record('worker', short.clock.now() + DAY_MS)).recentWeight).toBe(0.5);
      } finally {
        await short.close();
      }
    });

    it('keeps the record for another ledger on the same books (a reopened file, another authority)', async () => {
      await settle('post');
      await settle('reject');
      const other = await t.another();
      expect(await other.record('worker')).toEqual({ jobs: 1, rejected: 1, valid: 0.5, recent: 0.5, recentWeight: 2 });
    });
  });
});
