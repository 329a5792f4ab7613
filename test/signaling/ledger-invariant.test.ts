import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR_MS, applyOne, describeEachStore, fundStore, type TestStore } from '../helpers/ledger.ts';
import { LedgerModel } from '../helpers/ledger-model.ts';
import { prng } from '../helpers/prng.ts';
import type { LedgerOp } from '../../signaling/ledger/ledger.ts';
import { LedgerInvariantError } from '../../signaling/ledger/results.ts';

const OPERATIONS = 2000;
const SEED = 20261124;
const GRANT_POINTS = 50;
const GRANTS_PER_IP_PER_DAY = 3;
const ACCOUNTS = Array.from({ length: 12 }, (_, i) => `peer-${i}`);
const IPS = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'];
const ODD_AMOUNTS = [0, -3, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1, Number.MAX_SAFE_INTEGER];

/** Makes random requests: mostly sensible, some wrong, some retried, some reusing an id. */
function randomRequests(random: () => number, nowMs: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const made: LedgerOp[] = [];
  const holdIds: string[] = ['no-such-hold'];
  const escrowIds: string[] = ['no-such-escrow'];
  let serial = 0;
  const amount = (max: number) => (random() < 0.05 ? pick(ODD_AMOUNTS) : 1 + Math.floor(random() * max));
  const expiresAtMs = () => nowMs() + 1 + Math.floor(random() * 3 * HOUR_MS);
  // A series: one escrow, payments to several workers (some over budget, some outvoted), a release.
  const series = (id: string): LedgerOp => {
    const roll = random();
    if (roll < 0.25) {
      escrowIds.push(id);
      return { op: 'escrow', id, client: pick(ACCOUNTS), amount: amount(60), expiresAtMs: expiresAtMs() };
    }
    if (roll < 0.9) {
      return { op: 'pay', id, escrowId: pick(escrowIds), by: pick(ACCOUNTS), worker: pick(ACCOUNTS), amount: amount(15),
        action: random() < 0.8 ? 'post' : 'reject' };
    }
    return { op: 'release', id, escrowId: pick(escrowIds), by: pick(ACCOUNTS) };
  };
  const fresh = (): LedgerOp => {
    const id = `t${++serial}`;
    if (random() < 0.3) return series(id);
    const roll = random();
    if (roll < 0.12) {
      const day = new Date(nowMs()).toISOString().slice(0, 10);
      return { op: 'grant', id, account: pick(ACCOUNTS), amount: amount(GRANT_POINTS), ip: pick(IPS), day };
    }
    if (roll < 0.5) {
      holdIds.push(id);
      return { op: 'hold', id, client: pick(ACCOUNTS), worker: pick(ACCOUNTS), amount: amount(40), expiresAtMs: expiresAtMs() };
    }
    const how = roll < 0.75 ? 'post' : roll < 0.88 ? 'void' : 'reject';
    return { op: how, id, holdId: pick(holdIds), by: pick(ACCOUNTS), reason: 'random' };
  };
  return (): LedgerOp => {
    const roll = random();
    const op = roll < 0.1 && made.length > 0 ? pick(made)
      : roll < 0.13 && made.length > 0 ? { ...fresh(), id: pick(made).id } : fresh();
    made.push(op);
    return op;
  };
}

/**
 * Settling and paying ops usually come from the hold's own client, as they would in a farm, and
 * payments and releases usually name a series hold still open.
 */
function withLikelyCaller(op: LedgerOp, model: LedgerModel, random: () => number): LedgerOp {
  if (op.op === 'grant' || op.op === 'hold' || op.op === 'escrow' || random() < 0.2) return op;
  if (op.op === 'pay' || op.op === 'release') {
    const open = [...model.escrows].filter(([, escrow]) => escrow.state === 'open');
    const [escrowId, escrow] = open.length > 0 && random() < 0.8 ? open[Math.floor(random() * open.length)]!
      : [op.escrowId, model.escrows.get(op.escrowId)];
    return escrow === undefined ? op : { ...op, escrowId, by: escrow.client };
  }
  const hold = model.holds.get(op.holdId);
  return hold === undefined ? op : { ...op, by: random() < 0.9 ? hold.client : hold.worker };
}

