// The series payroll against the real ledger (a SQLite file): one escrow up front, accepted
// results paid from it, nothing committed beyond it, the rest released at the end.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fund, ledgerPayments, openTestLedger, type TestLedger } from '../../helpers/ledger.ts';
import { ESCROW_ROLL_MS, HOLD_MARGIN_MS, Payroll, type Payments } from '../../../src/peer/farm/payroll.ts';
import { JobState, type Job } from '../../../src/peer/farm/job-queue.ts';

const CLIENT = 'client-a';
const [W1, W2] = ['worker-1', 'worker-2'];
const LEASE_MS = 10_000;

let t: TestLedger;
let requests: string[];

/** The client's side of the ledger, as the points client would ask it (each call one request). */
function payments(): Payments {
  return ledgerPayments(t.ledger, CLIENT, requests);
}

const job = (index: number, state: JobState, resultText?: string) => ({ index, state, resultText }) as unknown as Job;

beforeEach(() => {
  t = openTestLedger({ grantPoints: 100 });
  fund(t.ledger, 100, CLIENT);
  for (const worker of [W1, W2]) t.ledger.openAccount(worker);
  requests = [];
});

afterEach(() => t.close());

describe('the series payroll', () => {
  it('escrows the budget once, pays accepted results from it, counts outvoted ones, and gives the rest back', async () => {
    const payroll = new Payroll(payments(), t.clock.now, LEASE_MS, () => 30);
    payroll.open();
    const covers = await Promise.all([
      payroll.leased('l1', 0, W1, 5), payroll.leased('l2', 0, W2, 5), payroll.leased('l3', 1, W1, 5),
    ]);
    expect(covers.every((cover) => cover.paid)).toBe(true);
    expect(requests).toEqual(['escrow 30']);
    payroll.resulted('l1', '1');
    payroll.resulted('l2', '2');
    payroll.decided(job(0, JobState.done, '1'));
    payroll.voided(['l3']);
    expect(await payroll.close()).toBe(5);
    expect(requests).toEqual(['escrow 30', 'pay e1 worker-1 5 post', 'pay e1 worker-2 5 reject', 'release e1']);
    expect(t.ledger.balance(CLIENT)).toBe(95);
    expect(t.ledger.balance(W1)).toBe(5);
    expect(t.ledger.escrows(CLIENT)).toEqual([]);
    t.ledger.checkInvariant();
  });

  it('commits no lease beyond what the client could escrow, and says why', async () => {
    const payroll = new Payroll(payments(), t.clock.now, LEASE_MS, () => 1000);
    const covers = await Promise.all([0, 1, 2, 3, 4].map((i) => payroll.leased(`l${i}`, i, W1, 30)));
    // The budget (1,000) is more than the balance (100): it holds the 100 there is, three jobs' worth.
    expect(covers.map((cover) => cover.paid)).toEqual([true, true, true, false, false]);
    expect(covers[3]).toEqual({ paid: false, result: 'insufficient_points' });
    expect(t.ledger.heldBy(CLIENT)).toBe(100);
    await payroll.close();
    expect(t.ledger.balance(CLIENT)).toBe(100);
    t.ledger.checkInvariant();
  });

  it('a lease that ends unpaid frees its price for the next one', async () => {
    const payroll = new Payroll(payments(), t.clock.now, LEASE_MS, () => 10);
    expect(await payroll.leased('l1', 0, W1, 10)).toEqual({ paid: true });
    payroll.voided(['l1']);
    expect(await payroll.leased('l2', 0, W2, 10)).toEqual({ paid: true });
    expect(requests).toEqual(['escrow 10']);
    payroll.resulted('l2', '7');
    payroll.decided(job(0, JobState.done, '7'));
    expect(await payroll.close()).toBe(10);
    expect(t.ledger.balance(W2)).toBe(10);
  });

  it('rolls over to a fresh escrow before the old one could expire under a lease, and releases the old one when settled', async () => {
    const payroll = new Payroll(payments(), t.clock.now, LEASE_MS, () => 20);
    await payroll.leased('l1', 0, W1, 5);
    t.clock.advance(ESCROW_ROLL_MS);
    await payroll.leased('l2', 1, W1, 5);
    expect(requests).toEqual(['escrow 20', 'escrow 20']);
    payroll.resulted('l1', '1');
    payroll.decided(job(0, JobState.done, '1'));
    payroll.resulted('l2', '2');
    payroll.decided(job(1, JobState.done, '2'));
    expect(await payroll.close()).toBe(10);
    expect(requests).toContain('pay e1 worker-1 5 post');
    expect(requests).toContain('pay e2 worker-1 5 post');
    expect(requests.filter((r) => r.startsWith('release'))).toEqual(['release e1', 'release e2']);
    expect(t.ledger.balance(CLIENT)).toBe(90);
    t.ledger.checkInvariant();
  });

  it('an accepted result whose escrow expired meanwhile is paid from a fresh one', async () => {
    const payroll = new Payroll(payments(), t.clock.now, LEASE_MS, () => 5);
    await payroll.leased('l1', 0, W1, 5);
    t.clock.advance(LEASE_MS + HOLD_MARGIN_MS + ESCROW_ROLL_MS);
    t.ledger.expire();
    payroll.resulted('l1', '1');
    payroll.decided(job(0, JobState.done, '1'));
    expect(await payroll.close()).toBe(5);
    expect(t.ledger.balance(W1)).toBe(5);
    expect(t.ledger.balance(CLIENT)).toBe(95);
    t.ledger.checkInvariant();
  });
});
