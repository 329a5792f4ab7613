// The points ledger (DESIGN.md section 5): grants, escrow holds posted to the worker or voided back
// to the client, series holds paid out to many workers (series.ts), worker records. The authority
// is its only writer; every request is one SQLite transaction (or one per batch with `transact`,
// or one per event-loop turn through group-commit.ts), durable when the call returns.
//
// Requests carry a transfer id chosen by the caller. The first outcome of an id is kept: a retry
// gets it again and changes nothing; the id reused for another request gets `exists`. Outcomes are
// values from the closed set in results.ts; a malformed call (our own bug) throws LedgerUsageError.
import type { LedgerDatabase } from './database.ts';
import { checkInvariant, readTotals, type LedgerTotals } from './invariant.ts';
import { checkBatch, checkBatchSize, checkOp, fingerprint, type LedgerOp } from './ops.ts';
import { DEFAULT_RECENT_HALF_LIFE_MS, readRecord, type WorkerRecord } from './record.ts';
import * as rules from './rules.ts';
import * as series from './series.ts';
import {
  LedgerUsageError, checkAccountId, checkTimeMs, checkTransferId,
  type EscrowResult, type GrantResult, type HoldResult, type LedgerResult, type PayResult, type ReleaseResult, type SettleResult,
} from './results.ts';
import {
  prepareStatements, type EscrowRow, type EscrowState, type RequestOp, type Statements, type TransferKind,
} from './statements.ts';
import { WriteBack } from './write-back.ts';

export type { LedgerOptions } from './rules.ts';
export type { LedgerTotals } from './invariant.ts';
export type { WorkerRecord } from './record.ts';
export type { LedgerOp } from './ops.ts';

export const DEFAULT_LEDGER_OPTIONS: rules.LedgerOptions = {
  // Enough to award a first series of small jobs before earning anything; little enough that
  // minting identities is not worth it.
  grantPoints: 100,
  // A shared machine or a home NAT holds a few people; a classroom behind one NAT needs a higher value.
  grantsPerIpPerDay: 3,
  recentHalfLifeMs: DEFAULT_RECENT_HALF_LIFE_MS,
};

/** One call reads at most this many journal lines: a page of history, not an export. */
export const HISTORY_MAX_ROWS = 1000;
/** Open holds (or series holds) listed per account; a client awards a few jobs at a time, not thousands. */
export const HOLDS_LISTED_MAX = 1000;
/** The leaderboard is a page's table, not an export. */
export const LEADERBOARD_MAX_ROWS = 100;
/** Holds expired per `expire` call, so one sweep never stalls the authority; call again if it returns this. */
export const EXPIRE_BATCH_MAX = 10_000;

export interface LedgerDeps {
  readonly db: LedgerDatabase;
  /** Milliseconds since the epoch; stamps journal lines, expires holds, ages worker records. */
  readonly clock?: () => number;
  readonly options?: Partial<rules.LedgerOptions>;
}

export interface LedgerEntry {
  readonly seq: number;
  /** The request's transfer id; null for a hold expired by the ledger. */
  readonly transferId: string | null;
  readonly kind: TransferKind;
  readonly debit: string;
  readonly credit: string;
  readonly amount: number;
  /** The change to the account asked about: +amount when credited, -amount when debited. */
  readonly delta: number;
  readonly holdId: string | null;
  readonly atMs: number;
}

export interface OpenHold {
  readonly id: string;
  readonly client: string;
  readonly worker: string;
  readonly amount: number;
  readonly expiresAtMs: number;
}

/** A series hold: `amount` escrowed, `remaining` not paid out yet. */
export interface Escrow {
  readonly id: string;
  readonly client: string;
  readonly amount: number;
  readonly remaining: number;
  readonly expiresAtMs: number;
  readonly state: EscrowState;
  /** Points given back when it closed (released or expired); null while open. */
  readonly returned: number | null;
}

export class Ledger {
  readonly options: rules.LedgerOptions;
  private readonly db: LedgerDatabase;
  private readonly clock: () => number;
  private readonly st: Statements;
  private readonly inTransaction: { immediate(work: () => unknown): unknown };

  constructor({ db, clock = Date.now, options = {} }: LedgerDeps) {
    this.db = db;
    this.clock = clock;
    this.options = checkOptions({ ...DEFAULT_LEDGER_OPTIONS, ...options });
    this.st = prepareStatements(db);
    this.inTransaction = db.transaction((work: () => unknown) => work());
  }

  /** Mints `amount` (at most `options.grantPoints`) to `account`, once per account, opening it. */
  grant(transferId: string, account: string, amount: number, { ip, day }: { ip: string; day: string }): GrantResult {
    return this.one({ op: 'grant', id: transferId, account, amount, ip, day }) as GrantResult;
  }

  /** Moves `amount` from the client's balance into a hold for the worker; the hold's id is `transferId`. */
  hold(transferId: string, client: string, worker: string, amount: number, { expiresAtMs }: { expiresAtMs: number }): HoldResult {
    return this.one({ op: 'hold', id: transferId, client, worker, amount, expiresAtMs }) as HoldResult;
  }

