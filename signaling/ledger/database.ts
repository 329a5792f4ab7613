// The embedded points ledger: one SQLite file (better-sqlite3), WAL, created on first start.
// The schema grows by numbered migrations (migrations.ts); the rules live in ledger.ts.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from './migrations.ts';
import { LedgerUsageError } from './results.ts';

export const LEDGER_FILE = 'ledger.sqlite';

export type LedgerDatabase = Database.Database;

export function openLedger(dataDir: string): LedgerDatabase {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, LEDGER_FILE));
  try {
    // WAL + synchronous=FULL: a transfer acknowledged to a peer survives kill -9 and power loss.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, dataDir);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: LedgerDatabase, dataDir: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new LedgerUsageError(`${LEDGER_FILE} is at schema version ${current} but this authority knows only ` +
      `${MIGRATIONS.length}; run a newer authority on it`);
  }
  // Before any migration runs on it: a later script would fail on the placeholder with a bare SQL error.
  if (current >= 1) refusePlaceholderSchema(db, dataDir);
  for (const [index, sql] of MIGRATIONS.entries()) {
    const version = index + 1;
    if (version <= current) continue;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    }).immediate();
  }
}

// Builds before the ledger wrote a placeholder version 1 (no `requests` table) that never held points.
function refusePlaceholderSchema(db: LedgerDatabase, dataDir: string): void {
  const found = db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'requests'`).get();
  if (found === undefined) {
    throw new LedgerUsageError(`${join(dataDir, LEDGER_FILE)} holds the pre-ledger placeholder schema (no points in it); ` +
      'delete the file and start again');
  }
}
