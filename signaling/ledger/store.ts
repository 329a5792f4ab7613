// The ledger as the authority uses it: every method of Ledger (ledger.ts) answering with a promise,
// on the embedded SQLite file or on a PostgreSQL ledger shared by several authorities (pg-ledger.ts).
// `openLedgerStore` picks one: PostgreSQL when a database URL is given, SQLite otherwise.
import type { LedgerCalls, LedgerMethod, CallResult } from './calls.ts';
import { LEDGER_METHODS } from './calls.ts';
import { openLedger, type LedgerDatabase } from './database.ts';
import { Ledger } from './ledger.ts';
import type { LedgerOptions } from './rules.ts';
import { PgLedger } from './pg-ledger.ts';
import { openPgLedger } from './pg-database.ts';

export type LedgerStoreMethods = {
  readonly [M in LedgerMethod]: (...args: Parameters<LedgerCalls[M]>) => Promise<CallResult<ReturnType<LedgerCalls[M]>>>;
};

export interface LedgerStore extends LedgerStoreMethods {
  readonly options: LedgerOptions;
  /** `sqlite` or `postgresql`: for logs and metrics. */
  readonly kind: 'sqlite' | 'postgresql';
  close(): Promise<void>;
}

/** The synchronous SQLite Ledger behind the async interface; each call runs (and commits) before it returns. */
export function sqliteStore(ledger: Ledger, db: LedgerDatabase): LedgerStore {
  const methods = Object.fromEntries(LEDGER_METHODS.map((name) => [name,
    (...args: unknown[]) => new Promise((resolve) => {
      resolve((ledger[name] as (...a: unknown[]) => unknown)(...args));
    })]));
  return {
    ...methods as unknown as LedgerStoreMethods,
    options: ledger.options,
    kind: 'sqlite',
    close: async () => {
      if (db.open) db.close();
    },
  };
}

export interface LedgerStoreConfig {
  /** Where the SQLite file lives when there is no database URL. */
  readonly dataDir: string;
  /** A PostgreSQL URL: the ledger shared by several authorities. */
  readonly databaseUrl?: string | undefined;
  readonly clock?: () => number;
  readonly options?: Partial<LedgerOptions>;
  /** A PostgreSQL connection lost while idle; the next request connects again. */
  readonly onDatabaseError?: (error: Error) => void;
}

export async function openLedgerStore(config: LedgerStoreConfig): Promise<LedgerStore> {
  const clock = config.clock ?? Date.now;
  const options = config.options ?? {};
  if (config.databaseUrl !== undefined) {
    const { pool } = await openPgLedger(config.databaseUrl, config.onDatabaseError);
    return new PgLedger({ pool, clock, options });
  }
  const db = openLedger(config.dataDir);
  return sqliteStore(new Ledger({ db, clock, options }), db);
}
