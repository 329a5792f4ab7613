// The money side of a series that outlives its tab, against the real ledger (a SQLite file): the
// payroll writes each payment down before it sends it, under a transfer id any tab derives the
// same, and a resumed series sends what the closed tab owed again: paid once whether or not the
// first send reached the ledger, from a fresh escrow when the old one is gone, and the old escrows
// released. The journal here is a list in memory; the browser's IndexedDB one is end to end
// (test/e2e/resume.e2e.test.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fund, ledgerPayments, openTestLedger, type TestLedger } from '../../helpers/ledger.ts';
import { Payroll, nextAttempt, paymentTransfer, type Payments } from '../../../src/peer/farm/payroll.ts';
import { settleLeftovers } from '../../../src/peer/farm/payment-recovery.ts';
import type { OwedPayment, SeriesJournal } from '../../../src/peer/farm/series-store.ts';
import { JobState, type Job } from '../../../src/peer/farm/job-queue.ts';

const CLIENT = 'client-a';
const [W1, W2] = ['worker-1', 'worker-2'];
const LEASE_MS = 10_000;
const KEY = 'sabc';

let t: TestLedger;
/** What happened, in order: journal writes and ledger requests. */
let log: string[];

function payments(): Payments {
  return ledgerPayments(t.ledger, CLIENT, log);
}

/** A journal that writes at once: `owed` is what a reload would find unanswered. */
function journal(): SeriesJournal & { owed: Map<string, OwedPayment>; escrows: Set<string> } {
  const owed = new Map<string, OwedPayment>();
  const escrows = new Set<string>();
  return {
    key: KEY, owed, escrows,
    result: (index) => void log.push(`result ${index}`),
    paying: async (payment) => {
      log.push(`write ${payment.transfer}`);
      owed.set(payment.transfer, payment);
    },
    settled: (transfer, paid) => {
      log.push(`settled ${transfer} ${paid}`);
      owed.delete(transfer);
    },
    funded: (escrow) => void escrows.add(escrow),
    released: (escrow) => void escrows.delete(escrow),
  };
}

const done = (index: number, resultText: string) => ({ index, state: JobState.done, resultText }) as unknown as Job;

beforeEach(() => {
  t = openTestLedger({ grantPoints: 100 });
  fund(t.ledger, 100, CLIENT);
  for (const worker of [W1, W2]) t.ledger.openAccount(worker);
  log = [];
});

afterEach(() => t.close());

describe('a series that outlives its tab: payments', () => {
  it('writes a payment down before it sends it, under an id derived from the series, the job and the worker', async () => {
    const book = journal();
    const payroll = new Payroll(payments(), t.clock.now, LEASE_MS, () => 10, undefined, book);
    await payroll.leased('l1', 3, W1, 5);
    payroll.resulted('l1', '7');
    payroll.decided(done(3, '7'));
    expect(await payroll.close()).toBe(5);
    const transfer = paymentTransfer(KEY, 3, W1, 0);
    const [write, pay] = [log.indexOf(`write ${transfer}`), log.findIndex((line) => line.endsWith(` as ${transfer}`))];
    expect(write).toBeGreaterThanOrEqual(0);
    expect(pay).toBeGreaterThan(write);
    expect(log).toContain(`settled ${transfer} 5`);
    expect(book.owed.size).toBe(0);
    expect(book.escrows.size).toBe(0);
    t.ledger.checkInvariant();
  });

  it('resume pays what the closed tab owed once, whether or not its send reached the ledger, and releases its escrow', async () => {
    const book = journal();
    const old = 'e-old';
    expect(t.ledger.escrow(old, CLIENT, 30, { expiresAtMs: t.clock.now() + 60_000 })).toBe('ok');
    const sent: OwedPayment = { transfer: paymentTransfer(KEY, 0, W1, 0), escrow: old, worker: W1, amount: 5, job: 0 };
    const unsent: OwedPayment = { transfer: paymentTransfer(KEY, 1, W2, 0), escrow: old, worker: W2, amount: 5, job: 1 };
    // The old tab's first payment reached the ledger; it closed before the answer came back.
    expect(t.ledger.pay(sent.transfer, old, CLIENT, W1, 5, 'post')).toBe('ok');
    for (let resume = 0; resume < 2; resume += 1) {
      // Twice: a tab that closes during the resume leaves the same record, and resumes again.
      await settleLeftovers(payments(), book, [sent, unsent], [old], t.clock.now);
      expect(t.ledger.balance(W1)).toBe(5);
      expect(t.ledger.balance(W2)).toBe(5);
      expect(t.ledger.balance(CLIENT)).toBe(90);
      expect(t.ledger.heldBy(CLIENT)).toBe(0);
    }
    t.ledger.checkInvariant();
  });

  it('pays an owed result whose escrow expired from a fresh escrow, under its next attempt, written down first', async () => {
    const book = journal();
    const old = 'e-old';
    expect(t.ledger.escrow(old, CLIENT, 30, { expiresAtMs: t.clock.now() + 1000 })).toBe('ok');
    t.clock.advance(2000);
    const owed: OwedPayment = { transfer: paymentTransfer(KEY, 4, W1, 0), escrow: old, worker: W1, amount: 5, job: 4 };
    await settleLeftovers(payments(), book, [owed], [old], t.clock.now);
    const again = nextAttempt(owed.transfer);
    expect(again).toBe(paymentTransfer(KEY, 4, W1, 1));
    expect(log.indexOf(`write ${again}`)).toBeLessThan(log.findIndex((line) => line.endsWith(` as ${again}`)));
    expect(log).toContain(`settled ${owed.transfer} 0`);
    expect(t.ledger.balance(W1)).toBe(5);
    expect(t.ledger.balance(CLIENT)).toBe(95);
    expect(t.ledger.heldBy(CLIENT)).toBe(0);
    expect(book.owed.size).toBe(0);
    // The escrow it opened for them was noted while it lived, and is gone from the record again.
    expect(log).toContain('escrow 5');
    expect(book.escrows.size).toBe(0);
    t.ledger.checkInvariant();
  });

  it('a live payment whose escrow expired is paid from a fresh fund, the first attempt closed only once the second is written', async () => {
    const book = journal();
    const payroll = new Payroll(payments(), t.clock.now, LEASE_MS, () => 10, undefined, book);
    await payroll.leased('l1', 0, W1, 5);
    payroll.resulted('l1', '1');
    // The authority was away past the fund's life: it expired, and its points went back.
    t.clock.advance(LEASE_MS * 10);
    t.ledger.expire();
    payroll.decided(done(0, '1'));
    // close() waits for the payment (and its second attempt) to be answered.
    expect(await payroll.close()).toBe(5);
    const [first, second] = [paymentTransfer(KEY, 0, W1, 0), paymentTransfer(KEY, 0, W1, 1)];
    expect(log.indexOf(`write ${second}`)).toBeLessThan(log.indexOf(`settled ${first} 0`));
    expect(t.ledger.balance(W1)).toBe(5);
    expect(book.owed.size).toBe(0);
    t.ledger.checkInvariant();
  });
});
