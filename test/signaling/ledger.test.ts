import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, START_MS, fund, openTestLedger, type TestLedger } from '../helpers/ledger.ts';
import type { Ledger } from '../../signaling/ledger/ledger.ts';

const CLIENT = 'client-a';
const WORKER = 'worker-b';
const STRANGER = 'stranger-c';
const DAY = '2026-11-24';
const LATER = { expiresAtMs: START_MS + HOUR_MS };

let t: TestLedger;
let ledger: Ledger;

beforeEach(() => {
  t = openTestLedger({ grantPoints: 100, grantsPerIpPerDay: 2 });
  ledger = t.ledger;
});

afterEach(() => t.close());

describe('grant', () => {
  it('mints the points to a new account and counts them as minted', () => {
    expect(ledger.grant('g1', CLIENT, 100, { ip: '10.0.0.1', day: DAY })).toBe('ok');
    expect(ledger.balance(CLIENT)).toBe(100);
    expect(ledger.totals()).toEqual({ minted: 100, balances: 100, held: 0 });
  });

  it('grants once per account: a second grant with a new transfer id is already_granted', () => {
    expect(ledger.grant('g1', CLIENT, 100, { ip: '10.0.0.1', day: DAY })).toBe('ok');
    expect(ledger.grant('g2', CLIENT, 100, { ip: '10.0.0.2', day: DAY })).toBe('already_granted');
    expect(ledger.balance(CLIENT)).toBe(100);
  });

  it('refuses grants past grantsPerIpPerDay from one IP on one day with ip_limit', () => {
    expect(ledger.grant('g1', 'a1', 100, { ip: '10.0.0.1', day: DAY })).toBe('ok');
    expect(ledger.grant('g2', 'a2', 100, { ip: '10.0.0.1', day: DAY })).toBe('ok');
    expect(ledger.grant('g3', 'a3', 100, { ip: '10.0.0.1', day: DAY })).toBe('ip_limit');
    expect(ledger.balance('a3')).toBeNull();
    expect(ledger.grant('g4', 'a3', 100, { ip: '10.0.0.1', day: '2026-11-25' })).toBe('ok');
    expect(ledger.grant('g5', 'a4', 100, { ip: '10.0.0.9', day: DAY })).toBe('ok');
  });

  it('refuses a grant larger than grantPoints with bad_amount', () => {
    expect(ledger.grant('g1', CLIENT, 101, { ip: '10.0.0.1', day: DAY })).toBe('bad_amount');
    expect(ledger.balance(CLIENT)).toBeNull();
  });

  it('answers a retried grant with its first outcome, even once the refusal no longer applies', () => {
    ledger.grant('g1', 'a1', 100, { ip: '10.0.0.1', day: DAY });
    ledger.grant('g2', 'a2', 100, { ip: '10.0.0.1', day: DAY });
    expect(ledger.grant('g3', 'a3', 100, { ip: '10.0.0.1', day: DAY })).toBe('ip_limit');
    expect(ledger.grant('g3', 'a3', 100, { ip: '10.0.0.7', day: '2026-11-25' })).toBe('ip_limit');
    expect(ledger.grant('g1', 'a1', 100, { ip: '10.0.0.1', day: DAY })).toBe('ok');
    expect(ledger.totals().minted).toBe(200);
  });

  it('answers exists when a transfer id is reused for a grant to another account', () => {
    expect(ledger.grant('g1', 'a1', 100, { ip: '10.0.0.1', day: DAY })).toBe('ok');
    expect(ledger.grant('g1', 'a2', 100, { ip: '10.0.0.2', day: DAY })).toBe('exists');
    expect(ledger.balance('a2')).toBeNull();
  });
});

