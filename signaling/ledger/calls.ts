// Every method of the ledger as data: a read or a write transaction built from steps (steps.ts),
// with its arguments checked before any transaction opens. The SQLite Ledger runs them at once
// (ledger.ts); the PostgreSQL ledger runs them in a SERIALIZABLE transaction, building the steps
// again on each retry (pg-ledger.ts). One list, so both stores have the same methods and rules.
import * as apply from './apply.ts';
import { checkInvariant, readTotals, type LedgerTotals } from './invariant.ts';
import { checkBatch, checkBatchSize, checkOp, type LedgerOp } from './ops.ts';
import { EXPIRE_BATCH_MAX, checkExpiry } from './options.ts';
import type { WorkerRecord } from './record.ts';
import * as reads from './reads.ts';
import { HOLDS_LISTED_MAX, LEADERBOARD_MAX_ROWS, type Escrow, type LedgerEntry, type OpenHold } from './reads.ts';
import * as rules from './rules.ts';
import {
  checkAccountId, checkTimeMs,
  type EscrowResult, type GrantResult, type HoldResult, type LedgerResult, type PayResult, type ReleaseResult, type SettleResult,
} from './results.ts';
import type { RequestOp } from './statements.ts';
import type { Step } from './steps.ts';

/** What a read needs of the ledger it runs on. */
export interface ReadEnv {
  readonly nowMs: number;
  readonly options: rules.LedgerOptions;
}

export type Call<T> =
  | { readonly kind: 'read'; readonly step: (env: ReadEnv) => Step<T> }
  /** `nowMs`: the time the write runs at; undefined: the ledger's clock. */
  | { readonly kind: 'write'; readonly nowMs: number | undefined; readonly work: (ctx: rules.RuleContext) => Step<T> };

export type CallResult<C> = C extends Call<infer T> ? T : never;

function read<T>(step: (env: ReadEnv) => Step<T>): Call<T> {
  return { kind: 'read', step };
}

function write<T>(work: (ctx: rules.RuleContext) => Step<T>, nowMs?: number): Call<T> {
  if (nowMs !== undefined) checkTimeMs('the ledger clock', nowMs);
  return { kind: 'write', nowMs, work };
}

function one<R extends LedgerResult>(op: LedgerOp): Call<R> {
  checkOp(op);
  return write((ctx) => apply.apply(ctx, op) as Step<R>);
}

function* released(escrowId: string, result: LedgerResult): Step<number> {
  return result === 'ok' ? (yield* reads.escrowById(escrowId))?.returned ?? 0 : 0;
}

/** The ledger's methods; ledger.ts documents each. */
export const CALLS = {
  grant: (transferId: string, account: string, amount: number, { ip, day }: { ip: string; day: string }) =>
    one<GrantResult>({ op: 'grant', id: transferId, account, amount, ip, day }),
  hold: (transferId: string, client: string, worker: string, amount: number, { expiresAtMs }: { expiresAtMs: number }) =>
    one<HoldResult>({ op: 'hold', id: transferId, client, worker, amount, expiresAtMs }),
  post: (transferId: string, holdId: string, by: string) => one<SettleResult>({ op: 'post', id: transferId, holdId, by }),
  void: (transferId: string, holdId: string, by: string) => one<SettleResult>({ op: 'void', id: transferId, holdId, by }),
  reject: (transferId: string, holdId: string, by: string, reason: string) =>
    one<SettleResult>({ op: 'reject', id: transferId, holdId, by, reason }),
  escrow: (transferId: string, client: string, amount: number, { expiresAtMs }: { expiresAtMs: number }) =>
    one<EscrowResult>({ op: 'escrow', id: transferId, client, amount, expiresAtMs }),
  pay: (transferId: string, escrowId: string, by: string, worker: string, amount: number, action: 'post' | 'reject') =>
    one<PayResult>({ op: 'pay', id: transferId, escrowId, by, worker, amount, action }),
  release: (transferId: string, escrowId: string, by: string): Call<{ result: ReleaseResult; amount: number }> => {
    const op: LedgerOp = { op: 'release', id: transferId, escrowId, by };
    checkOp(op);
    return write(function* (ctx) {
      const result = (yield* apply.apply(ctx, op)) as ReleaseResult;
      return { result, amount: yield* released(escrowId, result) };
    });
  },
  released: (escrowId: string, result: LedgerResult): Call<number> => read(() => released(escrowId, result)),
  transact: (ops: readonly LedgerOp[]): Call<LedgerResult[]> => {
    checkBatch(ops);
    return write((ctx) => apply.applyAll(ctx, ops));
  },
  transactEach: (ops: readonly LedgerOp[]): Call<(LedgerResult | Error)[]> => {
    checkBatchSize(ops);
    return write((ctx) => apply.applyEach(ctx, ops));
  },
  expire: (nowMs?: number, limit: number = EXPIRE_BATCH_MAX): Call<number> => {
    checkExpiry(nowMs ?? 0, limit);
    return write((ctx) => apply.expireDue(ctx, limit), nowMs);
  },
  openAccount: (account: string): Call<boolean> => {
    checkAccountId(account);
    return write((ctx) => rules.openAccount(ctx, account));
  },
  balance: (account: string): Call<number | null> => read(() => reads.balance(account)),
  history: (account: string, limit = 100): Call<LedgerEntry[]> => read(() => reads.history(account, limit)),
  heldBy: (account: string): Call<number> => read(() => reads.heldBy(account)),
  escrows: (account: string): Call<Escrow[]> => read(() => reads.escrows(account)),
  openEscrows: (limit = HOLDS_LISTED_MAX): Call<{ escrows: Escrow[]; total: number }> => read(() => reads.openEscrows(limit)),
  escrowById: (escrowId: string): Call<Escrow | undefined> => read(() => reads.escrowById(escrowId)),
  holds: (account: string): Call<OpenHold[]> => read(() => reads.holds(account)),
  record: (worker: string, nowMs?: number): Call<WorkerRecord> =>
    read((env) => reads.record(worker, nowMs ?? env.nowMs, env.options.recentHalfLifeMs)),
  openHolds: (limit = HOLDS_LISTED_MAX): Call<{ holds: OpenHold[]; total: number }> => read(() => reads.openHolds(limit)),
  accounts: (ids: readonly { id: string; worker: boolean }[], nowMs?: number): Call<reads.AccountView[]> =>
    read((env) => reads.accounts(ids, nowMs ?? env.nowMs, env.options.recentHalfLifeMs)),
  leaderboard: (limit = LEADERBOARD_MAX_ROWS, nowMs?: number): Call<reads.LeaderboardRow[]> =>
    read((env) => reads.leaderboard(limit, nowMs ?? env.nowMs, env.options.recentHalfLifeMs)),
  outcome: (transferId: string): Call<{ op: RequestOp; result: LedgerResult } | undefined> => read(() => reads.outcome(transferId)),
  totals: (): Call<LedgerTotals> => read(() => readTotals()),
  checkInvariant: (): Call<LedgerTotals> => read(() => checkInvariant()),
};

export type LedgerCalls = typeof CALLS;
export type LedgerMethod = keyof LedgerCalls;
export const LEDGER_METHODS = Object.keys(CALLS) as LedgerMethod[];
