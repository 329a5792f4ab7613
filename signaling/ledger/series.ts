// The ledger's rules for series holds (DESIGN.md section 5): a client escrows a whole series'
// budget in one hold that names no worker; accepted results are paid from it, to any workers, until
// it is used; an outvoted result counts against its worker with no payment; what is left goes back
// at release or expiry. Run inside a transaction the caller opened; as in rules.ts, nothing is
// written unless the result is `ok`, except that an escrow found past its expiry is expired on the spot.
import type { EscrowOp, PayOp, ReleaseOp } from './ops.ts';
import { judgeWorker, move, type RuleContext } from './rules.ts';
import {
  ESCROW_ACCOUNT, LedgerUsageError, isAmount, type EscrowResult, type PayResult, type ReleaseResult,
} from './results.ts';
import type { EscrowRow, EscrowState } from './statements.ts';
import { all, run, type Step } from './steps.ts';

export function* escrow(ctx: RuleContext, op: EscrowOp): Step<EscrowResult> {
  const { nowMs } = ctx;
  if (op.expiresAtMs <= nowMs) {
    throw new LedgerUsageError(`escrow ${op.id} would expire at ${op.expiresAtMs}, not after now (${nowMs})`);
  }
  if (!isAmount(op.amount)) return 'bad_amount';
  const funds = yield* ctx.rows.balance(op.client);
  if (funds === undefined) return 'unknown_account';
  if (funds < op.amount) return 'insufficient_points';
  yield* run('addEscrow', op.id, op.client, op.amount, op.expiresAtMs, nowMs);
  yield* move(ctx, op.id, 'hold', op.client, ESCROW_ACCOUNT, op.amount, op.id);
  return 'ok';
}

/** post: pays the worker from the escrow; reject: counts an outvoted result against the worker. */
export function* pay(ctx: RuleContext, op: PayOp): Step<PayResult> {
  const found = yield* openEscrow(ctx, op.escrowId, op.by);
  if (typeof found === 'string') return found;
  if (!isAmount(op.amount)) return 'bad_amount';
  if (op.worker === found.client) return 'self_payment';
  if ((yield* ctx.rows.balance(op.worker)) === undefined) return 'unknown_account';
  if (op.action === 'reject') {
    yield* judgeWorker(ctx, op.worker, 'invalid');
    return 'ok';
  }
  if (op.amount > found.remaining) return 'over_budget';
  ctx.rows.spend(found.id, op.amount);
  yield* move(ctx, op.id, 'post', ESCROW_ACCOUNT, op.worker, op.amount, found.id);
  yield* judgeWorker(ctx, op.worker, 'valid');
  return 'ok';
}

/** Closes the escrow and gives what is left back to its client (Ledger.escrow tells how much). */
export function* release(ctx: RuleContext, op: ReleaseOp): Step<ReleaseResult> {
  const found = yield* openEscrow(ctx, op.escrowId, op.by);
  if (typeof found === 'string') return found;
  yield* closeEscrow(ctx, found, 'released', op.id);
  return 'ok';
}

/** Expires up to `limit` open escrows whose expiry is at or before now; returns how many. */
export function* expireDueEscrows(ctx: RuleContext, limit: number): Step<number> {
  if (limit <= 0) return 0;
  yield* ctx.rows.flush(); // the query reads what was paid from the escrows
  const due = yield* all('dueEscrows', ctx.nowMs, limit);
  for (const found of due) yield* closeEscrow(ctx, found, 'expired', null);
  return due.length;
}

/** The escrow a pay or release may use, or why not (in precedence order). */
function* openEscrow(ctx: RuleContext, escrowId: string, by: string): Step<EscrowRow | ReleaseResult> {
  const found = yield* ctx.rows.escrow(escrowId);
  if (found === undefined) return 'no_such_hold';
  if (by !== found.client) return 'not_your_hold';
  if (found.state === 'released') return 'hold_released';
  if (found.state === 'expired') return 'hold_expired';
  if (found.expires_at_ms <= ctx.nowMs) {
    yield* closeEscrow(ctx, found, 'expired', null);
    return 'hold_expired';
  }
  return found;
}

// What is left goes back as one journal line (none when the escrow was used up).
function* closeEscrow(ctx: RuleContext, found: EscrowRow, state: Exclude<EscrowState, 'open'>, requestId: string | null): Step<void> {
  yield* ctx.rows.settleEscrow(found.id);
  const changes = yield* run('closeEscrow', state, ctx.nowMs, found.id);
  if (changes !== 1) throw new Error(`ledger bug: escrow ${found.id} was not open when closing it as ${state}`);
  if (found.remaining > 0) {
    yield* move(ctx, requestId, state === 'expired' ? 'expire' : 'void', ESCROW_ACCOUNT, found.client, found.remaining, found.id);
  }
}