describe('hold', () => {
  beforeEach(() => fund(ledger, 100, CLIENT, WORKER));

  it('moves points from the client balance into a hold for the worker', () => {
    expect(ledger.hold('h1', CLIENT, WORKER, 40, LATER)).toBe('ok');
    expect(ledger.balance(CLIENT)).toBe(60);
    expect(ledger.balance(WORKER)).toBe(100);
    const open = [{ id: 'h1', client: CLIENT, worker: WORKER, amount: 40, expiresAtMs: LATER.expiresAtMs }];
    expect(ledger.holds(CLIENT)).toEqual(open);
    expect(ledger.holds(WORKER)).toEqual(open);
    expect(ledger.totals()).toEqual({ minted: 200, balances: 160, held: 40 });
  });

  it('allows a hold of the whole balance and refuses one point more with insufficient_points', () => {
    expect(ledger.hold('h1', CLIENT, WORKER, 101, LATER)).toBe('insufficient_points');
    expect(ledger.hold('h2', CLIENT, WORKER, 100, LATER)).toBe('ok');
    expect(ledger.hold('h3', CLIENT, WORKER, 1, LATER)).toBe('insufficient_points');
    expect(ledger.balance(CLIENT)).toBe(0);
    expect(ledger.totals()).toEqual({ minted: 200, balances: 100, held: 100 });
  });

  it('refuses a hold from a client to itself with self_payment', () => {
    expect(ledger.hold('h1', CLIENT, CLIENT, 10, LATER)).toBe('self_payment');
  });

  it('refuses a hold from or to an account never opened with unknown_account', () => {
    expect(ledger.hold('h1', STRANGER, WORKER, 10, LATER)).toBe('unknown_account');
    expect(ledger.hold('h2', CLIENT, STRANGER, 10, LATER)).toBe('unknown_account');
    expect(ledger.openAccount(STRANGER)).toBe(true);
    expect(ledger.openAccount(STRANGER)).toBe(false);
    expect(ledger.hold('h3', CLIENT, STRANGER, 10, LATER)).toBe('ok');
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1, 2 ** 64])(
    'refuses the amount %s with bad_amount', (amount) => {
      expect(ledger.hold('h1', CLIENT, WORKER, amount, LATER)).toBe('bad_amount');
      expect(ledger.grant('g1', STRANGER, amount, { ip: '10.0.0.1', day: DAY })).toBe('bad_amount');
      expect(ledger.totals()).toEqual({ minted: 200, balances: 200, held: 0 });
    });

  it('treats Number.MAX_SAFE_INTEGER as an amount, refused only for want of points', () => {
    expect(ledger.hold('h1', CLIENT, WORKER, Number.MAX_SAFE_INTEGER, LATER)).toBe('insufficient_points');
  });

  it('checks in order: bad_amount, self_payment, unknown_account, insufficient_points', () => {
    expect(ledger.hold('h1', STRANGER, STRANGER, 0, LATER)).toBe('bad_amount');
    expect(ledger.hold('h2', STRANGER, STRANGER, 500, LATER)).toBe('self_payment');
    expect(ledger.hold('h3', STRANGER, WORKER, 500, LATER)).toBe('unknown_account');
    expect(ledger.hold('h4', CLIENT, WORKER, 500, LATER)).toBe('insufficient_points');
  });

  it('answers a retried hold with its first outcome, even once the client can afford it', () => {
    expect(ledger.hold('h1', CLIENT, WORKER, 150, LATER)).toBe('insufficient_points');
    expect(ledger.hold('h2', WORKER, CLIENT, 50, LATER)).toBe('ok');
    expect(ledger.post('p2', 'h2', WORKER)).toBe('ok');
    expect(ledger.balance(CLIENT)).toBe(150);
    expect(ledger.hold('h1', CLIENT, WORKER, 150, LATER)).toBe('insufficient_points');
    expect(ledger.hold('h3', CLIENT, WORKER, 150, LATER)).toBe('ok');
  });

  it('answers a retried hold once with its expiry recomputed, moving the points once', () => {
    expect(ledger.hold('h1', CLIENT, WORKER, 40, LATER)).toBe('ok');
    expect(ledger.hold('h1', CLIENT, WORKER, 40, { expiresAtMs: LATER.expiresAtMs + 5000 })).toBe('ok');
    expect(ledger.balance(CLIENT)).toBe(60);
    expect(ledger.hold('h1', CLIENT, WORKER, 41, LATER)).toBe('exists');
  });
});