describeEachStore('ledger invariant', (open) => {
  let t: TestStore;

  beforeEach(async () => {
    t = await open({ grantPoints: GRANT_POINTS, grantsPerIpPerDay: GRANTS_PER_IP_PER_DAY });
  });

  afterEach(() => t.close());

  describe('ledger invariant', () => {
    it(`holds after ${OPERATIONS} seeded random operations, each result equal to the model's`, async () => {
      const random = prng(SEED);
      const model = new LedgerModel(GRANT_POINTS, GRANTS_PER_IP_PER_DAY);
      const next = randomRequests(random, t.clock.now);
      const seen = new Map<string, number>();
      let done = 0;
      while (done < OPERATIONS) {
        const roll = random();
        if (roll < 0.04) t.clock.advance(Math.floor(random() * 2 * HOUR_MS));
        if (roll < 0.07) expect(await t.store.expire()).toBe(model.expire(t.clock.now()));
        const batch = Array.from({ length: roll > 0.9 ? 1 + Math.floor(random() * 20) : 1 },
          () => withLikelyCaller(next(), model, random));
        const results = batch.length === 1 ? [await applyOne(t.store, batch[0]!)] : await t.store.transact(batch);
        expect(results).toEqual(batch.map((op) => model.apply(op, t.clock.now())));
        for (const result of results) seen.set(result, (seen.get(result) ?? 0) + 1);
        done += batch.length;
        if (done % 200 < batch.length) expect(await t.store.checkInvariant()).toEqual(model.totals());
      }
      expect(await t.store.checkInvariant()).toEqual(model.totals());
      for (const [account, balance] of model.balances) expect(await t.store.balance(account)).toBe(balance);
      for (const [account, record] of model.records) expect(await t.store.record(account)).toMatchObject(record);
      expect([...seen.keys()].sort()).toEqual(['already_granted', 'bad_amount', 'exists', 'hold_expired', 'hold_posted',
        'hold_released', 'hold_voided', 'insufficient_points', 'ip_limit', 'no_such_hold', 'not_your_hold', 'ok',
        'over_budget', 'self_payment', 'unknown_account']);
    });

    it('throws LedgerInvariantError when a balance is changed behind the ledger', async () => {
      await fundStore(t.store, 50, 'alice', 'bob');
      await t.sql(`UPDATE accounts SET balance = balance + 1 WHERE id = 'alice'`);
      await expect(t.store.checkInvariant()).rejects.toThrow(LedgerInvariantError);
      await expect(t.store.checkInvariant()).rejects
        .toThrow('ledger invariant broken: balances 101 + held 0 = 101, but 100 points were minted');
    });

    it('throws when a series hold holds other than what its journal took in and paid out', async () => {
      await fundStore(t.store, 50, 'alice', 'bob');
      expect(await t.store.escrow('e1', 'alice', 30, { expiresAtMs: t.clock.now() + HOUR_MS })).toBe('ok');
      expect(await t.store.pay('p1', 'e1', 'alice', 'bob', 10, 'post')).toBe('ok');
      expect(await t.store.checkInvariant()).toEqual({ minted: 100, balances: 80, held: 20 });
      await t.sql(`UPDATE escrows SET remaining = 25 WHERE id = 'e1'`);
      await t.sql(`UPDATE accounts SET balance = balance + 5 WHERE id = '@escrow'`);
      await t.sql(`UPDATE accounts SET balance = balance - 5 WHERE id = '@mint'`);
      await expect(t.store.checkInvariant()).rejects.toThrow(LedgerInvariantError);
      await t.sql(`UPDATE accounts SET balance = balance - 5 WHERE id = '@escrow'`);
      await t.sql(`UPDATE accounts SET balance = balance + 5 WHERE id = '@mint'`);
      await t.sql(`UPDATE escrows SET remaining = 20, amount = 40 WHERE id = 'e1'`);
      await expect(t.store.checkInvariant()).rejects
        .toThrow('ledger invariant broken: holds whose journal does not add up: e1 of 40 took in 30, paid out 10, holds 20');
    });

    it('throws when points move between accounts without a journal line', async () => {
      await fundStore(t.store, 50, 'alice', 'bob');
      await t.sql(`UPDATE accounts SET balance = balance + 5 WHERE id = 'alice'`);
      await t.sql(`UPDATE accounts SET balance = balance - 5 WHERE id = 'bob'`);
      await expect(t.store.checkInvariant()).rejects
        .toThrow('ledger invariant broken: balances differ from the journal: alice has 55, journal 50; bob has 45, journal 50');
    });
  });
});
