// The ledger's reads as steps (steps.ts), shared by the SQLite and PostgreSQL ledgers: what the
// authority shows of an account, its holds and its record, and the admin's lists.
import { readRecord, type WorkerRecord } from './record.ts';
import {
  LedgerUsageError, checkAccountId, checkTransferId, type LedgerResult,
} from './results.ts';
import type { EscrowRow, EscrowState, HoldRow, RequestOp, TransferKind } from './statements.ts';
import { all, get, type Step } from './steps.ts';

/** One call reads at most this many journal lines: a page of history, not an export. */
export const HISTORY_MAX_ROWS = 1000;
/** Open holds (or series holds) listed per account; a client awards a few jobs at a time, not thousands. */
export const HOLDS_LISTED_MAX = 1000;
/** The leaderboard is a page's table, not an export. */
export const LEADERBOARD_MAX_ROWS = 100;

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

export type LeaderboardRow = WorkerRecord & { worker: string; balance: number };

/** Spendable points (held points excluded), or null for an account never opened. */
export function* balance(account: string): Step<number | null> {
  checkAccountId(account);
  return (yield* get('balance', account))?.balance ?? null;
}

export function* history(account: string, limit: number): Step<LedgerEntry[]> {
  checkAccountId(account);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > HISTORY_MAX_ROWS) {
    throw new LedgerUsageError(`history limit must be 1 to ${HISTORY_MAX_ROWS}; got ${limit}`);
  }
  return (yield* all('history', account, limit)).map((row) => ({
    seq: row.seq, transferId: row.request_id, kind: row.kind, debit: row.debit, credit: row.credit,
    amount: row.amount, delta: row.credit === account ? row.amount : -row.amount, holdId: row.hold_id, atMs: row.at_ms,
  }));
}

export function* heldBy(account: string): Step<number> {
  checkAccountId(account);
  return (yield* get('heldBy', account))!.held;
}

export function* escrows(account: string): Step<Escrow[]> {
  checkAccountId(account);
  return (yield* all('openEscrowsOf', account, HOLDS_LISTED_MAX)).map(toEscrow);
}

export function* openEscrows(limit: number): Step<{ escrows: Escrow[]; total: number }> {
  const rows = yield* all('openEscrows', Math.min(limit, HOLDS_LISTED_MAX));
  return { escrows: rows.map(toEscrow), total: (yield* get('openEscrowCount'))!.count };
}

export function* escrowById(escrowId: string): Step<Escrow | undefined> {
  checkTransferId(escrowId);
  const row = yield* get('escrow', escrowId);
  return row === undefined ? undefined : toEscrow(row);
}

export function* holds(account: string): Step<OpenHold[]> {
  checkAccountId(account);
  return (yield* all('openHoldsOf', account, account, HOLDS_LISTED_MAX)).map(toOpenHold);
}

export function* openHolds(limit: number): Step<{ holds: OpenHold[]; total: number }> {
  const rows = yield* all('openHolds', Math.min(limit, HOLDS_LISTED_MAX));
  return { holds: rows.map(toOpenHold), total: (yield* get('openHoldCount'))!.count };
}

export function* record(worker: string, nowMs: number, halfLifeMs: number): Step<WorkerRecord> {
  checkAccountId(worker);
  return readRecord(yield* get('record', worker), nowMs, halfLifeMs);
}

/** What /api/peers shows of each listed peer: its balance and, for workers, its record. */
export interface AccountView {
  readonly balance: number;
  readonly record: WorkerRecord | undefined;
}

/** The peers of one /api/peers page at most: one read transaction for all of them, not two per peer. */
export const ACCOUNTS_READ_MAX = 1000;

export function* accounts(ids: readonly { id: string; worker: boolean }[], nowMs: number, halfLifeMs: number): Step<AccountView[]> {
  if (ids.length > ACCOUNTS_READ_MAX) throw new LedgerUsageError(`accounts reads ${ACCOUNTS_READ_MAX} at most; got ${ids.length}`);
  const views: AccountView[] = [];
  for (const { id, worker } of ids) {
    views.push({ balance: (yield* balance(id)) ?? 0, record: worker ? yield* record(id, nowMs, halfLifeMs) : undefined });
  }
  return views;
}

export function* leaderboard(limit: number, nowMs: number, halfLifeMs: number): Step<LeaderboardRow[]> {
  const rows: LeaderboardRow[] = [];
  for (const { worker } of yield* all('topWorkers', Math.min(limit, LEADERBOARD_MAX_ROWS))) {
    rows.push({ worker, balance: (yield* balance(worker)) ?? 0, ...yield* record(worker, nowMs, halfLifeMs) });
  }
  return rows;
}

export function* outcome(transferId: string): Step<{ op: RequestOp; result: LedgerResult } | undefined> {
  checkTransferId(transferId);
  const row = yield* get('request', transferId);
  return row === undefined ? undefined : { op: row.op, result: row.result as LedgerResult };
}

function toOpenHold(row: HoldRow): OpenHold {
  return { id: row.id, client: row.client, worker: row.worker, amount: row.amount, expiresAtMs: row.expires_at_ms };
}

function toEscrow(row: EscrowRow): Escrow {
  return {
    id: row.id, client: row.client, amount: row.amount, remaining: row.remaining,
    expiresAtMs: row.expires_at_ms, state: row.state, returned: row.returned,
  };
}
