// Ledger requests as data: one union for the single methods and the batched `transact`, their
// argument checks (a wrong argument from our own code throws), and the fingerprint that tells a
// retry of a request from a different request reusing its transfer id.
import {
  LedgerUsageError, checkAccountId, checkReason, checkTimeMs, checkTransferId,
} from './results.ts';

export interface GrantOp {
  readonly op: 'grant';
  readonly id: string;
  readonly account: string;
  readonly amount: number;
  readonly ip: string;
  /** The calendar day the IP limit counts in, e.g. `2026-11-24` (the caller's time zone). */
  readonly day: string;
}

export interface HoldOp {
  readonly op: 'hold';
  readonly id: string;
  readonly client: string;
  readonly worker: string;
  readonly amount: number;
  readonly expiresAtMs: number;
}

export interface SettleOp {
  readonly op: 'post' | 'void' | 'reject';
  readonly id: string;
  readonly holdId: string;
  readonly by: string;
  /** Why a result was rejected (reject only; at most REASON_MAX_CHARS characters). */
  readonly reason?: string;
}

/** A series hold: `amount` of the client's points held for a whole series, no worker named yet. */
export interface EscrowOp {
  readonly op: 'escrow';
  readonly id: string;
  readonly client: string;
  readonly amount: number;
  readonly expiresAtMs: number;
}

/**
 * A judged result of a series: `post` pays `amount` from the escrow to the worker (an accepted
 * result); `reject` moves nothing and counts an outvoted result against the worker's record.
 */
export interface PayOp {
  readonly op: 'pay';
  readonly id: string;
  readonly escrowId: string;
  readonly by: string;
  readonly worker: string;
  readonly amount: number;
  readonly action: 'post' | 'reject';
}

/** Ends a series hold: what is left goes back to its client. */
export interface ReleaseOp {
  readonly op: 'release';
  readonly id: string;
  readonly escrowId: string;
  readonly by: string;
}

export type LedgerOp = GrantOp | HoldOp | SettleOp | EscrowOp | PayOp | ReleaseOp;
export type LedgerOpName = LedgerOp['op'];

/** An IP address in text (IPv6 is at most 45 characters) or a day like `2026-11-24`. */
export const LABEL_MAX_CHARS = 64;
/** One batch is one transaction; the authority's event loop waits for all of it (~1 ms per 100 ops). */
export const TRANSACT_MAX_OPS = 10_000;

export function checkOp(op: LedgerOp): void {
  checkTransferId(op.id);
  switch (op.op) {
    case 'grant':
      checkAccountId(op.account);
      checkLabel('ip', op.ip);
      checkLabel('day', op.day);
      return;
    case 'hold':
      checkAccountId(op.client);
      checkAccountId(op.worker);
      checkTimeMs('hold expiry', op.expiresAtMs);
      return;
    case 'post':
    case 'void':
    case 'reject':
      checkTransferId(op.holdId);
      checkAccountId(op.by);
      if (op.op === 'reject' || op.reason !== undefined) checkReason(op.reason ?? '');
      return;
    case 'escrow':
      checkAccountId(op.client);
      checkTimeMs('escrow expiry', op.expiresAtMs);
      return;
    case 'pay':
      checkTransferId(op.escrowId);
      checkAccountId(op.by);
      checkAccountId(op.worker);
      if (op.action !== 'post' && op.action !== 'reject') {
        throw new LedgerUsageError(`pay action must be post or reject; got ${JSON.stringify(op.action)}`);
      }
      return;
    case 'release':
      checkTransferId(op.escrowId);
      checkAccountId(op.by);
      return;
    default:
      throw new LedgerUsageError(`unknown ledger operation ${JSON.stringify((op as { op: unknown }).op)}; ` +
        'known: grant, hold, post, void, reject, escrow, pay, release');
  }
}

export function checkBatch(ops: readonly LedgerOp[]): void {
  checkBatchSize(ops);
  for (const op of ops) checkOp(op);
}

export function checkBatchSize(ops: readonly LedgerOp[]): void {
  if (!Array.isArray(ops) || ops.length > TRANSACT_MAX_OPS) {
    throw new LedgerUsageError(`transact takes an array of at most ${TRANSACT_MAX_OPS} operations; ` +
      `got ${Array.isArray(ops) ? ops.length : typeof ops} (hint: split the batch)`);
  }
}

/**
 * What makes two requests with one transfer id the same request. Times (hold and escrow expiry) and notes
 * (reject reason, grant ip/day) are left out: a retry may recompute them and is still the same request.
 */
export function fingerprint(op: LedgerOp): string {
  switch (op.op) {
    case 'grant': return JSON.stringify([op.account, op.amount]);
    case 'hold': return JSON.stringify([op.client, op.worker, op.amount]);
    case 'escrow': return JSON.stringify([op.client, op.amount]);
    case 'pay': return JSON.stringify([op.escrowId, op.by, op.worker, op.amount, op.action]);
    case 'release': return JSON.stringify([op.escrowId, op.by]);
    default: return JSON.stringify([op.holdId, op.by]);
  }
}

function checkLabel(what: string, text: string): void {
  if (typeof text !== 'string' || text.length === 0 || text.length > LABEL_MAX_CHARS) {
    throw new LedgerUsageError(`grant ${what} must be a string of 1 to ${LABEL_MAX_CHARS} characters; got ${String(text)}`);
  }
}
