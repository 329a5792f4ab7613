import Database from 'better-sqlite3';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HOUR_MS, START_MS, fund, makeTempDir, openTestLedger, type TestLedger } from '../helpers/ledger.ts';
import { LEDGER_FILE, openLedger } from '../../signaling/ledger/database.ts';
import { MIGRATIONS } from '../../signaling/ledger/migrations.ts';
import { LedgerUsageError } from '../../signaling/ledger/results.ts';

const cleanup: (() => void)[] = [];

afterEach(() => {
  for (const done of cleanup.splice(0)) done();
});

function ledgerWithHold(): TestLedger {
  const t = openTestLedger();
  cleanup.push(() => t.close());
  fund(t.ledger, 100, 'alice', 'bob');
  expect(t.ledger.hold('h1', 'alice', 'bob', 30, { expiresAtMs: START_MS + HOUR_MS })).toBe('ok');
  return t;
}

/** A folder holding a ledger.sqlite made by `build`, removed after the test. */
function folderWith(build: (db: Database.Database) => void): string {
  const dataDir = makeTempDir();
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, LEDGER_FILE));
  build(db);
  db.close();
  return dataDir;
}

describe('ledger file', () => {
  it('creates ledger.sqlite in WAL mode with synchronous FULL at the latest schema version', () => {
    const { db } = ledgerWithHold();
    expect(db.name.endsWith(LEDGER_FILE)).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });

  it('keeps the journal and the first outcomes append-only', () => {
    const { db } = ledgerWithHold();
    expect(() => db.prepare('UPDATE transfers SET amount = 1').run()).toThrow('transfers are append-only');
    expect(() => db.prepare('DELETE FROM transfers').run()).toThrow('transfers are append-only');
    expect(() => db.prepare(`UPDATE requests SET result = 'ok'`).run()).toThrow('requests are append-only');
    expect(() => db.prepare('DELETE FROM requests').run()).toThrow('requests are append-only');
  });

  it('refuses an overdraft in the file itself, whatever the code does', () => {
    const { db } = ledgerWithHold();
    expect(() => db.prepare(`UPDATE accounts SET balance = -1 WHERE id = 'alice'`).run()).toThrow('CHECK constraint failed');
  });

  it('keeps balances, holds and first outcomes across a reopen', () => {
    const t = ledgerWithHold().reopen();
    cleanup.push(() => t.close());
    expect(t.ledger.balance('alice')).toBe(70);
    expect(t.ledger.holds('bob').map((h) => h.id)).toEqual(['h1']);
    expect(t.ledger.hold('h1', 'alice', 'bob', 30, { expiresAtMs: START_MS + HOUR_MS })).toBe('ok');
    expect(t.ledger.checkInvariant()).toEqual({ minted: 200, balances: 170, held: 30 });
  });

  it('refuses a file still holding the pre-ledger placeholder schema and says what to do', () => {
    const dataDir = folderWith((db) => {
      db.exec('CREATE TABLE accounts (id TEXT PRIMARY KEY, public_key TEXT NOT NULL, created_at INTEGER NOT NULL)');
      db.pragma('user_version = 1');
    });
    expect(() => openLedger(dataDir)).toThrow(LedgerUsageError);
    expect(() => openLedger(dataDir)).toThrow('holds the pre-ledger placeholder schema (no points in it); delete the file and start again');
  });

  it('refuses a file written by a newer authority', () => {
    const dataDir = folderWith((db) => db.pragma(`user_version = ${MIGRATIONS.length + 1}`));
    expect(() => openLedger(dataDir))
      .toThrow(`${LEDGER_FILE} is at schema version ${MIGRATIONS.length + 1} but this authority knows only ${MIGRATIONS.length}; run a newer authority on it`);
  });
});
