// The ledger's totals and the checks that the books balance. A failed check throws
// LedgerInvariantError naming the numbers that disagree: it is a bug, never a peer's doing.
import type { LedgerDatabase } from './database.ts';
import { ESCROW_ACCOUNT, LedgerInvariantError, MINT_ACCOUNT } from './results.ts';

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

export function readTotals(db: LedgerDatabase): LedgerTotals {
  const row = db.prepare<[], LedgerTotals>(`SELECT
      (SELECT -balance FROM accounts WHERE id = '${MINT_ACCOUNT}') AS minted,
      (SELECT coalesce(sum(balance), 0) FROM accounts WHERE id NOT LIKE '@%') AS balances,
      (SELECT coalesce(sum(amount), 0) FROM holds WHERE state = 'open') +
      (SELECT coalesce(sum(remaining), 0) FROM escrows WHERE state = 'open') AS held`).get();
  if (row === undefined || row.minted === null) throw new LedgerInvariantError('the @mint account is missing');
  return row;
}

/**
 * Checks that balances + open holds = minted, that every double entry balances, that no peer is
 * overdrawn, that each balance equals its journal, and that each hold's journal lines add up (what
 * went in = what came out + what is still held). Reads the whole journal: call it in tests, at
 * start-up or from an admin command, not per request. Returns the totals it checked.
 */
export function checkInvariant(db: LedgerDatabase): LedgerTotals {
  const totals = readTotals(db);
  const { minted, balances, held } = totals;
  if (balances + held !== minted) {
    fail(`balances ${balances} + held ${held} = ${balances + held}, but ${minted} points were minted`);
  }
  const sums = db.prepare<[], { all: number; escrow: number; granted: number; negative: number }>(`SELECT
      (SELECT coalesce(sum(balance), 0) FROM accounts) AS "all",
      (SELECT balance FROM accounts WHERE id = '${ESCROW_ACCOUNT}') AS escrow,
      (SELECT coalesce(sum(amount), 0) FROM transfers WHERE kind = 'grant') AS granted,
      (SELECT count(*) FROM accounts WHERE balance < 0 AND id NOT LIKE '@%') AS negative`).get()!;
  if (sums.all !== 0) fail(`all balances sum to ${sums.all}, not 0: a transfer has one side only`);
  if (sums.escrow !== held) fail(`escrow holds ${sums.escrow} points but the open holds add up to ${held}`);
  if (sums.granted !== minted) fail(`the journal grants ${sums.granted} points but @mint says ${minted}`);
  if (sums.negative !== 0) fail(`${sums.negative} accounts are overdrawn`);
  checkJournal(db);
  checkHolds(db);
  return totals;
}

function checkJournal(db: LedgerDatabase): void {
  const wrong = db.prepare<[number], { id: string; balance: number; journal: number }>(`
    SELECT id, balance, journal FROM (
      SELECT id, balance,
        (SELECT coalesce(sum(amount), 0) FROM transfers WHERE credit = accounts.id) -
        (SELECT coalesce(sum(amount), 0) FROM transfers WHERE debit = accounts.id) AS journal
      FROM accounts)
    WHERE balance <> journal LIMIT ?`).all(REPORTED_MISMATCHES_MAX);
  if (wrong.length > 0) {
    fail(`balances differ from the journal: ${wrong.map((a) => `${a.id} has ${a.balance}, journal ${a.journal}`).join('; ')}`);
  }
}

// A job hold holds its amount until it closes; a series hold holds what it has not paid out or given back.
function checkHolds(db: LedgerDatabase): void {
  const wrong = db.prepare<[number], { id: string; amount: number; held: number; paid_in: number; paid_out: number }>(`
    SELECT x.id, x.amount, x.held, coalesce(j.paid_in, 0) AS paid_in, coalesce(j.paid_out, 0) AS paid_out FROM (
      SELECT id, amount, CASE state WHEN 'open' THEN amount ELSE 0 END AS held FROM holds
      UNION ALL
      SELECT id, amount, remaining AS held FROM escrows) AS x
    LEFT JOIN (
      SELECT hold_id,
        sum(CASE WHEN credit = '${ESCROW_ACCOUNT}' THEN amount ELSE 0 END) AS paid_in,
        sum(CASE WHEN debit = '${ESCROW_ACCOUNT}' THEN amount ELSE 0 END) AS paid_out
      FROM transfers WHERE hold_id IS NOT NULL GROUP BY hold_id) AS j ON j.hold_id = x.id
    WHERE coalesce(j.paid_in, 0) <> x.amount OR coalesce(j.paid_out, 0) <> x.amount - x.held
    LIMIT ?`).all(REPORTED_MISMATCHES_MAX);
  if (wrong.length > 0) {
    fail(`holds whose journal does not add up: ${wrong.map((h) =>
      `${h.id} of ${h.amount} took in ${h.paid_in}, paid out ${h.paid_out}, holds ${h.held}`).join('; ')}`);
  }
}

function fail(message: string): never {
  throw new LedgerInvariantError(`ledger invariant broken: ${message}`);
}
