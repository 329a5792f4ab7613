import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR_MS, START_MS, describeEachStore, fundStore, type TestStore } from '../helpers/ledger.ts';
import { HISTORY_MAX_ROWS, type LedgerOp } from '../../signaling/ledger/ledger.ts';
import { ledgerOptions } from '../../signaling/ledger/options.ts';
import type { LedgerStore } from '../../signaling/ledger/store.ts';
import { TRANSACT_MAX_OPS } from '../../signaling/ledger/ops.ts';
import { LedgerUsageError, TRANSFER_ID_MAX_CHARS } from '../../signaling/ledger/results.ts';

const EXPIRES = START_MS + HOUR_MS;

describeEachStore('ledger transact', (open) => {
  let t: TestStore;
  let ledger: LedgerStore;

  beforeEach(async () => {
    t = await open();
    ledger = t.store;
    await fundStore(ledger, 100, 'alice', 'bob');
  });

  afterEach(() => t.close());

  describe('transact', () => {
    it('runs a batch in one transaction and answers one result per operation, in order', async () => {
      const ops: LedgerOp[] = [
        { op: 'hold', id: 'h1', client: 'alice', worker: 'bob', amount: 30, expiresAtMs: EXPIRES },
        { op: 'hold', id: 'h2', client: 'alice', worker: 'bob', amount: 80, expiresAtMs: EXPIRES },
        { op: 'post', id: 'p1', holdId: 'h1', by: 'alice' },
        { op: 'post', id: 'p1', holdId: 'h1', by: 'alice' },
        { op: 'void', id: 'v1', holdId: 'h1', by: 'alice' },
        { op: 'hold', id: 'p1', client: 'bob', worker: 'alice', amount: 5, expiresAtMs: EXPIRES },
        { op: 'grant', id: 'g1', account: 'carol', amount: 100, ip: '10.0.0.3', day: '2026-11-24' },
        { op: 'reject', id: 'r1', holdId: 'h9', by: 'alice', reason: 'no such job' },
      ];
      expect(await ledger.transact(ops)).toEqual(['ok', 'insufficient_points', 'ok', 'ok', 'hold_posted', 'exists', 'ok', 'no_such_hold']);
      expect([(await ledger.balance('alice')), (await ledger.balance('bob')), (await ledger.balance('carol'))]).toEqual([70, 130, 100]);
    });

    it('answers a retried batch with the first outcomes and moves nothing more', async () => {
      const ops: LedgerOp[] = [
        { op: 'hold', id: 'h1', client: 'alice', worker: 'bob', amount: 30, expiresAtMs: EXPIRES },
        { op: 'post', id: 'p1', holdId: 'h1', by: 'alice' },
      ];
      expect(await ledger.transact(ops)).toEqual(['ok', 'ok']);
      expect(await ledger.transact(ops)).toEqual(['ok', 'ok']);
      expect(await ledger.balance('bob')).toBe(130);
    });

    it('writes nothing of a batch holding one malformed operation, and throws', async () => {
      const ops: LedgerOp[] = [
        { op: 'hold', id: 'h1', client: 'alice', worker: 'bob', amount: 30, expiresAtMs: EXPIRES },
        { op: 'post', id: '', holdId: 'h1', by: 'alice' },
      ];
      await expect(ledger.transact(ops)).rejects.toThrow(LedgerUsageError);
      expect(await ledger.outcome('h1')).toBeUndefined();
      expect(await ledger.balance('alice')).toBe(100);
    });

    it('rolls back the whole batch when an operation throws halfway', async () => {
      const ops: LedgerOp[] = [
        { op: 'hold', id: 'h1', client: 'alice', worker: 'bob', amount: 30, expiresAtMs: EXPIRES },
        { op: 'hold', id: 'h2', client: 'alice', worker: 'bob', amount: 30, expiresAtMs: START_MS },
      ];
      await expect(ledger.transact(ops)).rejects.toThrow('hold h2 would expire at 1795478400000, not after now (1795478400000)');
      expect(await ledger.outcome('h1')).toBeUndefined();
      expect(await ledger.totals()).toEqual({ minted: 200, balances: 200, held: 0 });
    });

    it(`refuses a batch of more than ${TRANSACT_MAX_OPS} operations before running any`, async () => {
      const ops: LedgerOp[] = Array.from({ length: TRANSACT_MAX_OPS + 1 }, (_, i) => ({
        op: 'hold', id: `h${i}`, client: 'alice', worker: 'bob', amount: 1, expiresAtMs: EXPIRES,
      }));
      await expect(ledger.transact(ops)).rejects.toThrow(`transact takes an array of at most ${TRANSACT_MAX_OPS} operations; got 10001 (hint: split the batch)`);
      expect(await ledger.balance('alice')).toBe(100);
    });
  });

  describe('wrong calls', () => {
    it('throws LedgerUsageError for an empty or overlong transfer id', async () => {
      await expect(ledger.post('', 'h1', 'alice')).rejects.toThrow(LedgerUsageError);
      await expect(ledger.post('x'.repeat(TRANSFER_ID_MAX_CHARS + 1), 'h1', 'alice')).rejects
        .toThrow(`transfer id must be a string of 1 to ${TRANSFER_ID_MAX_CHARS} characters; got 129 characters`);
    });

    it('throws for an account id reserved for the ledger itself', async () => {
      await expect(ledger.hold('h1', '@mint', 'bob', 1, { expiresAtMs: EXPIRES })).rejects
        .toThrow('account id "@mint" is reserved: ids starting with "@" belong to the ledger');
      await expect(ledger.balance('@escrow')).rejects.toThrow(LedgerUsageError);
    });

    it('throws for an unknown operation in a batch', async () => {
      const bogus = { op: 'steal', id: 'x1' } as unknown as LedgerOp;
      await expect(ledger.transact([bogus])).rejects.toThrow('unknown ledger operation "steal"; known: grant, hold, post, void, reject, escrow, pay, release');
    });

    it('throws for a hold that expires no later than now, a bad history limit or a bad option', async () => {
      await expect(ledger.hold('h1', 'alice', 'bob', 1, { expiresAtMs: START_MS })).rejects.toThrow(LedgerUsageError);
      await expect(ledger.history('alice', HISTORY_MAX_ROWS + 1)).rejects.toThrow('history limit must be 1 to 1000; got 1001');
      expect(() => ledgerOptions({ grantPoints: 0 }))
        .toThrow('ledger option grantPoints must be a positive integer; got 0');
    });

    it('throws for a reject without a reason string or with an overlong one', async () => {
      await ledger.hold('h1', 'alice', 'bob', 1, { expiresAtMs: EXPIRES });
      await expect(ledger.reject('r1', 'h1', 'alice', 'x'.repeat(201))).rejects.toThrow(LedgerUsageError);
      expect(await ledger.reject('r1', 'h1', 'alice', '')).toBe('ok');
    });
  });

  describe('history', () => {
    it('lists the journal lines of an account newest first with the change to that account', async () => {
      await ledger.hold('h1', 'alice', 'bob', 30, { expiresAtMs: EXPIRES });
      t.clock.advance(1000);
      await ledger.post('p1', 'h1', 'alice');
      expect(await ledger.history('alice')).toEqual([
        { seq: 3, transferId: 'h1', kind: 'hold', debit: 'alice', credit: '@escrow', amount: 30, delta: -30, holdId: 'h1', atMs: START_MS },
        { seq: 1, transferId: 'grant-alice', kind: 'grant', debit: '@mint', credit: 'alice', amount: 100, delta: 100, holdId: null, atMs: START_MS },
      ]);
      expect(await ledger.history('bob', 1)).toEqual([
        { seq: 4, transferId: 'p1', kind: 'post', debit: '@escrow', credit: 'bob', amount: 30, delta: 30, holdId: 'h1', atMs: START_MS + 1000 },
      ]);
      expect(await ledger.history('nobody')).toEqual([]);
    });
  });
});
