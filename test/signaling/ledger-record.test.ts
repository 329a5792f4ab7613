import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS, fund, openTestLedger, type TestLedger } from '../helpers/ledger.ts';
import { decayFactor, judge, readRecord } from '../../signaling/ledger/record.ts';
import type { Ledger } from '../../signaling/ledger/ledger.ts';

const WEEK_MS = 7 * DAY_MS;

let t: TestLedger;
let ledger: Ledger;
let holds = 0;

beforeEach(() => {
  t = openTestLedger();
  ledger = t.ledger;
  fund(ledger, 100, 'client', 'worker');
});

afterEach(() => t.close());

/** Holds one point for the worker and settles it now; the hold expires a day later. */
function settle(how: 'post' | 'void' | 'reject'): void {
  const holdId = `h${++holds}`;
  expect(ledger.hold(holdId, 'client', 'worker', 1, { expiresAtMs: t.clock.now() + DAY_MS })).toBe('ok');
  const result = how === 'post' ? ledger.post(`p${holds}`, holdId, 'client')
    : how === 'void' ? ledger.void(`v${holds}`, holdId, 'client')
    : ledger.reject(`r${holds}`, holdId, 'client', 'differs from the majority');
  expect(result).toBe('ok');
}

describe('worker record', () => {
  it('reports no rate before the first judged job', () => {
    expect(ledger.record('worker')).toEqual({ jobs: 0, rejected: 0, valid: null, recent: null, recentWeight: 0 });
  });

  it('counts posted holds as jobs and rejected ones against the valid rate', () => {
    settle('post');
    settle('post');
    settle('post');
    settle('reject');
    expect(ledger.record('worker')).toEqual({ jobs: 3, rejected: 1, valid: 0.75, recent: 0.75, recentWeight: 4 });
  });

  it('leaves the record alone on a no-fault void and on an expiry', () => {
    settle('post');
    settle('void');
    ledger.hold('hx', 'client', 'worker', 1, { expiresAtMs: t.clock.now() + 1 });
    expect(ledger.expire(t.clock.now() + 1)).toBe(1);
    expect(ledger.record('worker')).toEqual({ jobs: 1, rejected: 0, valid: 1, recent: 1, recentWeight: 1 });
  });

  it('weighs a job judged one half-life ago half as much as one judged now', () => {
    settle('post');
    t.clock.advance(WEEK_MS);
    settle('reject');
    const record = ledger.record('worker');
    expect(record).toMatchObject({ jobs: 1, rejected: 1, valid: 0.5, recentWeight: 1.5 });
    expect(record.recent).toBeCloseTo(1 / 3, 12);
  });

  it('forgives old faults: ten rejections three weeks before ten valid jobs weigh 1.25', () => {
    for (let i = 0; i < 10; i++) settle('reject');
    t.clock.advance(3 * WEEK_MS);
    for (let i = 0; i < 10; i++) settle('post');
    const record = ledger.record('worker');
    expect(record.valid).toBe(0.5);
    expect(record.recent).toBeCloseTo(10 / 11.25, 12);
  });

  it('halves the weight of the evidence every half-life with no new jobs, keeping the rate', () => {
    settle('post');
    settle('reject');
    const now = t.clock.now();
    expect(ledger.record('worker', now)).toMatchObject({ recent: 0.5, recentWeight: 2 });
    expect(ledger.record('worker', now + WEEK_MS)).toMatchObject({ recent: 0.5, recentWeight: 1 });
    expect(ledger.record('worker', now + 2 * WEEK_MS)).toMatchObject({ recent: 0.5, recentWeight: 0.5 });
  });

  it('honours the recentHalfLifeMs option', () => {
    const short = openTestLedger({ recentHalfLifeMs: DAY_MS });
    try {
      fund(short.ledger, 100, 'client', 'worker');
      short.ledger.hold('h1', 'client', 'worker', 1, { expiresAtMs: short.clock.now() + DAY_MS });
      short.ledger.post('p1', 'h1', 'client');
      expect(short.ledger.record('worker', short.clock.now() + DAY_MS).recentWeight).toBe(0.5);
    } finally {
      short.close();
    }
  });

  it('keeps the record across a reopen of the file', () => {
    settle('post');
    settle('reject');
    t = t.reopen();
    expect(t.ledger.record('worker')).toEqual({ jobs: 1, rejected: 1, valid: 0.5, recent: 0.5, recentWeight: 2 });
  });
});

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
