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

export function escrow(ctx: RuleContext, op: EscrowOp): EscrowResult {
  const { st, nowMs } = ctx;
  if (op.expiresAtMs <= nowMs) {
    throw new LedgerUsageError(`escrow ${op.id} would expire at ${op.expiresAtMs}, not after now (${nowMs})`);
  }
  if (!isAmount(op.amount)) return 'bad_amount';
  const funds = ctx.rows.balance(op.client);
  if (funds === undefined) return 'unknown_account';
  if (funds < op.amount) return 'insufficient_points';
  st.addEscrow.run({ id: op.id, client: op.client, amount: op.amount, expiresAtMs: op.expiresAtMs, nowMs });
  move(ctx, op.id, 'hold', op.client, ESCROW_ACCOUNT, op.amount, op.id);
  return 'ok';
}

/** post: pays the worker from the escrow; reject: counts an outvoted result against the worker. */
export function pay(ctx: RuleContext, op: PayOp): PayResult {
  const found = openEscrow(ctx, op.escrowId, op.by);
  if (typeof found === 'string') return found;
  if (!isAmount(op.amount)) return 'bad_amount';
  if (op.worker === found.client) return 'self_payment';
  if (ctx.rows.balance(op.worker) === undefined) return 'unknown_account';
  if (op.action === 'reject') {
    judgeWorker(ctx, op.worker, 'invalid');
    return 'ok';
  }
  if (op.amount > found.remaining) return 'over_budget';
  ctx.rows.spend(found.id, op.amount);
  move(ctx, op.id, 'post', ESCROW_ACCOUNT, op.worker, op.amount, found.id);
  judgeWorker(ctx, op.worker, 'valid');
  return 'ok';
}

/** Closes the escrow and gives what is left back to its client (Ledger.escrow tells how much). */
export function release(ctx: RuleContext, op: ReleaseOp): ReleaseResult {
  const found = openEscrow(ctx, op.escrowId, op.by);
  if (typeof found === 'string') return found;
  closeEscrow(ctx, found, 'released', op.id);
  return 'ok';
}

/** Expires up to `limit` open escrows whose expiry is at or before now; returns how many. */
export function expireDueEscrows(ctx: RuleContext, limit: number): number {
  if (limit <= 0) return 0;
  ctx.rows.flush(); // the query reads what was paid from the escrows
  const due = ctx.st.dueEscrows.all(ctx.nowMs, limit);
  for (const found of due) closeEscrow(ctx, found, 'expired', null);
  return due.length;
}

/** The escrow a pay or release may use, or why not (in precedence order). */
function openEscrow(ctx: RuleContext, escrowId: string, by: string): EscrowRow | ReleaseResult {
  const found = ctx.rows.escrow(escrowId);
  if (found === undefined) return 'no_such_hold';
  if (by !== found.client) return 'not_your_hold';
  if (found.state === 'released') return 'hold_released';
  if (found.state === 'expired') return 'hold_expired';
  if (found.expires_at_ms <= ctx.nowMs) {
    closeEscrow(ctx, found, 'expired', null);
    return 'hold_expired';
  }
  return found;
}

// What is left goes back as one journal line (none when the escrow was used up).
function closeEscrow(ctx: RuleContext, found: EscrowRow, state: Exclude<EscrowState, 'open'>, requestId: string | null): void {
  ctx.rows.settleEscrow(found.id);
  const { changes } = ctx.st.closeEscrow.run(state, ctx.nowMs, found.id);
  if (changes !== 1) throw new Error(`ledger bug: escrow ${found.id} was not open when closing it as ${state}`);
  if (found.remaining > 0) {
    move(ctx, requestId, state === 'expired' ? 'expire' : 'void', ESCROW_ACCOUNT, found.client, found.remaining, found.id);
  }
}
