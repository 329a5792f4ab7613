// The ledger's rules for grants and job holds, one function per request kind, run inside a
// transaction the caller opened (series holds: series.ts). Each checks in precedence order and
// writes nothing unless it returns `ok` (an expired hold found by a post, void or reject is the
// exception: it is expired on the spot, then `hold_expired`).
import type { GrantOp, HoldOp, SettleOp } from './ops.ts';
import type { Verdict } from './record.ts';
import {
  ESCROW_ACCOUNT, LedgerUsageError, MINT_ACCOUNT, isAmount, type GrantResult, type HoldResult, type SettleResult,
} from './results.ts';
import type { HoldRow, HoldState, TransferKind } from './statements.ts';
import { all, get, run, type Step } from './steps.ts';
import type { WriteBack } from './write-back.ts';

export interface LedgerOptions {
  /** The most points one grant may mint (a new identity's starting points). */
  readonly grantPoints: number;
  /** Grants per IP address per day: one machine cannot mint points by making identities. */
  readonly grantsPerIpPerDay: number;
  /** The half-life of a judged job's weight in a worker's recent valid rate. */
  readonly recentHalfLifeMs: number;
}

export interface RuleContext {
  /** Balances, series holds and records: read and written through here, written at the end. */
  readonly rows: WriteBack;
  readonly nowMs: number;
  readonly options: LedgerOptions;
}

export function* grant(ctx: RuleContext, op: GrantOp): Step<GrantResult> {
  const { nowMs, options } = ctx;
  if (!isAmount(op.amount) || op.amount > options.grantPoints) return 'bad_amount';
  if ((yield* get('grantOf', op.account)) !== undefined) return 'already_granted';
  if ((yield* get('grantsOnDay', op.ip, op.day))!.n >= options.grantsPerIpPerDay) return 'ip_limit';
  yield* openAccount(ctx, op.account);
  yield* run('addGrant', op.account, op.ip, op.day, op.id, nowMs);
  yield* move(ctx, op.id, 'grant', MINT_ACCOUNT, op.account, op.amount, null);
  return 'ok';
}

export function* hold(ctx: RuleContext, op: HoldOp): Step<HoldResult> {
  const { rows, nowMs } = ctx;
  if (op.expiresAtMs <= nowMs) {
    throw new LedgerUsageError(`hold ${op.id} would expire at ${op.expiresAtMs}, not after now (${nowMs})`);
  }
  if (!isAmount(op.amount)) return 'bad_amount';
  if (op.client === op.worker) return 'self_payment';
  const funds = yield* rows.balance(op.client);
  if (funds === undefined || (yield* rows.balance(op.worker)) === undefined) return 'unknown_account';
  if (funds < op.amount) return 'insufficient_points';
  yield* run('addHold', op.id, op.client, op.worker, op.amount, op.expiresAtMs, nowMs);
  yield* move(ctx, op.id, 'hold', op.client, ESCROW_ACCOUNT, op.amount, op.id);
  return 'ok';
}

/** post: pay the worker; void: refund the client, no fault; reject: refund, the worker's fault. */
export function* settle(ctx: RuleContext, op: SettleOp): Step<SettleResult> {
  const found = yield* get('hold', op.holdId);
  if (found === undefined) return 'no_such_hold';
  if (!maySettle(op, found)) return 'not_your_hold';
  const closed = closedResult(found.state);
  if (closed !== undefined) return closed;
  if (found.expires_at_ms <= ctx.nowMs) {
    yield* expireHold(ctx, found);
    return 'hold_expired';
  }
  if (op.op === 'post') {
    yield* closeHold(ctx, found, 'posted', null);
    yield* move(ctx, op.id, 'post', ESCROW_ACCOUNT, found.worker, found.amount, found.id);
    yield* judgeWorker(ctx, found.worker, 'valid');
  } else {
    yield* closeHold(ctx, found, op.op === 'void' ? 'voided' : 'rejected', op.reason ?? null);
    yield* move(ctx, op.id, op.op, ESCROW_ACCOUNT, found.client, found.amount, found.id);
    if (op.op === 'reject') yield* judgeWorker(ctx, found.worker, 'invalid');
  }
  return 'ok';
}

/** Voids up to `limit` open holds whose expiry is at or before now; returns how many. */
export function* expireDue(ctx: RuleContext, limit: number): Step<number> {
  const due = yield* all('dueHolds', ctx.nowMs, limit);
  for (const found of due) yield* expireHold(ctx, found);
  return due.length;
}

export function* openAccount(ctx: RuleContext, account: string): Step<boolean> {
  ctx.rows.opened(account);
  return (yield* run('addAccount', account, ctx.nowMs)) === 1;
}

// Only the client who awarded the job judges it; the worker may also give the points back (void).
function maySettle(op: SettleOp, found: HoldRow): boolean {
  return op.by === found.client || (op.op === 'void' && op.by === found.worker);
}

function closedResult(state: HoldState): SettleResult | undefined {
  switch (state) {
    case 'open': return undefined;
    case 'posted': return 'hold_posted';
    case 'voided':
    case 'rejected': return 'hold_voided';
    case 'expired': return 'hold_expired';
  }
}

function* expireHold(ctx: RuleContext, found: HoldRow): Step<void> {
  yield* closeHold(ctx, found, 'expired', null);
  yield* move(ctx, null, 'expire', ESCROW_ACCOUNT, found.client, found.amount, found.id);
}

function* closeHold(ctx: RuleContext, found: HoldRow, state: HoldState, reason: string | null): Step<void> {
  const changes = yield* run('closeHold', state, reason, ctx.nowMs, found.id);
  if (changes !== 1) throw new Error(`ledger bug: hold ${found.id} was not open when closing it as ${state}`);
}

export function judgeWorker(ctx: RuleContext, worker: string, verdict: Verdict): Step<void> {
  return ctx.rows.judge(worker, verdict, ctx.nowMs);
}

// Double entry: the debit and the credit of one journal line, in one place.
export function move(ctx: RuleContext, requestId: string | null, kind: TransferKind, debit: string, credit: string,
  amount: number, holdId: string | null): Step<unknown> {
  ctx.rows.move(debit, credit, amount);
  return run('addTransfer', requestId, kind, debit, credit, amount, holdId, ctx.nowMs);
}
