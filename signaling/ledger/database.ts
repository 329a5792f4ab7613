// The embedded points ledger: one SQLite file (better-sqlite3), WAL, created on first start.
// The schema grows by numbered migrations; the rules of the ledger arrive with the points issue.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from './migrations.ts';

export const LEDGER_FILE = 'ledger.sqlite';

export type LedgerDatabase = Database.Database;

export function openLedger(dataDir: string): LedgerDatabase {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, LEDGER_FILE));
  // WAL + synchronous=FULL: a transfer acknowledged to a peer survives kill -9 and power loss.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

function migrate(db: LedgerDatabase): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const [index, sql] of MIGRATIONS.entries()) {
    const version = index + 1;
    if (version <= current) continue;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    })();
  }
}
