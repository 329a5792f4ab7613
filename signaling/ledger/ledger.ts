// The points ledger (DESIGN.md section 5): grants, escrow holds posted to the worker or voided back
// to the client, series holds paid out to many workers (series.ts), worker records. The authority
// is its only writer; every request is one SQLite transaction (or one per batch with `transact`,
// or one per event-loop turn through group-commit.ts), durable when the call returns.
//
// Requests carry a transfer id chosen by the caller. The first outcome of an id is kept: a retry
// gets it again and changes nothing; the id reused for another request gets `exists`. Outcomes are
// values from the closed set in results.ts; a malformed call (our own bug) throws LedgerUsageError.
import * as apply from './apply.ts';
import { CALLS, type Call, type LedgerCalls } from './calls.ts';
import type { LedgerDatabase } from './database.ts';
import type { LedgerTotals } from './invariant.ts';
import type { LedgerOp } from './ops.ts';
import { ledgerOptions } from './options.ts';
import type { WorkerRecord } from './record.ts';
import type { AccountView, Escrow, LeaderboardRow, LedgerEntry, OpenHold } from './reads.ts';
import type * as rules from './rules.ts';
import {
  checkTimeMs,
  type EscrowResult, type GrantResult, type HoldResult, type LedgerResult, type PayResult, type ReleaseResult, type SettleResult,
} from './results.ts';
import { prepareStatements, runSync, type Prepared } from './sqlite-steps.ts';
import type { RequestOp } from './statements.ts';

export type { LedgerOptions } from './rules.ts';
export type { LedgerTotals } from './invariant.ts';
export type { WorkerRecord } from './record.ts';
export type { LedgerOp } from './ops.ts';
export type { Escrow, LedgerEntry, LeaderboardRow, OpenHold } from './reads.ts';
export { HISTORY_MAX_ROWS, HOLDS_LISTED_MAX, LEADERBOARD_MAX_ROWS } from './reads.ts';
export { DEFAULT_LEDGER_OPTIONS, EXPIRE_BATCH_MAX } from './options.ts';

export interface LedgerDeps {
  readonly db: LedgerDatabase;
  /** Milliseconds since the epoch; stamps journal lines, expires holds, ages worker records. */
  readonly clock?: () => number;
  readonly options?: Partial<rules.LedgerOptions>;
}

export class Ledger {
  readonly options: rules.LedgerOptions;
  private readonly clock: () => number;
  private readonly st: Prepared;
  private readonly inTransaction: { immediate(work: () => unknown): unknown };

  constructor({ db, clock = Date.now, options = {} }: LedgerDeps) {
    this.clock = clock;
    this.options = ledgerOptions(options);
    this.st = prepareStatements(db);
    this.inTransaction = db.transaction((work: () => unknown) => work());
  }

  /** Mints `amount` (at most `options.grantPoints`) to `account`, once per account, opening it. */
  grant(...args: Parameters<LedgerCalls['grant']>): GrantResult {
    return this.run(CALLS.grant(...args));
  }

  /** Moves `amount` from the client's balance into a hold for the worker; the hold's id is `transferId`. */
  hold(...args: Parameters<LedgerCalls['hold']>): HoldResult {
    return this.run(CALLS.hold(...args));
  }

  /** Pays the hold to its worker (an accepted result); only the hold's client may. */
  post(...args: Parameters<LedgerCalls['post']>): SettleResult {
    return this.run(CALLS.post(...args));
  }

  /** Returns the hold to its client with no fault (the worker left); the client or the worker may. */
  void(...args: Parameters<LedgerCalls['void']>): SettleResult {
    return this.run(CALLS.void(...args));
  }

  /** Returns the hold to its client and counts an invalid result against the worker; only the client may. */
  reject(...args: Parameters<LedgerCalls['reject']>): SettleResult {
    return this.run(CALLS.reject(...args));
  }

  /** Holds `amount` of the client's points for a whole series, for no worker yet; the escrow's id is `transferId`. */
  escrow(...args: Parameters<LedgerCalls['escrow']>): EscrowResult {
    return this.run(CALLS.escrow(...args));
  }

  /**
   * A judged result of the series: `post` pays `amount` from the escrow to `worker` (an accepted
   * result, `over_budget` past what is left); `reject` moves nothing and counts against the worker.
   * Only the escrow's client may.
   */
  pay(...args: Parameters<LedgerCalls['pay']>): PayResult {
    return this.run(CALLS.pay(...args));
  }

  /** Closes the escrow and returns what is left to its client; only the client may. `amount`: points returned. */
  release(...args: Parameters<LedgerCalls['release']>): { result: ReleaseResult; amount: number } {
    return this.run(CALLS.release(...args));
  }

