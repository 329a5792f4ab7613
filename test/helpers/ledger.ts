// A ledger on a real SQLite file in a throw-away folder, or in a fresh database of a throw-away
// PostgreSQL cluster, with a clock the test moves by hand.
import type { Payments } from '../../src/peer/farm/payroll.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe } from 'vitest';
import { openLedger, type LedgerDatabase } from '../../signaling/ledger/database.ts';
import { PgLedger } from '../../signaling/ledger/pg-ledger.ts';
import { openPgLedger } from '../../signaling/ledger/pg-database.ts';
import { pgText } from '../../signaling/ledger/statements.ts';
import { sqliteStore, type LedgerStore } from '../../signaling/ledger/store.ts';
import { createTestDatabase, startPostgres, type TestPostgres } from './postgres.ts';
import { Ledger, type LedgerOp, type LedgerOptions } from '../../signaling/ledger/ledger.ts';
import type { LedgerResult } from '../../signaling/ledger/results.ts';

/** 2026-11-24T00:00:00Z: a fixed start, so journal times are the same in every run. */
export const START_MS = Date.UTC(2026, 10, 24);
export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

export interface ManualClock {
  readonly now: () => number;
  advance(ms: number): void;
}

export function manualClock(startMs = START_MS): ManualClock {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    advance: (ms) => { nowMs += ms; },
  };
}

export interface TestLedger {
  readonly ledger: Ledger;
  readonly db: LedgerDatabase;
  readonly dataDir: string;
  readonly clock: ManualClock;
  /** Closes the file and opens it again with a new Ledger (same folder, clock and options). */
  reopen(): TestLedger;
  /** Closes the file and deletes the folder. */
  close(): void;
}

export function makeTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'peerfarm-ledger-'));
}

