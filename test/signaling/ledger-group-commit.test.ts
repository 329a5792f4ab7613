import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR_MS, START_MS, fund, openTestLedger, type TestLedger } from '../helpers/ledger.ts';
import { GROUP_COMMIT_MAX_OPS, GroupCommit } from '../../signaling/ledger/group-commit.ts';
import type { Ledger, LedgerOp } from '../../signaling/ledger/ledger.ts';
import { LedgerUsageError, type LedgerResult } from '../../signaling/ledger/results.ts';

const EXPIRES = START_MS + HOUR_MS;
const ACCOUNTS = Array.from({ length: 10 }, (_, i) => `acct-${i}`);

let t: TestLedger;
let ledger: Ledger;

beforeEach(() => {
  t = openTestLedger({ grantPoints: 1000, grantsPerIpPerDay: 100 });
  ledger = t.ledger;
  fund(ledger, 1000, ...ACCOUNTS);
});

afterEach(() => t.close());

function hold(id: string, n = 0, amount = 1): LedgerOp {
  return { op: 'hold', id, client: ACCOUNTS[n % ACCOUNTS.length]!, worker: ACCOUNTS[(n + 1) % ACCOUNTS.length]!, amount, expiresAtMs: EXPIRES };
}

/** Resolves after the event loop has gone round `turns` times (every commit scheduled so far has run). */
async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('group commit', () => {
  it('commits the single requests of one turn in one transaction, each with its own result', async () => {
    const group = new GroupCommit({ ledger, clock: t.clock.now });
    const sources = Array.from({ length: 50 }, () => ({}));
    const answers = sources.map((source, i) => group.submit(hold(`h${i}`, i, i === 7 ? 5000 : 1), source));
    expect(group.commits).toBe(0);
    const results = await Promise.all(answers);
    expect(group.commits).toBe(1);
    expect(group.committed).toBe(50);
    expect(results.filter((result) => result === 'ok')).toHaveLength(49);
    expect(results[7]).toBe('insufficient_points');
    for (const [i, result] of results.entries()) expect(ledger.outcome(`h${i}`)?.result).toBe(result);
    ledger.checkInvariant();
  });

  it('keeps first outcomes per request inside one commit: a retry gets the first result, another request on the id exists', async () => {
    const group = new GroupCommit({ ledger, clock: t.clock.now });
    const results = await Promise.all([
      group.submit(hold('h1', 0, 5), {}),
      group.submit(hold('h1', 0, 5), {}),
      group.submit(hold('h1', 0, 6), {}),
      group.submit({ op: 'post', id: 'p1', holdId: 'h1', by: ACCOUNTS[0]! }, {}),
      group.submit({ op: 'post', id: 'p1', holdId: 'h1', by: ACCOUNTS[0]! }, {}),
      group.submit({ op: 'post', id: 'p2', holdId: 'h1', by: ACCOUNTS[0]! }, {}),
    ]);
    expect(results).toEqual(['ok', 'ok', 'exists', 'ok', 'ok', 'hold_posted']);
    expect(group.commits).toBe(1);
    expect(ledger.balance(ACCOUNTS[1]!)).toBe(1005);
  });

  it(`takes at most ${GROUP_COMMIT_MAX_OPS} requests per transaction and lets the event loop run between them`, async () => {
    const group = new GroupCommit({ ledger, clock: t.clock.now });
    const answers = Array.from({ length: 250 }, (_, i) => group.submit(hold(`h${i}`, i)));
    const seenBetween: number[] = [];
    setImmediate(() => seenBetween.push(group.commits, group.waiting));
    await Promise.all(answers);
    expect(seenBetween).toEqual([1, 150]);
    expect([group.commits, group.committed]).toEqual([3, 250]);
  });

  it('answers one source\'s request in the next commit however many another source has waiting', async () => {
    const group = new GroupCommit({ ledger, clock: t.clock.now });
    const [burst, other] = [{}, {}];
    const flood = Array.from({ length: 1000 }, (_, i) => group.submit(hold(`b${i}`, 0), burst));
    const commitsWhenAnswered = group.submit(hold('o1', 3), other).then(() => group.commits);
    expect(await commitsWhenAnswered).toBe(1);
    expect(group.committed).toBe(GROUP_COMMIT_MAX_OPS);
    await Promise.all(flood);
    expect(group.commits).toBe(11);
  });

  it('gives each source waiting its share of a commit, at most maxPerSource', async () => {
    const group = new GroupCommit({ ledger, clock: t.clock.now, maxOps: 100, maxPerSource: 10 });
    const [a, b, c] = [{}, {}, {}];
    const all = [
      ...Array.from({ length: 100 }, (_, i) => group.submit(hold(`a${i}`, 0), a)),
      ...Array.from({ length: 100 }, (_, i) => group.submit(hold(`b${i}`, 2), b)),
      group.submit(hold('c0', 4), c),
    ];
    await turns(1);
    expect([group.commits, group.committed]).toEqual([1, 21]);
    expect([ledger.outcome('a9')?.result, ledger.outcome('a10'), ledger.outcome('b9')?.result, ledger.outcome('c0')?.result])
      .toEqual(['ok', undefined, 'ok', 'ok']);
    await Promise.all(all);
    expect(group.commits).toBe(1 + 180 / 20);
  });

  it('fails only the request the ledger throws on; the others of its commit are committed', async () => {
    const group = new GroupCommit({ ledger, clock: t.clock.now });
    const answers = [hold('h1'), { ...hold('h2'), expiresAtMs: START_MS }, hold('h3')].map((op) => group.submit(op));
    const settled = await Promise.allSettled(answers);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).name))).toEqual(['ok', 'LedgerUsageError', 'ok']);
    expect([ledger.outcome('h1')?.result, ledger.outcome('h2'), ledger.outcome('h3')?.result]).toEqual(['ok', undefined, 'ok']);
    expect(group.commits).toBe(1);
    ledger.checkInvariant();
  });

  it('refuses a malformed request at once, without queueing it', async () => {
    const group = new GroupCommit({ ledger, clock: t.clock.now });
    await expect(group.submit({ ...hold('h1'), client: '@mint' } as LedgerOp)).rejects.toThrow(LedgerUsageError);
    expect(group.waiting).toBe(0);
  });

  it('answers a request the screen answers without the ledger', async () => {
    const group = new GroupCommit({ ledger, clock: t.clock.now, screen: (op) => (op.id === 'late' ? 'hold_expired' : undefined) });
    expect(await Promise.all([group.submit(hold('late')), group.submit(hold('h1'))])).toEqual(['hold_expired', 'ok']);
    expect(ledger.outcome('late')).toBeUndefined();
  });

  it('runs nothing of a dropped source, and the others as usual', async () => {
    const group = new GroupCommit({ ledger, clock: t.clock.now });
    const [gone, kept] = [{}, {}];
    void group.submit(hold('g1'), gone);
    const answer = group.submit(hold('k1'), kept);
    group.drop(gone);
    expect(await answer).toBe('ok');
    expect(ledger.outcome('g1')).toBeUndefined();
    expect(group.waiting).toBe(0);
  });

  it('fails every request of a commit the disk refuses, and answers none as done', async () => {
    const broken = { transact: (): LedgerResult[] => { throw new Error('SQLITE_IOERR'); }, transactEach: (): LedgerResult[] => { throw new Error('SQLITE_IOERR'); } };
    const group = new GroupCommit({ ledger: broken });
    const settled = await Promise.allSettled([group.submit(hold('h1')), group.submit(hold('h2'))]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(group.commits).toBe(0);
  });
});