  /** Points a release with this result returned: what the escrow gave back, or 0 when the release did nothing. */
  released(...args: Parameters<LedgerCalls['released']>): number {
    return this.run(CALLS.released(...args));
  }

  /** Runs up to TRANSACT_MAX_OPS requests in one transaction; one result per request, in order. */
  transact(...args: Parameters<LedgerCalls['transact']>): LedgerResult[] {
    return this.run(CALLS.transact(...args));
  }

  /**
   * As `transact`, but each request in its own savepoint: one that throws is rolled back alone and
   * its error is its result, the others commit. Slower; for a group whose `transact` threw.
   */
  transactEach(...args: Parameters<LedgerCalls['transactEach']>): (LedgerResult | Error)[] {
    return this.run(CALLS.transactEach(...args));
  }

  /**
   * Voids the open holds and series holds whose expiry is at or before `nowMs`, `limit` at most (a
   * later post or pay gets `hold_expired`); returns how many.
   */
  expire(...args: Parameters<LedgerCalls['expire']>): number {
    return this.run(CALLS.expire(...args));
  }

  /** Opens an empty account (a worker paid before any grant); false when it exists already. */
  openAccount(...args: Parameters<LedgerCalls['openAccount']>): boolean {
    return this.run(CALLS.openAccount(...args));
  }

  /** Spendable points (held points excluded), or null for an account never opened. */
  balance(...args: Parameters<LedgerCalls['balance']>): number | null {
    return this.run(CALLS.balance(...args));
  }

  /** The account's journal lines, newest first. */
  history(...args: Parameters<LedgerCalls['history']>): LedgerEntry[] {
    return this.run(CALLS.history(...args));
  }

  /** Points the account holds in open holds and series holds as a client, however many there are. */
  heldBy(...args: Parameters<LedgerCalls['heldBy']>): number {
    return this.run(CALLS.heldBy(...args));
  }

  /** The account's open series holds, soonest expiry first. */
  escrows(...args: Parameters<LedgerCalls['escrows']>): Escrow[] {
    return this.run(CALLS.escrows(...args));
  }

  /** Open series holds of every client, soonest expiry first, and how many there are. */
  openEscrows(...args: Parameters<LedgerCalls['openEscrows']>): { escrows: Escrow[]; total: number } {
    return this.run(CALLS.openEscrows(...args));
  }

  /** A series hold in any state, or undefined when there is none with this id. */
  escrowById(...args: Parameters<LedgerCalls['escrowById']>): Escrow | undefined {
    return this.run(CALLS.escrowById(...args));
  }

  /** Open holds the account pays (as client) or will be paid (as worker), soonest expiry first. */
  holds(...args: Parameters<LedgerCalls['holds']>): OpenHold[] {
    return this.run(CALLS.holds(...args));
  }

  record(...args: Parameters<LedgerCalls['record']>): WorkerRecord {
    return this.run(CALLS.record(...args));
  }

  /** Open holds, soonest expiry first: the jobs awarded and not yet settled (jobs in flight). */
  openHolds(...args: Parameters<LedgerCalls['openHolds']>): { holds: OpenHold[]; total: number } {
    return this.run(CALLS.openHolds(...args));
  }

  /** Balances, and records of the workers, of many accounts in one read (/api/peers). */
  accounts(...args: Parameters<LedgerCalls['accounts']>): AccountView[] {
    return this.run(CALLS.accounts(...args));
  }

  /** Workers with the most accepted jobs, with their records and balances (the admin leaderboard). */
  leaderboard(...args: Parameters<LedgerCalls['leaderboard']>): LeaderboardRow[] {
    return this.run(CALLS.leaderboard(...args));
  }

  /** The first outcome of a transfer id, or undefined when the id was never used. */
  outcome(...args: Parameters<LedgerCalls['outcome']>): { op: RequestOp; result: LedgerResult } | undefined {
    return this.run(CALLS.outcome(...args));
  }

  totals(...args: Parameters<LedgerCalls['totals']>): LedgerTotals {
    return this.run(CALLS.totals(...args));
  }

  /** Throws LedgerInvariantError when the books do not balance; returns the totals otherwise. */
  checkInvariant(...args: Parameters<LedgerCalls['checkInvariant']>): LedgerTotals {
    return this.run(CALLS.checkInvariant(...args));
  }

  private run<T>(call: Call<T>): T {
    if (call.kind === 'read') return runSync(this.st, call.step({ nowMs: this.clock(), options: this.options }));
    const nowMs = call.nowMs ?? this.clock();
    checkTimeMs('the ledger clock', nowMs);
    const ctx = apply.context(nowMs, this.options);
    return this.inTransaction.immediate(() => runSync(this.st, apply.written(ctx, call.work(ctx)))) as T;
  }
}