  /** Pays the hold to its worker (an accepted result); only the hold's client may. */
  post(transferId: string, holdId: string, by: string): SettleResult {
    return this.one({ op: 'post', id: transferId, holdId, by }) as SettleResult;
  }

  /** Returns the hold to its client with no fault (the worker left); the client or the worker may. */
  void(transferId: string, holdId: string, by: string): SettleResult {
    return this.one({ op: 'void', id: transferId, holdId, by }) as SettleResult;
  }

  /** Returns the hold to its client and counts an invalid result against the worker; only the client may. */
  reject(transferId: string, holdId: string, by: string, reason: string): SettleResult {
    return this.one({ op: 'reject', id: transferId, holdId, by, reason }) as SettleResult;
  }

  /** Holds `amount` of the client's points for a whole series, for no worker yet; the escrow's id is `transferId`. */
  escrow(transferId: string, client: string, amount: number, { expiresAtMs }: { expiresAtMs: number }): EscrowResult {
    return this.one({ op: 'escrow', id: transferId, client, amount, expiresAtMs }) as EscrowResult;
  }

  /**
   * A judged result of the series: `post` pays `amount` from the escrow to `worker` (an accepted
   * result, `over_budget` past what is left); `reject` moves nothing and counts against the worker.
   * Only the escrow's client may.
   */
  pay(transferId: string, escrowId: string, by: string, worker: string, amount: number, action: 'post' | 'reject'): PayResult {
    return this.one({ op: 'pay', id: transferId, escrowId, by, worker, amount, action }) as PayResult;
  }

  /** Closes the escrow and returns what is left to its client; only the client may. `amount`: points returned. */
  release(transferId: string, escrowId: string, by: string): { result: ReleaseResult; amount: number } {
    const result = this.one({ op: 'release', id: transferId, escrowId, by }) as ReleaseResult;
    return { result, amount: this.released(escrowId, result) };
  }

  /** Points a release with this result returned: what the escrow gave back, or 0 when the release did nothing. */
  released(escrowId: string, result: LedgerResult): number {
    return result === 'ok' ? this.escrowById(escrowId)?.returned ?? 0 : 0;
  }

  /** Runs up to TRANSACT_MAX_OPS requests in one transaction; one result per request, in order. */
  transact(ops: readonly LedgerOp[]): LedgerResult[] {
    checkBatch(ops);
    return this.write((ctx) => ops.map((op) => this.apply(ctx, op)));
  }

  /**
   * As `transact`, but each request in its own savepoint: one that throws is rolled back alone and
   * its error is its result, the others commit. Slower; for a group whose `transact` threw.
   */
  transactEach(ops: readonly LedgerOp[]): (LedgerResult | Error)[] {
    checkBatchSize(ops);
    return this.write((ctx) => ops.map((op) => {
      try {
        checkOp(op);
        // Its own pending rows too, written inside the savepoint: a rollback drops them with it.
        const own = { ...ctx, rows: this.writeBack() };
        return this.inTransaction.immediate(() => {
          const result = this.apply(own, op);
          own.rows.flush();
          return result;
        }) as LedgerResult;
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    }));
  }

  /**
   * Voids the open holds and series holds whose expiry is at or before `nowMs`, `limit` at most (a
   * later post or pay gets `hold_expired`); returns how many.
   */
  expire(nowMs: number = this.clock(), limit: number = EXPIRE_BATCH_MAX): number {
    checkTimeMs('expire time', nowMs);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > EXPIRE_BATCH_MAX) {
      throw new LedgerUsageError(`expire limit must be 1 to ${EXPIRE_BATCH_MAX}; got ${limit}`);
    }
    return this.write((ctx) => {
      const holds = rules.expireDue(ctx, limit);
      return holds + series.expireDueEscrows(ctx, limit - holds);
    }, nowMs);
  }

  /** Opens an empty account (a worker paid before any grant); false when it exists already. */
  openAccount(account: string): boolean {
    checkAccountId(account);
    return this.write((ctx) => rules.openAccount(ctx, account));
  }

  /** Spendable points (held points excluded), or null for an account never opened. */
  balance(account: string): number | null {
    checkAccountId(account);
    return this.st.balance.get(account)?.balance ?? null;
  }

