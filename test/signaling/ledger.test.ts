import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, START_MS, describeEachStore, fundStore, type TestStore } from '../helpers/ledger.ts';
import type { LedgerStore } from '../../signaling/ledger/store.ts';

const CLIENT = 'client-a';
const WORKER = 'worker-b';
const STRANGER = 'stranger-c';
const DAY = '2026-11-24';
const LATER = { expiresAtMs: START_MS + HOUR_MS };

describeEachStore('ledger', (open) => {
  let t: TestStore;
  let ledger: LedgerStore;

  beforeEach(async () => {
    t = await open({ grantPoints: 100, grantsPerIpPerDay: 2 });
    ledger = t.store;
  });

  afterEach(() => t.close());

  describe('grant', () => {
    it('mints the points to a new account and counts them as minted', async () => {
      expect(await ledger.grant('g1', CLIENT, 100, { ip: '10.0.0.1', day: DAY })).toBe('ok');
      expect(await ledger.balance(CLIENT)).toBe(100);
      expect(await ledger.totals()).toEqual({ minted: 100, balances: 100, held: 0 });
    });

    it('grants once per account: a second grant with a new transfer id is already_granted', async () => {
      expect(await ledger.grant('g1', CLIENT, 100, { ip: '10.0.0.1', day: DAY })).toBe('ok');
      expect(await ledger.grant('g2', CLIENT, 100, { ip: '10.0.0.2', day: DAY })).toBe('already_granted');
      expect(await ledger.balance(CLIENT)).toBe(100);
    });

    it('refuses grants past grantsPerIpPerDay from one IP on one day with ip_limit', async () => {
      expect(await ledger.grant('g1', 'a1', 100, { ip: '10.0.0.1', day: DAY })).toBe('ok');
      expect(await ledger.grant('g2', 'a2', 100, { ip: '10.0.0.1', day: DAY })).toBe('ok');
      expect(await ledger.grant('g3', 'a3', 100, { ip: '10.0.0.1', day: DAY })).toBe('ip_limit');
      expect(await ledger.balance('a3')).toBeNull();
      expect(await ledger.grant('g4', 'a3', 100, { ip: '10.0.0.1', day: '2026-11-25' })).toBe('ok');
      expect(await ledger.grant('g5', 'a4', 100, { ip: '10.0.0.9', day: DAY })).toBe('ok');
    });

    it('refuses a grant larger than grantPoints with bad_amount', async () => {
      expect(await ledger.grant('g1', CLIENT, 101, { ip: '10.0.0.1', day: DAY })).toBe('bad_amount');
      expect(await ledger.balance(CLIENT)).toBeNull();
    });

    it('answers a retried grant with its first outcome, even once the refusal no longer applies', async () => {
      await ledger.grant('g1', 'a1', 100, { ip: '10.0.0.1', day: DAY });
      await ledger.grant('g2', 'a2', 100, { ip: '10.0.0.1', day: DAY });
      expect(await ledger.grant('g3', 'a3', 100, { ip: '10.0.0.1', day: DAY })).toBe('ip_limit');
      expect(await ledger.grant('g3', 'a3', 100, { ip: '10.0.0.7', day: '2026-11-25' })).toBe('ip_limit');
      expect(await ledger.grant('g1', 'a1', 100, { ip: '10.0.0.1', day: DAY })).toBe('ok');
      expect((await ledger.totals()).minted).toBe(200);
    });

    it('answers exists when a transfer id is reused for a grant to another account', async () => {
      expect(await ledger.grant('g1', 'a1', 100, { ip: '10.0.0.1', day: DAY })).toBe('ok');
      expect(await ledger.grant('g1', 'a2', 100, { ip: '10.0.0.2', day: DAY })).toBe('exists');
      expect(await ledger.balance('a2')).toBeNull();
    });
  });

  describe('hold', () => {
    beforeEach(() => fundStore(ledger, 100, CLIENT, WORKER));

    it('moves points from the client balance into a hold for the worker', async () => {
      expect(await ledger.hold('h1', CLIENT, WORKER, 40, LATER)).toBe('ok');
      expect(await ledger.balance(CLIENT)).toBe(60);
      expect(await ledger.balance(WORKER)).toBe(100);
      const open = [{ id: 'h1', client: CLIENT, worker: WORKER, amount: 40, expiresAtMs: LATER.expiresAtMs }];
      expect(await ledger.holds(CLIENT)).toEqual(open);
      expect(await ledger.holds(WORKER)).toEqual(open);
      expect(await ledger.totals()).toEqual({ minted: 200, balances: 160, held: 40 });
    });

    it('allows a hold of the whole balance and refuses one point more with insufficient_points', async () => {
      expect(await ledger.hold('h1', CLIENT, WORKER, 101, LATER)).toBe('insufficient_points');
      expect(await ledger.hold('h2', CLIENT, WORKER, 100, LATER)).toBe('ok');
      expect(await ledger.hold('h3', CLIENT, WORKER, 1, LATER)).toBe('insufficient_points');
      expect(await ledger.balance(CLIENT)).toBe(0);
      expect(await ledger.totals()).toEqual({ minted: 200, balances: 100, held: 100 });
    });

    it('refuses a hold from a client to itself with self_payment', async () => {
      expect(await ledger.hold('h1', CLIENT, CLIENT, 10, LATER)).toBe('self_payment');
    });

    it('refuses a hold from or to an account never opened with unknown_account', async () => {
      expect(await ledger.hold('h1', STRANGER, WORKER, 10, LATER)).toBe('unknown_account');
      expect(await ledger.hold('h2', CLIENT, STRANGER, 10, LATER)).toBe('unknown_account');
      expect(await ledger.openAccount(STRANGER)).toBe(true);
      expect(await ledger.openAccount(STRANGER)).toBe(false);
      expect(await ledger.hold('h3', CLIENT, STRANGER, 10, LATER)).toBe('ok');
    });

    it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1, 2 ** 64])(
      'refuses the amount %s with bad_amount', async (amount) => {
        expect(await ledger.hold('h1', CLIENT, WORKER, amount, LATER)).toBe('bad_amount');
        expect(await ledger.grant('g1', STRANGER, amount, { ip: '10.0.0.1', day: DAY })).toBe('bad_amount');
        expect(await ledger.totals()).toEqual({ minted: 200, balances: 200, held: 0 });
      });

    it('treats Number.MAX_SAFE_INTEGER as an amount, refused only for want of points', async () => {
      expect(await ledger.hold('h1', CLIENT, WORKER, Number.MAX_SAFE_INTEGER, LATER)).toBe('insufficient_points');
    });

    it('checks in order: bad_amount, self_payment, unknown_account, insufficient_points', async () => {
      expect(await ledger.hold('h1', STRANGER, STRANGER, 0, LATER)).toBe('bad_amount');
      expect(await ledger.hold('h2', STRANGER, STRANGER, 500, LATER)).toBe('self_payment');
      expect(await ledger.hold('h3', STRANGER, WORKER, 500, LATER)).toBe('unknown_account');
      expect(await ledger.hold('h4', CLIENT, WORKER, 500, LATER)).toBe('insufficient_points');
    });

    it('answers a retried hold with its first outcome, even once the client can afford it', async () => {
      expect(await ledger.hold('h1', CLIENT, WORKER, 150, LATER)).toBe('insufficient_points');
      expect(await ledger.hold('h2', WORKER, CLIENT, 50, LATER)).toBe('ok');
      expect(await ledger.post('p2', 'h2', WORKER)).toBe('ok');
      expect(await ledger.balance(CLIENT)).toBe(150);
      expect(await ledger.hold('h1', CLIENT, WORKER, 150, LATER)).toBe('insufficient_points');
      expect(await ledger.hold('h3', CLIENT, WORKER, 150, LATER)).toBe('ok');
    });

    it('answers a retried hold once with its expiry recomputed, moving the points once', async () => {
      expect(await ledger.hold('h1', CLIENT, WORKER, 40, LATER)).toBe('ok');
      expect(await ledger.hold('h1', CLIENT, WORKER, 40, { expiresAtMs: LATER.expiresAtMs + 5000 })).toBe('ok');
      expect(await ledger.balance(CLIENT)).toBe(60);
      expect(await ledger.hold('h1', CLIENT, WORKER, 41, LATER)).toBe('exists');
    });
  });

  describe('post, void and reject', () => {
    beforeEach(async () => {
      await fundStore(ledger, 100, CLIENT, WORKER, STRANGER);
      expect(await ledger.hold('h1', CLIENT, WORKER, 40, LATER)).toBe('ok');
    });

    it('posts the hold to the worker and closes it', async () => {
      expect(await ledger.post('p1', 'h1', CLIENT)).toBe('ok');
      expect([(await ledger.balance(CLIENT)), (await ledger.balance(WORKER))]).toEqual([60, 140]);
      expect(await ledger.holds(CLIENT)).toEqual([]);
      expect(await ledger.totals()).toEqual({ minted: 300, balances: 300, held: 0 });
    });

    it('refuses a post by the worker or a stranger with not_your_hold', async () => {
      expect(await ledger.post('p1', 'h1', WORKER)).toBe('not_your_hold');
      expect(await ledger.post('p2', 'h1', STRANGER)).toBe('not_your_hold');
      expect(await ledger.reject('r1', 'h1', WORKER, 'wrong')).toBe('not_your_hold');
      expect(await ledger.void('v1', 'h1', STRANGER)).toBe('not_your_hold');
      expect((await ledger.totals()).held).toBe(40);
    });

    it('answers a retried post with its first outcome and pays once', async () => {
      expect(await ledger.post('p1', 'h1', CLIENT)).toBe('ok');
      expect(await ledger.post('p1', 'h1', CLIENT)).toBe('ok');
      expect(await ledger.balance(WORKER)).toBe(140);
      expect((await ledger.record(WORKER)).jobs).toBe(1);
    });

    it('answers a second post with a new transfer id with hold_posted', async () => {
      expect(await ledger.post('p1', 'h1', CLIENT)).toBe('ok');
      expect(await ledger.post('p2', 'h1', CLIENT)).toBe('hold_posted');
      expect(await ledger.balance(WORKER)).toBe(140);
    });

    it('answers a void after the post with hold_posted', async () => {
      expect(await ledger.post('p1', 'h1', CLIENT)).toBe('ok');
      expect(await ledger.void('v1', 'h1', CLIENT)).toBe('hold_posted');
      expect(await ledger.reject('r1', 'h1', CLIENT, 'late')).toBe('hold_posted');
      expect(await ledger.balance(CLIENT)).toBe(60);
    });

    it('answers a post after the void with hold_voided and refunds the client once', async () => {
      expect(await ledger.void('v1', 'h1', CLIENT)).toBe('ok');
      expect(await ledger.post('p1', 'h1', CLIENT)).toBe('hold_voided');
      expect(await ledger.void('v2', 'h1', CLIENT)).toBe('hold_voided');
      expect([(await ledger.balance(CLIENT)), (await ledger.balance(WORKER))]).toEqual([100, 100]);
    });

    it('answers a post after a reject with hold_voided', async () => {
      expect(await ledger.reject('r1', 'h1', CLIENT, 'result differs from the majority')).toBe('ok');
      expect(await ledger.post('p1', 'h1', CLIENT)).toBe('hold_voided');
      expect(await ledger.balance(CLIENT)).toBe(100);
    });

    it('lets the worker give the points back with a void', async () => {
      expect(await ledger.void('v1', 'h1', WORKER)).toBe('ok');
      expect(await ledger.balance(CLIENT)).toBe(100);
    });

    it('answers no_such_hold for a hold id never held', async () => {
      expect(await ledger.post('p1', 'nope', CLIENT)).toBe('no_such_hold');
      expect(await ledger.void('v1', 'p1', CLIENT)).toBe('no_such_hold');
    });

    it('answers exists when a post reuses the transfer id of another request', async () => {
      expect(await ledger.post('h1', 'h1', CLIENT)).toBe('exists');
      expect(await ledger.post('p1', 'h1', CLIENT)).toBe('ok');
      expect(await ledger.void('p1', 'h1', CLIENT)).toBe('exists');
      expect(await ledger.post('p1', 'h1', STRANGER)).toBe('exists');
      expect(await ledger.outcome('p1')).toEqual({ op: 'post', result: 'ok' });
      expect(await ledger.outcome('never')).toBeUndefined();
    });
  });

  describe('expiry', () => {
    beforeEach(async () => {
      await fundStore(ledger, 100, CLIENT, WORKER);
      await ledger.hold('h1', CLIENT, WORKER, 10, { expiresAtMs: START_MS + HOUR_MS });
      await ledger.hold('h2', CLIENT, WORKER, 20, { expiresAtMs: START_MS + 2 * HOUR_MS });
    });

    it('voids the holds due at the time given and leaves the others open', async () => {
      expect(await ledger.expire(START_MS + HOUR_MS - 1)).toBe(0);
      expect(await ledger.expire(START_MS + HOUR_MS)).toBe(1);
      expect(await ledger.balance(CLIENT)).toBe(80);
      expect((await ledger.holds(CLIENT)).map((h) => h.id)).toEqual(['h2']);
      expect(await ledger.post('p1', 'h1', CLIENT)).toBe('hold_expired');
      expect(await ledger.void('v1', 'h1', CLIENT)).toBe('hold_expired');
      expect((await ledger.history(CLIENT, 1))[0]).toMatchObject({ transferId: null, kind: 'expire', holdId: 'h1', delta: 10 });
    });

    it('expires at most the limit given per call', async () => {
      expect(await ledger.expire(START_MS + DAY_MS, 1)).toBe(1);
      expect(await ledger.expire(START_MS + DAY_MS, 1)).toBe(1);
      expect(await ledger.expire(START_MS + DAY_MS, 1)).toBe(0);
      expect(await ledger.totals()).toEqual({ minted: 200, balances: 200, held: 0 });
    });

    it('expires a hold past its time on a post that comes before the sweep', async () => {
      t.clock.advance(HOUR_MS);
      expect(await ledger.post('p1', 'h1', CLIENT)).toBe('hold_expired');
      expect(await ledger.balance(CLIENT)).toBe(80);
      expect(await ledger.post('p1', 'h1', CLIENT)).toBe('hold_expired');
      expect(await ledger.post('p2', 'h2', CLIENT)).toBe('ok');
      expect(await ledger.expire()).toBe(0);
    });
  });
});
