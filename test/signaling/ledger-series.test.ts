import Database from 'better-sqlite3';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR_MS, START_MS, describeEachStore, fundStore, makeTempDir, type TestStore } from '../helpers/ledger.ts';
import { LEDGER_FILE, openLedger } from '../../signaling/ledger/database.ts';
import { Ledger, type LedgerOp } from '../../signaling/ledger/ledger.ts';
import { MIGRATIONS } from '../../signaling/ledger/migrations.ts';
import type { LedgerStore } from '../../signaling/ledger/store.ts';
import { LedgerUsageError } from '../../signaling/ledger/results.ts';

const CLIENT = 'client-a';
const [W1, W2, W3] = ['worker-1', 'worker-2', 'worker-3'];
const LATER = { expiresAtMs: START_MS + HOUR_MS };

describe('schema version 2', () => {
  it('upgrades a version 1 file in place: balances, holds and first outcomes kept, series holds work', () => {
    const dataDir = makeTempDir();
    try {
      const old = new Database(join(dataDir, LEDGER_FILE));
      old.exec(MIGRATIONS[0]!);
      old.pragma('user_version = 1');
      old.exec(`
        INSERT INTO accounts (id, balance, created_at_ms) VALUES ('alice', 70, 0), ('bob', 0, 0);
        UPDATE accounts SET balance = -100 WHERE id = '@mint';
        UPDATE accounts SET balance = 30 WHERE id = '@escrow';
        INSERT INTO grants VALUES ('alice', '10.0.0.1', '2026-11-24', 'g1', 0);
        INSERT INTO requests VALUES ('g1', 'grant', '["alice",100]', 'ok', 0), ('h1', 'hold', '["alice","bob",30]', 'ok', 0);
        INSERT INTO transfers (request_id, kind, debit, credit, amount, hold_id, at_ms) VALUES
          ('g1', 'grant', '@mint', 'alice', 100, NULL, 0), ('h1', 'hold', 'alice', '@escrow', 30, 'h1', 0);
        INSERT INTO holds (id, client, worker, amount, expires_at_ms, state, created_at_ms) VALUES ('h1', 'alice', 'bob', 30, ${LATER.expiresAtMs}, 'open', 0);
      `);
      old.close();
      const db = openLedger(dataDir);
      try {
        const upgraded = new Ledger({ db, clock: () => START_MS });
        expect(db.pragma('user_version', { simple: true })).toBe(2);
        expect(upgraded.checkInvariant()).toEqual({ minted: 100, balances: 70, held: 30 });
        expect(upgraded.outcome('h1')).toEqual({ op: 'hold', result: 'ok' });
        expect(upgraded.hold('h1', 'alice', 'bob', 30, LATER)).toBe('ok');
        expect(upgraded.escrow('e1', 'alice', 50, LATER)).toBe('ok');
        expect(upgraded.pay('p1', 'e1', 'alice', 'bob', 20, 'post')).toBe('ok');
        expect(upgraded.post('s1', 'h1', 'alice')).toBe('ok');
        expect(upgraded.checkInvariant()).toEqual({ minted: 100, balances: 70, held: 30 });
        expect(() => db.prepare('DELETE FROM requests').run()).toThrow('requests are append-only');
      } finally {
        db.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describeEachStore('series holds', (open) => {
  let t: TestStore;
  let ledger: LedgerStore;

  beforeEach(async () => {
    t = await open({ grantPoints: 100 });
    ledger = t.store;
    await fundStore(ledger, 100, CLIENT);
    for (const worker of [W1, W2, W3]) await ledger.openAccount(worker);
  });

  afterEach(() => t.close());

  /** Balances of the client and the three workers, and what the client holds. */
  async function books() {
    return {
      client: await ledger.balance(CLIENT), held: await ledger.heldBy(CLIENT),
      w1: await ledger.balance(W1), w2: await ledger.balance(W2), w3: await ledger.balance(W3),
    };
  }

  describe('series holds', () => {
    it('escrows a budget once and pays several workers from it, each payment a journal line', async () => {
      expect(await ledger.escrow('e1', CLIENT, 60, LATER)).toBe('ok');
      expect(await books()).toEqual({ client: 40, held: 60, w1: 0, w2: 0, w3: 0 });
      expect(await ledger.checkInvariant()).toEqual({ minted: 100, balances: 40, held: 60 });
      expect((await ledger.transact([
        { op: 'pay', id: 'p1', escrowId: 'e1', by: CLIENT, worker: W1, amount: 10, action: 'post' },
        { op: 'pay', id: 'p2', escrowId: 'e1', by: CLIENT, worker: W2, amount: 15, action: 'post' },
        { op: 'pay', id: 'p3', escrowId: 'e1', by: CLIENT, worker: W1, amount: 5, action: 'post' },
      ]))).toEqual(['ok', 'ok', 'ok']);
      expect(await books()).toEqual({ client: 40, held: 30, w1: 15, w2: 15, w3: 0 });
      expect(await ledger.escrows(CLIENT)).toEqual([
        { id: 'e1', client: CLIENT, amount: 60, remaining: 30, expiresAtMs: LATER.expiresAtMs, state: 'open', returned: null },
      ]);
      expect((await ledger.history(W1)).map((e) => [e.transferId, e.kind, e.delta, e.holdId])).toEqual([['p3', 'post', 5, 'e1'], ['p1', 'post', 10, 'e1']]);
      expect(await ledger.record(W1)).toMatchObject({ jobs: 2, rejected: 0 });
      expect(await ledger.checkInvariant()).toEqual({ minted: 100, balances: 70, held: 30 });
    });

    it('pays up to exactly what is left, and refuses more with over_budget, moving nothing', async () => {
      await ledger.escrow('e1', CLIENT, 20, LATER);
      expect(await ledger.pay('p1', 'e1', CLIENT, W1, 15, 'post')).toBe('ok');
      expect(await ledger.pay('p2', 'e1', CLIENT, W2, 6, 'post')).toBe('over_budget');
      expect(await books()).toEqual({ client: 80, held: 5, w1: 15, w2: 0, w3: 0 });
      expect(await ledger.record(W2)).toMatchObject({ jobs: 0, rejected: 0 });
      expect(await ledger.pay('p3', 'e1', CLIENT, W2, 5, 'post')).toBe('ok');
      expect(await ledger.pay('p4', 'e1', CLIENT, W3, 1, 'post')).toBe('over_budget');
      expect(await books()).toEqual({ client: 80, held: 0, w1: 15, w2: 5, w3: 0 });
      expect(await ledger.escrows(CLIENT)).toMatchObject([{ id: 'e1', remaining: 0, state: 'open' }]);
      await ledger.checkInvariant();
    });

    it('counts an outvoted result against its worker with no payment and no journal line', async () => {
      await ledger.escrow('e1', CLIENT, 20, LATER);
      const lines = (await ledger.history(CLIENT)).length;
      expect(await ledger.pay('r1', 'e1', CLIENT, W3, 5, 'reject')).toBe('ok');
      expect(await ledger.record(W3)).toMatchObject({ jobs: 0, rejected: 1, valid: 0 });
      expect(await books()).toEqual({ client: 80, held: 20, w1: 0, w2: 0, w3: 0 });
      expect(await ledger.history(CLIENT)).toHaveLength(lines);
      expect(await ledger.history(W3)).toEqual([]);
      // Rejecting more than is left is no payment either: the budget does not bound it.
      expect(await ledger.pay('r2', 'e1', CLIENT, W3, 500, 'reject')).toBe('ok');
      await ledger.checkInvariant();
    });

    it('releases the rest to the client once; later payments and releases are hold_released', async () => {
      await ledger.escrow('e1', CLIENT, 50, LATER);
      await ledger.pay('p1', 'e1', CLIENT, W1, 20, 'post');
      expect(await ledger.release('x1', 'e1', CLIENT)).toEqual({ result: 'ok', amount: 30 });
      expect(await books()).toEqual({ client: 80, held: 0, w1: 20, w2: 0, w3: 0 });
      expect((await ledger.history(CLIENT))[0]).toMatchObject({ transferId: 'x1', kind: 'void', delta: 30, holdId: 'e1' });
      expect(await ledger.release('x1', 'e1', CLIENT)).toEqual({ result: 'ok', amount: 30 });
      expect(await ledger.release('x2', 'e1', CLIENT)).toEqual({ result: 'hold_released', amount: 0 });
      expect(await ledger.pay('p2', 'e1', CLIENT, W2, 1, 'post')).toBe('hold_released');
      expect(await ledger.escrowById('e1')).toMatchObject({ state: 'released', remaining: 0, returned: 30 });
      expect(await ledger.escrows(CLIENT)).toEqual([]);
      expect(await ledger.checkInvariant()).toEqual({ minted: 100, balances: 100, held: 0 });
    });

    it('releases a used-up escrow with no journal line', async () => {
      await ledger.escrow('e1', CLIENT, 10, LATER);
      await ledger.pay('p1', 'e1', CLIENT, W1, 10, 'post');
      const lines = (await ledger.history(CLIENT)).length;
      expect(await ledger.release('x1', 'e1', CLIENT)).toEqual({ result: 'ok', amount: 0 });
      expect(await ledger.history(CLIENT)).toHaveLength(lines);
      await ledger.checkInvariant();
    });

    it('gives the rest back when the escrow expires, by the sweep or by the payment that finds it expired', async () => {
      await ledger.escrow('e1', CLIENT, 30, LATER);
      await ledger.escrow('e2', CLIENT, 30, { expiresAtMs: START_MS + 2 * HOUR_MS });
      await ledger.pay('p1', 'e1', CLIENT, W1, 10, 'post');
      t.clock.advance(HOUR_MS);
      expect(await ledger.expire()).toBe(1);
      expect(await books()).toEqual({ client: 60, held: 30, w1: 10, w2: 0, w3: 0 });
      expect(await ledger.pay('p2', 'e1', CLIENT, W1, 1, 'post')).toBe('hold_expired');
      expect(await ledger.release('x1', 'e1', CLIENT)).toEqual({ result: 'hold_expired', amount: 0 });
      expect(await ledger.escrowById('e1')).toMatchObject({ state: 'expired', returned: 20 });
      t.clock.advance(HOUR_MS);
      expect(await ledger.pay('p3', 'e2', CLIENT, W2, 1, 'post')).toBe('hold_expired');
      expect(await books()).toEqual({ client: 90, held: 0, w1: 10, w2: 0, w3: 0 });
      expect((await ledger.history(CLIENT))[0]).toMatchObject({ transferId: null, kind: 'expire', delta: 30, holdId: 'e2' });
      expect(await ledger.checkInvariant()).toEqual({ minted: 100, balances: 100, held: 0 });
    });

    it('answers a retried payment with its first outcome and pays once; another request on its id is exists', async () => {
      await ledger.escrow('e1', CLIENT, 30, LATER);
      expect(await ledger.pay('p1', 'e1', CLIENT, W1, 10, 'post')).toBe('ok');
      expect(await ledger.pay('p1', 'e1', CLIENT, W1, 10, 'post')).toBe('ok');
      expect(await ledger.pay('p1', 'e1', CLIENT, W1, 11, 'post')).toBe('exists');
      expect(await ledger.pay('p1', 'e1', CLIENT, W1, 10, 'reject')).toBe('exists');
      expect(await ledger.pay('p1', 'e1', CLIENT, W2, 10, 'post')).toBe('exists');
      expect(await ledger.escrow('e1', CLIENT, 30, { expiresAtMs: START_MS + 1 })).toBe('ok');
      expect(await ledger.escrow('e1', CLIENT, 31, LATER)).toBe('exists');
      expect(await ledger.hold('p1', CLIENT, W1, 10, LATER)).toBe('exists');
      expect(await ledger.pay('p2', 'e1', CLIENT, W2, 30, 'post')).toBe('over_budget');
      expect(await ledger.pay('p2', 'e1', CLIENT, W2, 30, 'post')).toBe('over_budget');
      expect(await books()).toEqual({ client: 70, held: 20, w1: 10, w2: 0, w3: 0 });
      expect(await ledger.record(W1)).toMatchObject({ jobs: 1 });
      await ledger.checkInvariant();
    });

    it('lets only the escrow\'s client pay from it or release it', async () => {
      await fundStore(ledger, 100, 'mallory');
      await ledger.escrow('e1', CLIENT, 30, LATER);
      expect(await ledger.pay('p1', 'e1', 'mallory', W1, 10, 'post')).toBe('not_your_hold');
      expect(await ledger.pay('p2', 'e1', W1, W1, 10, 'post')).toBe('not_your_hold');
      expect(await ledger.release('x1', 'e1', 'mallory')).toEqual({ result: 'not_your_hold', amount: 0 });
      expect(await books()).toEqual({ client: 70, held: 30, w1: 0, w2: 0, w3: 0 });
    });

    it('refuses escrows and payments the rules forbid, in precedence order', async () => {
      expect(await ledger.escrow('e0', CLIENT, 101, LATER)).toBe('insufficient_points');
      expect(await ledger.escrow('e9', 'nobody', 1, LATER)).toBe('unknown_account');
      expect(await ledger.escrow('e8', CLIENT, 0, LATER)).toBe('bad_amount');
      expect(await ledger.pay('p0', 'no-such', CLIENT, W1, 1, 'post')).toBe('no_such_hold');
      await ledger.escrow('e1', CLIENT, 30, LATER);
      expect(await ledger.pay('p1', 'e1', CLIENT, W1, 1.5, 'post')).toBe('bad_amount');
      expect(await ledger.pay('p2', 'e1', CLIENT, CLIENT, 1, 'post')).toBe('self_payment');
      expect(await ledger.pay('p3', 'e1', CLIENT, 'stranger', 1, 'post')).toBe('unknown_account');
      expect(await ledger.pay('p4', 'e1', CLIENT, 'stranger', 31, 'post')).toBe('unknown_account');
      expect(await ledger.pay('p5', 'e1', CLIENT, W1, 31, 'post')).toBe('over_budget');
      await ledger.checkInvariant();
    });

    it('keeps job holds and series holds apart: each settles only its own kind', async () => {
      await ledger.escrow('e1', CLIENT, 30, LATER);
      await ledger.hold('h1', CLIENT, W1, 10, LATER);
      expect(await ledger.post('s1', 'e1', CLIENT)).toBe('no_such_hold');
      expect(await ledger.pay('p1', 'h1', CLIENT, W1, 10, 'post')).toBe('no_such_hold');
      expect(await ledger.release('x1', 'h1', CLIENT)).toEqual({ result: 'no_such_hold', amount: 0 });
      expect(await ledger.heldBy(CLIENT)).toBe(40);
      expect((await ledger.openHolds()).holds.map((h) => h.id)).toEqual(['h1']);
      expect(await ledger.openEscrows()).toEqual({ escrows: [expect.objectContaining({ id: 'e1' })], total: 1 });
    });

    it('throws for an escrow that expires no later than now, or a pay with an unknown action', async () => {
      await expect(ledger.escrow('e1', CLIENT, 1, { expiresAtMs: START_MS })).rejects.toThrow(LedgerUsageError);
      await expect(ledger.pay('p1', 'e1', CLIENT, W1, 1, 'void' as 'post')).rejects.toThrow('pay action must be post or reject; got "void"');
      expect(await ledger.balance(CLIENT)).toBe(100);
    });
  });

  describe('one transaction for many requests', () => {
    /** Every row a request may change, as the readers outside a transaction see them. */
    const rows = async (l: LedgerStore) => ({
      accounts: await Promise.all([CLIENT, W1, W2, W3].map(async (id) =>
        [await l.balance(id), await l.heldBy(id), await l.record(id), await l.history(id, 50)])),
      escrows: await Promise.all(['e1', 'e2'].map((id) => l.escrowById(id))),
      totals: await l.checkInvariant(),
    });
    const requests = (): LedgerOp[] => [
      ...[W1, W2, W1, W3, W2, W1].map((worker, i): LedgerOp => ({ op: 'pay', id: `p${i}`, escrowId: 'e1', by: CLIENT, worker, amount: 7, action: 'post' })),
      { op: 'pay', id: 'r1', escrowId: 'e1', by: CLIENT, worker: W2, amount: 7, action: 'reject' },
      { op: 'pay', id: 'big', escrowId: 'e1', by: CLIENT, worker: W3, amount: 9, action: 'post' },
      { op: 'pay', id: 'p0', escrowId: 'e1', by: CLIENT, worker: W1, amount: 7, action: 'post' },
      { op: 'hold', id: 'h1', client: CLIENT, worker: W3, amount: 39, expiresAtMs: START_MS + 3 * HOUR_MS },
      { op: 'hold', id: 'h2', client: CLIENT, worker: W3, amount: 1, expiresAtMs: START_MS + 3 * HOUR_MS },
      { op: 'post', id: 's1', holdId: 'h1', by: CLIENT },
      { op: 'pay', id: 'p7', escrowId: 'e2', by: CLIENT, worker: W1, amount: 3, action: 'post' },
      { op: 'release', id: 'x1', escrowId: 'e1', by: CLIENT },
      { op: 'pay', id: 'p8', escrowId: 'e1', by: CLIENT, worker: W2, amount: 1, action: 'post' },
      { op: 'escrow', id: 'e3', client: CLIENT, amount: 1, expiresAtMs: START_MS + 3 * HOUR_MS },
    ];
    /** A ledger with two escrows and workers judged an hour earlier, so their records decay. */
    const prepared = async (): Promise<TestStore> => {
      const other = await open({ grantPoints: 100 });
      await fundStore(other.store, 100, CLIENT);
      for (const worker of [W1, W2, W3]) await other.store.openAccount(worker);
      await other.store.escrow('e1', CLIENT, 50, { expiresAtMs: START_MS + 3 * HOUR_MS });
      await other.store.escrow('e2', CLIENT, 10, { expiresAtMs: START_MS + HOUR_MS / 2 });
      await other.store.pay('old1', 'e1', CLIENT, W1, 1, 'post');
      await other.store.pay('old2', 'e1', CLIENT, W2, 1, 'reject');
      other.clock.advance(HOUR_MS);
      return other;
    };

    it('leaves the same rows, to the last bit of a record, as the same requests one per transaction', async () => {
      const [one, batched, each] = [await prepared(), await prepared(), await prepared()];
      try {
        const results = [];
        for (const op of requests()) results.push((await one.store.transact([op]))[0]);
        expect(results).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'over_budget', 'ok', 'ok', 'ok', 'ok',
          'hold_expired', 'ok', 'hold_released', 'ok']);
        expect(await batched.store.transact(requests())).toEqual(results);
        expect(await each.store.transactEach(requests())).toEqual(results);
        expect(await rows(batched.store)).toEqual(await rows(one.store));
        expect(await rows(each.store)).toEqual(await rows(one.store));
      } finally {
        for (const l of [one, batched, each]) await l.close();
      }
    });
  });
});
