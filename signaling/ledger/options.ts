// The ledger's options and the bounds both stores (SQLite, PostgreSQL) check before a write.
import { DEFAULT_RECENT_HALF_LIFE_MS } from './record.ts';
import { LedgerUsageError, checkTimeMs } from './results.ts';
import type { LedgerOptions } from './rules.ts';

export const DEFAULT_LEDGER_OPTIONS: LedgerOptions = {
  // Enough to award a first series of small jobs before earning anything; little enough that
  // minting identities is not worth it.
  grantPoints: 100,
  // A shared machine or a home NAT holds a few people; a classroom behind one NAT needs a higher value.
  grantsPerIpPerDay: 3,
  recentHalfLifeMs: DEFAULT_RECENT_HALF_LIFE_MS,
};

/** Holds expired per `expire` call, so one sweep never stalls the authority; call again if it returns this. */
export const EXPIRE_BATCH_MAX = 10_000;

export function ledgerOptions(given: Partial<LedgerOptions>): LedgerOptions {
  const options = { ...DEFAULT_LEDGER_OPTIONS, ...given };
  for (const [name, value] of Object.entries(options)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new LedgerUsageError(`ledger option ${name} must be a positive integer; got ${String(value)}`);
    }
  }
  return options;
}

export function checkExpiry(nowMs: number, limit: number): void {
  checkTimeMs('expire time', nowMs);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > EXPIRE_BATCH_MAX) {
    throw new LedgerUsageError(`expire limit must be 1 to ${EXPIRE_BATCH_MAX}; got ${limit}`);
  }
}