describe('post, void and reject', () => {
  beforeEach(() => {
    fund(ledger, 100, CLIENT, WORKER, STRANGER);
    expect(ledger.hold('h1', CLIENT, WORKER, 40, LATER)).toBe('ok');
  });

  it('posts the hold to the worker and closes it', () => {
    expect(ledger.post('p1', 'h1', CLIENT)).toBe('ok');
    expect([ledger.balance(CLIENT), ledger.balance(WORKER)]).toEqual([60, 140]);
    expect(ledger.holds(CLIENT)).toEqual([]);
    expect(ledger.totals()).toEqual({ minted: 300, balances: 300, held: 0 });
  });

  it('refuses a post by the worker or a stranger with not_your_hold', () => {
    expect(ledger.post('p1', 'h1', WORKER)).toBe('not_your_hold');
    expect(ledger.post('p2', 'h1', STRANGER)).toBe('not_your_hold');
    expect(ledger.reject('r1', 'h1', WORKER, 'wrong')).toBe('not_your_hold');
    expect(ledger.void('v1', 'h1', STRANGER)).toBe('not_your_hold');
    expect(ledger.totals().held).toBe(40);
  });

  it('answers a retried post with its first outcome and pays once', () => {
    expect(ledger.post('p1', 'h1', CLIENT)).toBe('ok');
    expect(ledger.post('p1', 'h1', CLIENT)).toBe('ok');
    expect(ledger.balance(WORKER)).toBe(140);
    expect(ledger.record(WORKER).jobs).toBe(1);
  });

  it('answers a second post with a new transfer id with hold_posted', () => {
    expect(ledger.post('p1', 'h1', CLIENT)).toBe('ok');
    expect(ledger.post('p2', 'h1', CLIENT)).toBe('hold_posted');
    expect(ledger.balance(WORKER)).toBe(140);
  });

  it('answers a void after the post with hold_posted', () => {
    expect(ledger.post('p1', 'h1', CLIENT)).toBe('ok');
    expect(ledger.void('v1', 'h1', CLIENT)).toBe('hold_posted');
    expect(ledger.reject('r1', 'h1', CLIENT, 'late')).toBe('hold_posted');
    expect(ledger.balance(CLIENT)).toBe(60);
  });

  it('answers a post after the void with hold_voided and refunds the client once', () => {
    expect(ledger.void('v1', 'h1', CLIENT)).toBe('ok');
    expect(ledger.post('p1', 'h1', CLIENT)).toBe('hold_voided');
    expect(ledger.void('v2', 'h1', CLIENT)).toBe('hold_voided');
    expect([ledger.balance(CLIENT), ledger.balance(WORKER)]).toEqual([100, 100]);
  });

  it('answers a post after a reject with hold_voided', () => {
    expect(ledger.reject('r1', 'h1', CLIENT, 'result differs from the majority')).toBe('ok');
    expect(ledger.post('p1', 'h1', CLIENT)).toBe('hold_voided');
    expect(ledger.balance(CLIENT)).toBe(100);
  });

  it('lets the worker give the points back with a void', () => {
    expect(ledger.void('v1', 'h1', WORKER)).toBe('ok');
    expect(ledger.balance(CLIENT)).toBe(100);
  });

  it('answers no_such_hold for a hold id never held', () => {
    expect(ledger.post('p1', 'nope', CLIENT)).toBe('no_such_hold');
    expect(ledger.void('v1', 'p1', CLIENT)).toBe('no_such_hold');
  });

  it('answers exists when a post reuses the transfer id of another request', () => {
    expect(ledger.post('h1', 'h1', CLIENT)).toBe('exists');
    expect(ledger.post('p1', 'h1', CLIENT)).toBe('ok');
    expect(ledger.void('p1', 'h1', CLIENT)).toBe('exists');
    expect(ledger.post('p1', 'h1', STRANGER)).toBe('exists');
    expect(ledger.outcome('p1')).toEqual({ op: 'post', result: 'ok' });
    expect(ledger.outcome('never')).toBeUndefined();
  });
});

describe('expiry', () => {
  beforeEach(() => {
    fund(ledger, 100, CLIENT, WORKER);
    ledger.hold('h1', CLIENT, WORKER, 10, { expiresAtMs: START_MS + HOUR_MS });
    ledger.hold('h2', CLIENT, WORKER, 20, { expiresAtMs: START_MS + 2 * HOUR_MS });
  });

  it('voids the holds due at the time given and leaves the others open', () => {
    expect(ledger.expire(START_MS + HOUR_MS - 1)).toBe(0);
    expect(ledger.expire(START_MS + HOUR_MS)).toBe(1);
    expect(ledger.balance(CLIENT)).toBe(80);
    expect(ledger.holds(CLIENT).map((h) => h.id)).toEqual(['h2']);
    expect(ledger.post('p1', 'h1', CLIENT)).toBe('hold_expired');
    expect(ledger.void('v1', 'h1', CLIENT)).toBe('hold_expired');
    expect(ledger.history(CLIENT, 1)[0]).toMatchObject({ transferId: null, kind: 'expire', holdId: 'h1', delta: 10 });
  });

  it('expires at most the limit given per call', () => {
    expect(ledger.expire(START_MS + DAY_MS, 1)).toBe(1);
    expect(ledger.expire(START_MS + DAY_MS, 1)).toBe(1);
    expect(ledger.expire(START_MS + DAY_MS, 1)).toBe(0);
    expect(ledger.totals()).toEqual({ minted: 200, balances: 200, held: 0 });
  });

  it('expires a hold past its time on a post that comes before the sweep', () => {
    t.clock.advance(HOUR_MS);
    expect(ledger.post('p1', 'h1', CLIENT)).toBe('hold_expired');
    expect(ledger.balance(CLIENT)).toBe(80);
    expect(ledger.post('p1', 'h1', CLIENT)).toBe('hold_expired');
    expect(ledger.post('p2', 'h2', CLIENT)).toBe('ok');
    expect(ledger.expire()).toBe(0);
  });
});