  /** The account's journal lines, newest first. */
  history(account: string, limit = 100): LedgerEntry[] {
    checkAccountId(account);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > HISTORY_MAX_ROWS) {
      throw new LedgerUsageError(`history limit must be 1 to ${HISTORY_MAX_ROWS}; got ${limit}`);
    }
    return this.st.history.all({ account, limit }).map((row) => ({
      seq: row.seq, transferId: row.request_id, kind: row.kind, debit: row.debit, credit: row.credit,
      amount: row.amount, delta: row.credit === account ? row.amount : -row.amount, holdId: row.hold_id, atMs: row.at_ms,
    }));
  }

  /** Points the account holds in open holds and series holds as a client, however many there are. */
  heldBy(account: string): number {
    checkAccountId(account);
    return this.st.heldBy.get({ client: account })!.held;
  }

  /** The account's open series holds, soonest expiry first. */
  escrows(account: string): Escrow[] {
    checkAccountId(account);
    return this.st.openEscrowsOf.all(account, HOLDS_LISTED_MAX).map(toEscrow);
  }

  /** Open series holds of every client, soonest expiry first, and how many there are. */
  openEscrows(limit = HOLDS_LISTED_MAX): { escrows: Escrow[]; total: number } {
    const escrows = this.st.openEscrows.all(Math.min(limit, HOLDS_LISTED_MAX)).map(toEscrow);
    return { escrows, total: this.st.openEscrowCount.get()!.count };
  }

  /** A series hold in any state, or undefined when there is none with this id. */
  escrowById(escrowId: string): Escrow | undefined {
    checkTransferId(escrowId);
    const row = this.st.escrow.get(escrowId);
    return row === undefined ? undefined : toEscrow(row);
  }

  /** Open holds the account pays (as client) or will be paid (as worker), soonest expiry first. */
  holds(account: string): OpenHold[] {
    checkAccountId(account);
    return this.st.openHoldsOf.all(account, account, HOLDS_LISTED_MAX).map((row) => ({
      id: row.id, client: row.client, worker: row.worker, amount: row.amount, expiresAtMs: row.expires_at_ms,
    }));
  }

  record(worker: string, nowMs: number = this.clock()): WorkerRecord {
    checkAccountId(worker);
    return readRecord(this.st.record.get(worker), nowMs, this.options.recentHalfLifeMs);
  }

  /** Open holds, soonest expiry first: the jobs awarded and not yet settled (jobs in flight). */
  openHolds(limit = HOLDS_LISTED_MAX): { holds: OpenHold[]; total: number } {
    const holds = this.st.openHolds.all(Math.min(limit, HOLDS_LISTED_MAX)).map((row) => ({
      id: row.id, client: row.client, worker: row.worker, amount: row.amount, expiresAtMs: row.expires_at_ms,
    }));
    return { holds, total: this.st.openHoldCount.get()!.count };
  }

  /** Workers with the most accepted jobs, with their records and balances (the admin leaderboard). */
  leaderboard(limit = LEADERBOARD_MAX_ROWS, nowMs: number = this.clock()): (WorkerRecord & { worker: string; balance: number })[] {
    return this.st.topWorkers.all(Math.min(limit, LEADERBOARD_MAX_ROWS)).map(({ worker }) => ({
      worker, balance: this.balance(worker) ?? 0, ...this.record(worker, nowMs),
    }));
  }

  /** The first outcome of a transfer id, or undefined when the id was never used. */
  outcome(transferId: string): { op: RequestOp; result: LedgerResult } | undefined {
    checkTransferId(transferId);
    const row = this.st.request.get(transferId);
    return row === undefined ? undefined : { op: row.op, result: row.result as LedgerResult };
  }

  totals(): LedgerTotals {
    return readTotals(this.db);
  }

  /** Throws LedgerInvariantError when the books do not balance; returns the totals otherwise. */
  checkInvariant(): LedgerTotals {
    return checkInvariant(this.db);
  }

  private one(op: LedgerOp): LedgerResult {
    checkOp(op);
    return this.write((ctx) => this.apply(ctx, op));
  }

  private write<T>(work: (ctx: rules.RuleContext) => T, nowMs: number = this.clock()): T {
    checkTimeMs('the ledger clock', nowMs);
    const ctx: rules.RuleContext = { st: this.st, rows: this.writeBack(), nowMs, options: this.options };
    return this.inTransaction.immediate(() => {
      const done = work(ctx);
      ctx.rows.flush();
      return done;
    }) as T;
  }

  private writeBack(): WriteBack {
    return new WriteBack(this.st, this.options.recentHalfLifeMs);
  }

  private apply(ctx: rules.RuleContext, op: LedgerOp): LedgerResult {
    const print = fingerprint(op);
    const first = ctx.st.request.get(op.id);
    if (first !== undefined) return first.op === op.op && first.fingerprint === print ? first.result as LedgerResult : 'exists';
    const result = rule(ctx, op);
    ctx.st.addRequest.run(op.id, op.op, print, result, ctx.nowMs);
    return result;
  }
}

function rule(ctx: rules.RuleContext, op: LedgerOp): LedgerResult {
  switch (op.op) {
    case 'grant': return rules.grant(ctx, op);
    case 'hold': return rules.hold(ctx, op);
    case 'post':
    case 'void':
    case 'reject': return rules.settle(ctx, op);
    case 'escrow': return series.escrow(ctx, op);
    case 'pay': return series.pay(ctx, op);
    case 'release': return series.release(ctx, op);
  }
}

function toEscrow(row: EscrowRow): Escrow {
  return {
    id: row.id, client: row.client, amount: row.amount, remaining: row.remaining,
    expiresAtMs: row.expires_at_ms, state: row.state, returned: row.returned,
  };
}

function checkOptions(options: rules.LedgerOptions): rules.LedgerOptions {
  for (const [name, value] of Object.entries(options)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new LedgerUsageError(`ledger option ${name} must be a positive integer; got ${String(value)}`);
    }
  }
  return options;
}
