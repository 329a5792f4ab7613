import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR_MS, applyOne, fund, openTestLedger, type TestLedger } from '../helpers/ledger.ts';
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

let t: TestLedger;

beforeEach(() => {
  t = openTestLedger({ grantPoints: GRANT_POINTS, grantsPerIpPerDay: GRANTS_PER_IP_PER_DAY });
});

afterEach(() => t.close());

/** Makes random requests: mostly sensible, some wrong, some retried, some reusing an id. */
function randomRequests(random: () => number, nowMs: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const made: LedgerOp[] = [];
  const holdIds: string[] = ['no-such-hold'];
  let serial = 0;
  const amount = (max: number) => (random() < 0.05 ? pick(ODD_AMOUNTS) : 1 + Math.floor(random() * max));
  const fresh = (): LedgerOp => {
    const id = `t${++serial}`;
    const roll = random();
    if (roll < 0.12) {
      const day = new Date(nowMs()).toISOString().slice(0, 10);
      return { op: 'grant', id, account: pick(ACCOUNTS), amount: amount(GRANT_POINTS), ip: pick(IPS), day };
    }
    if (roll < 0.5) {
      holdIds.push(id);
      const expiresAtMs = nowMs() + 1 + Math.floor(random() * 3 * HOUR_MS);
      return { op: 'hold', id, client: pick(ACCOUNTS), worker: pick(ACCOUNTS), amount: amount(40), expiresAtMs };
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

/** Settling ops usually come from the hold's own client, as they would in a farm. */
function withLikelyCaller(op: LedgerOp, model: LedgerModel, random: () => number): LedgerOp {
  if (op.op === 'grant' || op.op === 'hold' || random() < 0.2) return op;
  const hold = model.holds.get(op.holdId);
  return hold === undefined ? op : { ...op, by: random() < 0.9 ? hold.client : hold.worker };
}

describe('ledger invariant', () => {
  it(`holds after ${OPERATIONS} seeded random operations, each result equal to the model's`, () => {
    const random = prng(SEED);
    const model = new LedgerModel(GRANT_POINTS, GRANTS_PER_IP_PER_DAY);
    const next = randomRequests(random, t.clock.now);
    const seen = new Map<string, number>();
    let done = 0;
    while (done < OPERATIONS) {
      const roll = random();
      if (roll < 0.04) t.clock.advance(Math.floor(random() * 2 * HOUR_MS));
      if (roll < 0.07) expect(t.ledger.expire()).toBe(model.expire(t.clock.now()));
      const batch = Array.from({ length: roll > 0.9 ? 1 + Math.floor(random() * 20) : 1 },
        () => withLikelyCaller(next(), model, random));
      const results = batch.length === 1 ? [applyOne(t.ledger, batch[0]!)] : t.ledger.transact(batch);
      expect(results).toEqual(batch.map((op) => model.apply(op, t.clock.now())));
      for (const result of results) seen.set(result, (seen.get(result) ?? 0) + 1);
      done += batch.length;
      if (done % 200 < batch.length) expect(t.ledger.checkInvariant()).toEqual(model.totals());
    }
    expect(t.ledger.checkInvariant()).toEqual(model.totals());
    for (const [account, balance] of model.balances) expect(t.ledger.balance(account)).toBe(balance);
    expect([...seen.keys()].sort()).toEqual(['already_granted', 'bad_amount', 'exists', 'hold_expired', 'hold_posted',
      'hold_voided', 'insufficient_points', 'ip_limit', 'no_such_hold', 'not_your_hold', 'ok', 'self_payment',
      'unknown_account']);
  });

  it('throws LedgerInvariantError when a balance is changed behind the ledger', () => {
    fund(t.ledger, 50, 'alice', 'bob');
    t.db.prepare(`UPDATE accounts SET balance = balance + 1 WHERE id = 'alice'`).run();
    expect(() => t.ledger.checkInvariant()).toThrow(LedgerInvariantError);
    expect(() => t.ledger.checkInvariant())
      .toThrow('ledger invariant broken: balances 101 + held 0 = 101, but 100 points were minted');
  });

  it('throws when points move between accounts without a journal line', () => {
    fund(t.ledger, 50, 'alice', 'bob');
    t.db.prepare(`UPDATE accounts SET balance = balance + 5 WHERE id = 'alice'`).run();
    t.db.prepare(`UPDATE accounts SET balance = balance - 5 WHERE id = 'bob'`).run();
    expect(() => t.ledger.checkInvariant())
      .toThrow('ledger invariant broken: balances differ from the journal: alice has 55, journal 50; bob has 45, journal 50');
  });
});

