// A ledger on a real SQLite file in a throw-away folder, with a clock the test moves by hand.
import type { Payments } from '../../src/peer/farm/payroll.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedger, type LedgerDatabase } from '../../signaling/ledger/database.ts';
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

/** Applies one request through the Ledger's own method for it (not `transact`). */
export function applyOne(ledger: Ledger, op: LedgerOp): LedgerResult {
  switch (op.op) {
    case 'grant': return ledger.grant(op.id, op.account, op.amount, { ip: op.ip, day: op.day });
    case 'hold': return ledger.hold(op.id, op.client, op.worker, op.amount, { expiresAtMs: op.expiresAtMs });
    case 'post': return ledger.post(op.id, op.holdId, op.by);
    case 'void': return ledger.void(op.id, op.holdId, op.by);
    case 'reject': return ledger.reject(op.id, op.holdId, op.by, op.reason ?? '');
    case 'escrow': return ledger.escrow(op.id, op.client, op.amount, { expiresAtMs: op.expiresAtMs });
    case 'pay': return ledger.pay(op.id, op.escrowId, op.by, op.worker, op.amount, op.action);
    case 'release': return ledger.release(op.id, op.escrowId, op.by).result;
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
