// Ledger results, limits and errors: the closed set of outcomes a request can have (returned as
// values), the bounds on what the authority may pass in, and the two errors a wrong call can throw.

/**
 * Every outcome of a ledger request. Only `ok` moves points or counts on a worker's record. A
 * retried request (same transfer id, same request) gets its first outcome again; `exists` means the
 * transfer id was already used by a different request (another operation, account, amount, hold or
 * caller). New results are added at the end: peers and dashboards match on these words.
 */
export const LEDGER_RESULTS = [
  'ok',
  'exists',
  'bad_amount',
  'self_payment',
  'unknown_account',
  'insufficient_points',
  'already_granted',
  'ip_limit',
  'no_such_hold',
  'not_your_hold',
  'hold_posted',
  'hold_voided',
  'hold_expired',
  'hold_released',
  'over_budget',
] as const;

export type LedgerResult = (typeof LEDGER_RESULTS)[number];

export type GrantResult = 'ok' | 'exists' | 'bad_amount' | 'already_granted' | 'ip_limit';
export type HoldResult = 'ok' | 'exists' | 'bad_amount' | 'self_payment' | 'unknown_account' | 'insufficient_points';
export type SettleResult = 'ok' | 'exists' | 'no_such_hold' | 'not_your_hold' | 'hold_posted' | 'hold_voided' | 'hold_expired';
/** A series hold (escrow) is refused like a hold, less the worker it does not name yet. */
export type EscrowResult = 'ok' | 'exists' | 'bad_amount' | 'unknown_account' | 'insufficient_points';
/** Releasing a series hold: `hold_released` when it was released already, `hold_expired` when its expiry came first. */
export type ReleaseResult = 'ok' | 'exists' | 'no_such_hold' | 'not_your_hold' | 'hold_released' | 'hold_expired';
/** A payment from a series hold: as a release, then the payment's own checks; `over_budget` when more than what is left. */
export type PayResult = ReleaseResult | 'bad_amount' | 'self_payment' | 'unknown_account' | 'over_budget';

/** Transfer ids are made by peers (random or counters); longer ones are a bug or an attack. */
export const TRANSFER_ID_MAX_CHARS = 128;
/** Account ids are peer ids (a hash of the public key, 64 hex characters today). */
export const ACCOUNT_ID_MAX_CHARS = 128;
/** A rejection reason is a short word or sentence for the worker's record, not a log. */
export const REASON_MAX_CHARS = 200;
/** Accounts starting with this are the ledger's own (`@mint`, `@escrow`); peers cannot use them. */
export const SYSTEM_ACCOUNT_PREFIX = '@';
export const MINT_ACCOUNT = '@mint';
export const ESCROW_ACCOUNT = '@escrow';

/** A caller (our own code) passed something the ledger never accepts; fix the caller. */
export class LedgerUsageError extends Error {
  override readonly name = 'LedgerUsageError';
}

/** The books do not balance: a bug in the ledger or a file changed behind its back. Stop. */
export class LedgerInvariantError extends Error {
  override readonly name = 'LedgerInvariantError';
}

/** Points are positive safe integers: no zero, negative, fractional, NaN or imprecise amounts. */
export function isAmount(amount: number): boolean {
  return Number.isSafeInteger(amount) && amount > 0;
}

export function checkTransferId(id: string): void {
  checkText('transfer id', id, TRANSFER_ID_MAX_CHARS);
}

export function checkAccountId(id: string): void {
  checkText('account id', id, ACCOUNT_ID_MAX_CHARS);
  if (id.startsWith(SYSTEM_ACCOUNT_PREFIX)) {
    throw new LedgerUsageError(`account id "${id}" is reserved: ids starting with "${SYSTEM_ACCOUNT_PREFIX}" belong to the ledger`);
  }
}

export function checkReason(reason: string): void {
  if (typeof reason !== 'string' || reason.length > REASON_MAX_CHARS) {
    throw new LedgerUsageError(`rejection reason must be a string of at most ${REASON_MAX_CHARS} characters; got ${describe(reason)}`);
  }
}

export function checkTimeMs(what: string, ms: number): void {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new LedgerUsageError(`${what} must be a non-negative integer of milliseconds; got ${describe(ms)}`);
  }
}

function checkText(what: string, text: string, maxChars: number): void {
  if (typeof text !== 'string' || text.length === 0 || text.length > maxChars) {
    throw new LedgerUsageError(`${what} must be a string of 1 to ${maxChars} characters; got ${describe(text)}` +
      ' (hint: the protocol parser should refuse it before the ledger sees it)');
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `${value.length} characters` : `"${value}"`;
  return `${typeof value} ${String(value)}`;
}
