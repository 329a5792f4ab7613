// The ledger's writes as steps (steps.ts), shared by the SQLite and PostgreSQL ledgers: one request
// with its idempotency check, a batch, a batch with a savepoint per request, expiry. Each runs with
// a fresh RuleContext inside one transaction the driver opened, and ends by writing what its
// WriteBack kept (write-back.ts).
import { checkOp, fingerprint, type LedgerOp } from './ops.ts';
import * as rules from './rules.ts';
import * as series from './series.ts';
import type { LedgerResult } from './results.ts';
import { get, run, type Step } from './steps.ts';
import { WriteBack } from './write-back.ts';

export function context(nowMs: number, options: rules.LedgerOptions): rules.RuleContext {
  return { rows: new WriteBack(options.recentHalfLifeMs), nowMs, options };
}

/** Runs `work`, then writes what it left pending: the body of every write transaction. */
export function* written<T>(ctx: rules.RuleContext, work: Step<T>): Step<T> {
  const done = yield* work;
  yield* ctx.rows.flush();
  return done;
}

export function* applyAll(ctx: rules.RuleContext, ops: readonly LedgerOp[]): Step<LedgerResult[]> {
  const results: LedgerResult[] = [];
  for (const op of ops) results.push(yield* apply(ctx, op));
  return results;
}

/**
 * Each request in its own savepoint: one that throws (its check or a statement) is rolled back
 * alone and its error is its result. Its pending rows are its own too, dropped with the savepoint.
 */
export function* applyEach(ctx: rules.RuleContext, ops: readonly LedgerOp[]): Step<(LedgerResult | Error)[]> {
  const results: (LedgerResult | Error)[] = [];
  for (const op of ops) {
    let opened = false;
    try {
      checkOp(op);
      yield* run('savepoint');
      opened = true;
      const own = { ...ctx, rows: new WriteBack(ctx.options.recentHalfLifeMs) };
      results.push(yield* written(own, apply(own, op)));
      yield* run('releaseSavepoint');
    } catch (error) {
      if (opened) {
        yield* run('rollbackSavepoint');
        yield* run('releaseSavepoint');
      }
      results.push(error instanceof Error ? error : new Error(String(error)));
    }
  }
  return results;
}

/** Voids due holds, then due series holds, `limit` in all; returns how many. */
export function* expireDue(ctx: rules.RuleContext, limit: number): Step<number> {
  const holds = yield* rules.expireDue(ctx, limit);
  return holds + (yield* series.expireDueEscrows(ctx, limit - holds));
}

// The first outcome of a transfer id is kept: a retry gets it again, another request with the id gets `exists`.
export function* apply(ctx: rules.RuleContext, op: LedgerOp): Step<LedgerResult> {
  const print = fingerprint(op);
  const first = yield* get('request', op.id);
  if (first !== undefined) return first.op === op.op && first.fingerprint === print ? first.result as LedgerResult : 'exists';
  const result = yield* rule(ctx, op);
  yield* run('addRequest', op.id, op.op, print, result, ctx.nowMs);
  return result;
}

function rule(ctx: rules.RuleContext, op: LedgerOp): Step<LedgerResult> {
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
