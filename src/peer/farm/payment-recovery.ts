// What a closed tab left of a series' money, settled before the series resumes (or when it is
// cancelled from the list): the payments it wrote down and never saw answered are sent again under
// their own transfer ids, so the ledger applies each once whether or not the old tab's send reached
// it; then the escrows it held are released, so the resumed series escrows from a balance that
// no longer counts them. A payment whose escrow is gone meanwhile (expired or released: it paid
// nothing) is paid from one small escrow of its own under its next attempt's id.
import { nextAttempt, type Payments } from './payroll.ts';
import type { OwedPayment, SeriesJournal } from './series-store.ts';

/** Answers that mean the payment's escrow paid nothing and is no more. */
const FUND_GONE = new Set(['hold_expired', 'hold_released', 'no_such_hold']);
/** The escrow for payments whose own escrow is gone lives this long: they are sent at once. */
const RECOVERY_ESCROW_MS = 60_000;

export interface Leftovers {
  /** Points posted to workers now. */
  readonly paid: number;
  /** Payments answered by the ledger (paid, or refused for good). */
  readonly settled: number;
}

export async function settleLeftovers(
  payments: Payments, journal: Pick<SeriesJournal, 'paying' | 'settled' | 'funded' | 'released'>,
  owed: readonly OwedPayment[], escrows: readonly string[], clock: () => number = Date.now,
): Promise<Leftovers> {
  let paid = 0;
  let settled = 0;
  const orphans: OwedPayment[] = [];
  const send = async (payment: OwedPayment, closes?: string): Promise<void> => {
    const result = await payments.pay(payment.escrow, payment.worker, payment.amount, 'post', payment.transfer);
    if (FUND_GONE.has(result) && closes === undefined) return void orphans.push(payment);
    journal.settled(payment.transfer, result === 'ok' ? payment.amount : 0);
    if (closes !== undefined) journal.settled(closes, 0);
    if (result === 'ok') paid += payment.amount;
    settled += 1;
  };
  await Promise.all(owed.map((payment) => send(payment)));
  await Promise.all(escrows.map((escrow) => payments.release(escrow).then(() => journal.released(escrow))));
  if (orphans.length > 0) {
    const amount = orphans.reduce((sum, payment) => sum + payment.amount, 0);
    const { escrow, result } = await payments.escrow(amount, clock() + RECOVERY_ESCROW_MS);
    if (result !== 'ok' && result !== 'exists') {
      throw new Error(`cannot pay the ${orphans.length} results the closed tab accepted (${amount} points): escrow ${result}`);
    }
    // Noted like the series' own escrows: a tab closed during this releases it on the next resume.
    journal.funded(escrow);
    await Promise.all(orphans.map(async (payment) => {
      const again = { ...payment, escrow, transfer: nextAttempt(payment.transfer) };
      await journal.paying(again);
      await send(again, payment.transfer);
    }));
    await payments.release(escrow).then(() => journal.released(escrow), () => undefined);
  }
  return { paid, settled };
}
