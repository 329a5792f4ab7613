// Two authorities on one PostgreSQL ledger (issue 13): two PgLedgers, each on its own pool, sent
// requests at once. Whatever the interleaving, no client is overdrawn, one transfer id is applied
// once, the grant limits hold across both, expiry is applied once, and the books balance.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR_MS, START_MS, fundStore, manualClock, usePostgresDatabase } from '../helpers/ledger.ts';
import { openPgLedger } from '../../signaling/ledger/pg-database.ts';
import { PgLedger } from '../../signaling/ledger/pg-ledger.ts';
import type { LedgerResult } from '../../signaling/ledger/results.ts';

const DAY = '2026-11-24';
const LATER = { expiresAtMs: START_MS + HOUR_MS };
/** Requests each authority sends at once: enough to make conflicts certain, few enough to stay quick. */
const CONCURRENT = 12;

const databaseUrl = usePostgresDatabase();
let a: PgLedger;
let b: PgLedger;
const clock = manualClock();

beforeEach(async () => {
  // Both open (and migrate) at once, as authorities started together do.
  const open = async () => new PgLedger({
    pool: (await openPgLedger(databaseUrl())).pool, clock: clock.now, options: { grantPoints: 100, grantsPerIpPerDay: 2 },
  });
  [a, b] = await Promise.all([open(), open()]);
});
afterEach(async () => {
  await Promise.all([a.close(), b.close()]);
});

function count(results: LedgerResult[], result: LedgerResult): number {
  return results.filter((r) => r === result).length;
}

describe('two authorities on one PostgreSQL ledger', () => {
  it('migrate the schema once when they start together, and keep the journal append-only', async () => {
    expect((await a.pool.query('SELECT version FROM schema_version')).rows).toEqual([{ version: 1 }]);
    await fundStore(a, 10, 'client');
    await expect(b.pool.query('DELETE FROM requests')).rejects.toThrow('requests are append-only');
    await expect(b.pool.query('UPDATE transfers SET amount = 1')).rejects.toThrow('transfers are append-only');
  });

  it('never overdraw a client when both hold its points at once', async () => {
    await fundStore(a, 10, 'client');
    await fundStore(b, 1, 'worker');
    const results = await Promise.all(Array.from({ length: CONCURRENT * 2 }, (_, i) =>
      (i % 2 === 0 ? a : b).hold(`h${i}`, 'client', 'worker', 3, LATER)));
    expect(count(results, 'ok')).toBe(3);
    expect(count(results, 'insufficient_points')).toBe(CONCURRENT * 2 - 3);
    expect(await a.balance('client')).toBe(1);
    await a.checkInvariant();
  });

  it('never pay more than an escrow holds when both pay from it at once', async () => {
    await fundStore(a, 20, 'client', 'w1', 'w2');
    expect(await a.escrow('e1', 'client', 10, LATER)).toBe('ok');
    const results = await Promise.all(Array.from({ length: CONCURRENT * 2 }, (_, i) =>
      (i % 2 === 0 ? a : b).pay(`p${i}`, 'e1', 'client', i % 2 === 0 ? 'w1' : 'w2', 2, 'post')));
    expect(count(results, 'ok')).toBe(5);
    expect(count(results, 'over_budget')).toBe(CONCURRENT * 2 - 5);
    expect((await b.escrowById('e1'))?.remaining).toBe(0);
    await b.checkInvariant();
  });

  it('never overdraw a client escrowing and holding through both at once', async () => {
    await fundStore(a, 10, 'client', 'worker');
    const results = await Promise.all(Array.from({ length: CONCURRENT * 2 }, (_, i) => (i % 2 === 0
      ? a.escrow(`e${i}`, 'client', 4, LATER)
      : b.hold(`h${i}`, 'client', 'worker', 4, LATER))));
    expect(count(results, 'ok')).toBe(2);
    expect(await a.balance('client')).toBe(2);
    expect(await a.heldBy('client')).toBe(8);
    await a.checkInvariant();
  });

  it('apply one transfer id sent to both once, each answered with its outcome', async () => {
    await fundStore(a, 10, 'client', 'worker');
    const results = await Promise.all([a, b, a, b].map((ledger) => ledger.hold('same', 'client', 'worker', 4, LATER)));
    expect(results).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(await b.balance('client')).toBe(6);
    expect(await b.history('client')).toHaveLength(2);
    await b.checkInvariant();
  });

  it('grant each account once and each address its daily limit, across both', async () => {
    const once = await Promise.all([a, b, a, b].map((ledger, i) => ledger.grant(`g${i}`, 'newcomer', 100, { ip: `10.0.0.${i}`, day: DAY })));
    expect(count(once, 'ok')).toBe(1);
    expect(count(once, 'already_granted')).toBe(3);
    const shared = await Promise.all(Array.from({ length: 6 }, (_, i) =>
      (i % 2 === 0 ? a : b).grant(`s${i}`, `peer-${i}`, 100, { ip: '10.9.9.9', day: DAY })));
    expect(count(shared, 'ok')).toBe(2);
    expect(count(shared, 'ip_limit')).toBe(4);
    expect((await a.totals()).minted).toBe(300);
    await a.checkInvariant();
  });

  it('expire each due hold once when both sweep at once', async () => {
    await fundStore(a, 50, 'client', 'worker');
    for (let i = 0; i < 5; i++) expect(await a.hold(`h${i}`, 'client', 'worker', 2, LATER)).toBe('ok');
    expect(await a.escrow('e1', 'client', 10, LATER)).toBe('ok');
    const swept = await Promise.all([a, b, a, b].map((ledger) => ledger.expire(START_MS + HOUR_MS)));
    expect(swept.reduce((sum, n) => sum + n, 0)).toBe(6);
    expect(await a.balance('client')).toBe(50);
    const expiries = (await a.history('client')).filter((entry) => entry.kind === 'expire');
    expect(expiries).toHaveLength(6);
    await a.checkInvariant();
  });
});
