// The ledger's totals and the checks that the books balance. A failed check throws
// LedgerInvariantError naming the numbers that disagree: it is a bug, never a peer's doing.
import { LedgerInvariantError } from './results.ts';
import { all, get, type Step } from './steps.ts';

export interface LedgerTotals {
  /** Points ever granted. */
  readonly minted: number;
  /** The sum of the peers' spendable balances (points in holds excluded). */
  readonly balances: number;
  /** The sum of the open holds and of what is left in the open series holds. */
  readonly held: number;
}

/** How many disagreeing accounts a failed check names; enough to debug, short enough to read. */
const REPORTED_MISMATCHES_MAX = 5;

export function* readTotals(): Step<LedgerTotals> {
  const row = (yield* get('totals'))!;
  if (row.minted === null) throw new LedgerInvariantError('the @mint account is missing');
  return { minted: row.minted, balances: row.balances, held: row.held };
}

/**
 * Checks that balances + open holds = minted, that every double entry balances, that no peer is
 * overdrawn, that each balance equals its journal, and that each hold's journal lines add up (what
 * went in = what came out + what is still held). Reads the whole journal: call it in tests, at
 * start-up or from an admin command, not per request. Returns the totals it checked.
 */
export function* checkInvariant(): Step<LedgerTotals> {
  const totals = yield* readTotals();
  const { minted, balances, held } = totals;
  if (balances + held !== minted) {
    fail(`balances ${balances} + held ${held} = ${balances + held}, but ${minted} points were minted`);
  }
  const sums = (yield* get('sums'))!;
  if (sums.all !== 0) fail(`all balances sum to ${sums.all}, not 0: a transfer has one side only`);
  if (sums.escrow !== held) fail(`escrow holds ${sums.escrow} points but the open holds add up to ${held}`);
  if (sums.granted !== minted) fail(`the journal grants ${sums.granted} points but @mint says ${minted}`);
  if (sums.negative !== 0) fail(`${sums.negative} accounts are overdrawn`);
  yield* checkJournal();
  yield* checkHolds();
  return totals;
}

function* checkJournal(): Step<void> {
  const wrong = yield* all('journalMismatches', REPORTED_MISMATCHES_MAX);
  if (wrong.length > 0) {
    fail(`balances differ from the journal: ${wrong.map((a) => `${a.id} has ${a.balance}, journal ${a.journal}`).join('; ')}`);
  }
}

// A job hold holds its amount until it closes; a series hold holds what it has not paid out or given back.
function* checkHolds(): Step<void> {
  const wrong = yield* all('holdMismatches', REPORTED_MISMATCHES_MAX);
  if (wrong.length > 0) {
    fail(`holds whose journal does not add up: ${wrong.map((h) =>
      `${h.id} of ${h.amount} took in ${h.paid_in}, paid out ${h.paid_out}, holds ${h.held}`).join('; ')}`);
  }
}

function fail(message: string): never {
  throw new LedgerInvariantError(`ledger invariant broken: ${message}`);
}