export function openTestLedger(options: Partial<LedgerOptions> = {}, dataDir = makeTempDir(),
  clock = manualClock()): TestLedger {
  const db = openLedger(dataDir);
  const ledger = new Ledger({ db, clock: clock.now, options });
  return {
    ledger, db, dataDir, clock,
    reopen: () => {
      db.close();
      return openTestLedger(options, dataDir, clock);
    },
    close: () => {
      if (db.open) db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Grants `points` to each account, each from its own IP so no limit applies. */
export function fund(ledger: Ledger, points: number, ...accounts: string[]): void {
  for (const account of accounts) {
    const result = ledger.grant(`grant-${account}`, account, points, { ip: `ip-${account}`, day: '2026-11-24' });
    if (result !== 'ok') throw new Error(`could not fund ${account}: ${result}`);
  }
}

/** Applies one request through the store's own method for it (not `transact`). */
export async function applyOne(ledger: LedgerStore, op: LedgerOp): Promise<LedgerResult> {
  switch (op.op) {
    case 'grant': return ledger.grant(op.id, op.account, op.amount, { ip: op.ip, day: op.day });
    case 'hold': return ledger.hold(op.id, op.client, op.worker, op.amount, { expiresAtMs: op.expiresAtMs });
    case 'post': return ledger.post(op.id, op.holdId, op.by);
    case 'void': return ledger.void(op.id, op.holdId, op.by);
    case 'reject': return ledger.reject(op.id, op.holdId, op.by, op.reason ?? '');
    case 'escrow': return ledger.escrow(op.id, op.client, op.amount, { expiresAtMs: op.expiresAtMs });
    case 'pay': return ledger.pay(op.id, op.escrowId, op.by, op.worker, op.amount, op.action);
    case 'release': return (await ledger.release(op.id, op.escrowId, op.by)).result;
  }
}

/**
 * A client's side of the ledger as the series payroll asks it (each call one request), noting each
 * in `log`: `escrow A`, `pay E W A action` (with ` as T` when the caller names the transfer), `release E`.
 */
export function ledgerPayments(ledger: Ledger, client: string, log: string[]): Payments {
  let counter = 0;
  return {
    escrow: async (amount, expiresMs) => {
      const id = `e${++counter}`;
      log.push(`escrow ${amount}`);
      return { escrow: id, result: ledger.escrow(id, client, amount, { expiresAtMs: expiresMs }) };
    },
    pay: async (escrow, worker, amount, action, transfer) => {
      log.push(`pay ${escrow} ${worker} ${amount} ${action}${transfer === undefined ? '' : ` as ${transfer}`}`);
      return ledger.pay(transfer ?? `p${++counter}`, escrow, client, worker, amount, action);
    },
    release: async (escrow) => {
      log.push(`release ${escrow}`);
      return ledger.release(`r${++counter}`, escrow, client);
    },
    balance: async () => ({ points: ledger.balance(client) ?? 0 }),
  };
}

/** The ledger stores every ledger suite runs against (store.ts). */
export const STORES = ['sqlite', 'postgresql'] as const;
export type StoreKind = (typeof STORES)[number];

export interface TestStore {
  readonly store: LedgerStore;
  readonly clock: ManualClock;
  /** Runs SQL on the store's database behind the ledger's back (`?` parameters on both). */
  sql(text: string, ...args: unknown[]): Promise<void>;
  /** A second ledger on the same books: another authority (PostgreSQL) or the same file (SQLite). */
  another(): Promise<LedgerStore>;
  close(): Promise<void>;
}

export type OpenStore = (options?: Partial<LedgerOptions>, clock?: ManualClock) => Promise<TestStore>;

/**
 * `describe.each(STORES)`: the suite runs once on SQLite and once on PostgreSQL (one throw-away
 * cluster for the suite, a fresh database per store opened).
 */
export function describeEachStore(title: string, body: (open: OpenStore, kind: StoreKind) => void): void {
  describe.each(STORES)(`${title} (%s)`, (kind) => {
    const clusterUrl = kind === 'postgresql' ? usePostgresCluster() : undefined;
    body((options = {}, clock = manualClock()) => (clusterUrl === undefined
      ? openSqliteStore(options, clock)
      : openPgStore(clusterUrl(), options, clock)), kind);
  });
}

/** A throw-away cluster for the suite it is called in (beforeAll/afterAll); returns its URL once started. */
export function usePostgresCluster(): () => string {
  let cluster: TestPostgres | undefined;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, POSTGRES_START_TIMEOUT_MS);
  afterAll(async () => {
    await cluster?.stop();
  });
  return () => cluster!.url;
}

/** As usePostgresCluster, and a fresh database for each test (beforeEach/afterEach); returns its URL. */
export function usePostgresDatabase(): () => string {
  const clusterUrl = usePostgresCluster();
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  beforeEach(async () => {
    database = await createTestDatabase(clusterUrl());
  });
  afterEach(async () => {
    await database?.drop();
  });
  return () => database!.url;
}

/** initdb and the server's start, a few seconds here; generous for a loaded CI machine. */
export const POSTGRES_START_TIMEOUT_MS = 120_000;

async function openSqliteStore(options: Partial<LedgerOptions>, clock: ManualClock): Promise<TestStore> {
  const dataDir = makeTempDir();
  const open = () => {
    const db = openLedger(dataDir);
    return { db, store: sqliteStore(new Ledger({ db, clock: clock.now, options }), db) };
  };
  const { db, store } = open();
  const others: LedgerStore[] = [];
  return {
    store, clock,
    sql: async (text, ...args) => {
      db.prepare(text).run(...args);
    },
    another: async () => {
      const other = open().store;
      others.push(other);
      return other;
    },
    close: async () => {
      for (const other of [store, ...others]) await other.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function openPgStore(clusterUrl: string, options: Partial<LedgerOptions>, clock: ManualClock): Promise<TestStore> {
  const database = await createTestDatabase(clusterUrl);
  const open = async () => new PgLedger({ pool: (await openPgLedger(database.url)).pool, clock: clock.now, options });
  const store = await open();
  const others: PgLedger[] = [];
  return {
    store, clock,
    sql: async (text, ...args) => {
      await store.pool.query(pgText(text), args);
    },
    another: async () => {
      const other = await open();
      others.push(other);
      return other;
    },
    close: async () => {
      for (const other of [store, ...others]) await other.close();
      await database.drop();
    },
  };
}

/** Grants `points` to each account through a store, each from its own IP so no limit applies. */
export async function fundStore(store: LedgerStore, points: number, ...accounts: string[]): Promise<void> {
  for (const account of accounts) {
    const result = await store.grant(`grant-${account}`, account, points, { ip: `ip-${account}`, day: '2026-11-24' });
    if (result !== 'ok') throw new Error(`could not fund ${account}: ${result}`);
  }
}
