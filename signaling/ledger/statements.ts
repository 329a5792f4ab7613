// Every SQL statement the ledger runs, prepared once when the ledger opens.
import type { LedgerDatabase } from './database.ts';

export type RequestOp = 'grant' | 'hold' | 'post' | 'void' | 'reject' | 'escrow' | 'pay' | 'release';
/** How points moved: series holds use the same kinds (into @escrow, out to a worker or back). */
export type TransferKind = 'grant' | 'hold' | 'post' | 'void' | 'reject' | 'expire';
export type HoldState = 'open' | 'posted' | 'voided' | 'rejected' | 'expired';
export type EscrowState = 'open' | 'released' | 'expired';

export interface RequestRow {
  readonly op: RequestOp;
  readonly fingerprint: string;
  readonly result: string;
}

export interface HoldRow {
  readonly id: string;
  readonly client: string;
  readonly worker: string;
  readonly amount: number;
  readonly expires_at_ms: number;
  readonly state: HoldState;
}

export interface EscrowRow {
  readonly id: string;
  readonly client: string;
  readonly amount: number;
  readonly remaining: number;
  readonly expires_at_ms: number;
  readonly state: EscrowState;
  /** Points given back when it closed (released or expired); null while open. */
  readonly returned: number | null;
}

export interface TransferRow {
  readonly seq: number;
  readonly request_id: string | null;
  readonly kind: TransferKind;
  readonly debit: string;
  readonly credit: string;
  readonly amount: number;
  readonly hold_id: string | null;
  readonly at_ms: number;
}

export interface RecordRow {
  readonly jobs: number;
  readonly rejected: number;
  readonly recent_valid: number;
  readonly recent_total: number;
  readonly updated_at_ms: number;
}

type TransferInsert = [requestId: string | null, kind: TransferKind, debit: string, credit: string,
  amount: number, holdId: string | null, atMs: number];

export function prepareStatements(db: LedgerDatabase) {
  return {
    request: db.prepare<[string], RequestRow>('SELECT op, fingerprint, result FROM requests WHERE id = ?'),
    addRequest: db.prepare<[string, RequestOp, string, string, number]>(
      'INSERT INTO requests (id, op, fingerprint, result, at_ms) VALUES (?, ?, ?, ?, ?)'),
    balance: db.prepare<[string], { balance: number }>('SELECT balance FROM accounts WHERE id = ?'),
    addAccount: db.prepare<[string, number]>(
      'INSERT INTO accounts (id, balance, created_at_ms) VALUES (?, 0, ?) ON CONFLICT (id) DO NOTHING'),
    move: db.prepare<[number, string]>('UPDATE accounts SET balance = balance + ? WHERE id = ?'),
    addTransfer: db.prepare<TransferInsert>(
      'INSERT INTO transfers (request_id, kind, debit, credit, amount, hold_id, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    grantOf: db.prepare<[string], { account: string }>('SELECT account FROM grants WHERE account = ?'),
    grantsOnDay: db.prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM grants WHERE ip = ? AND day = ?'),
    addGrant: db.prepare<[string, string, string, string, number]>(
      'INSERT INTO grants (account, ip, day, request_id, at_ms) VALUES (?, ?, ?, ?, ?)'),
    hold: db.prepare<[string], HoldRow>(
      'SELECT id, client, worker, amount, expires_at_ms, state FROM holds WHERE id = ?'),
    addHold: db.prepare<[string, string, string, number, number, number]>(
      `INSERT INTO holds (id, client, worker, amount, expires_at_ms, state, created_at_ms) VALUES (?, ?, ?, ?, ?, 'open', ?)`),
    closeHold: db.prepare<[HoldState, string | null, number, string]>(
      `UPDATE holds SET state = ?, reason = ?, closed_at_ms = ? WHERE id = ? AND state = 'open'`),
    dueHolds: db.prepare<[number, number], HoldRow>(
      `SELECT id, client, worker, amount, expires_at_ms, state FROM holds
       WHERE state = 'open' AND expires_at_ms <= ? ORDER BY expires_at_ms LIMIT ?`),
    openHoldsOf: db.prepare<[string, string, number], HoldRow>(
      `SELECT id, client, worker, amount, expires_at_ms, state FROM holds WHERE state = 'open' AND client = ?
       UNION ALL
       SELECT id, client, worker, amount, expires_at_ms, state FROM holds WHERE state = 'open' AND worker = ?
       ORDER BY expires_at_ms LIMIT ?`),
    history: db.prepare<{ account: string; limit: number }, TransferRow>(
      `SELECT * FROM (SELECT * FROM transfers WHERE debit = $account ORDER BY seq DESC LIMIT $limit)
       UNION ALL
       SELECT * FROM (SELECT * FROM transfers WHERE credit = $account ORDER BY seq DESC LIMIT $limit)
       ORDER BY seq DESC LIMIT $limit`),
    record: db.prepare<[string], RecordRow>(
      'SELECT jobs, rejected, recent_valid, recent_total, updated_at_ms FROM records WHERE worker = ?'),
    openHolds: db.prepare<[number], HoldRow>(
      `SELECT id, client, worker, amount, expires_at_ms, state FROM holds WHERE state = 'open' ORDER BY expires_at_ms LIMIT ?`),
    openHoldCount: db.prepare<[], { count: number }>(`SELECT COUNT(*) AS count FROM holds WHERE state = 'open'`),
    heldBy: db.prepare<{ client: string }, { held: number }>(`SELECT
      (SELECT COALESCE(SUM(amount), 0) FROM holds WHERE state = 'open' AND client = $client) +
      (SELECT COALESCE(SUM(remaining), 0) FROM escrows WHERE state = 'open' AND client = $client) AS held`),
    escrow: db.prepare<[string], EscrowRow>(
      'SELECT id, client, amount, remaining, expires_at_ms, state, returned FROM escrows WHERE id = ?'),
    addEscrow: db.prepare<{ id: string; client: string; amount: number; expiresAtMs: number; nowMs: number }>(
      `INSERT INTO escrows (id, client, amount, remaining, expires_at_ms, state, created_at_ms)
       VALUES ($id, $client, $amount, $amount, $expiresAtMs, 'open', $nowMs)`),
    spendEscrow: db.prepare<{ id: string; amount: number }>(
      `UPDATE escrows SET remaining = remaining - $amount WHERE id = $id AND state = 'open' AND remaining >= $amount`),
    closeEscrow: db.prepare<[EscrowState, number, string]>(
      `UPDATE escrows SET state = ?, returned = remaining, remaining = 0, closed_at_ms = ? WHERE id = ? AND state = 'open'`),
    dueEscrows: db.prepare<[number, number], EscrowRow>(
      `SELECT id, client, amount, remaining, expires_at_ms, state, returned FROM escrows
       WHERE state = 'open' AND expires_at_ms <= ? ORDER BY expires_at_ms LIMIT ?`),
    openEscrowsOf: db.prepare<[string, number], EscrowRow>(
      `SELECT id, client, amount, remaining, expires_at_ms, state, returned FROM escrows
       WHERE state = 'open' AND client = ? ORDER BY expires_at_ms LIMIT ?`),
    openEscrows: db.prepare<[number], EscrowRow>(
      `SELECT id, client, amount, remaining, expires_at_ms, state, returned FROM escrows
       WHERE state = 'open' ORDER BY expires_at_ms LIMIT ?`),
    openEscrowCount: db.prepare<[], { count: number }>(`SELECT COUNT(*) AS count FROM escrows WHERE state = 'open'`),
    topWorkers: db.prepare<[number], { worker: string }>(
      'SELECT worker FROM records ORDER BY jobs DESC, worker LIMIT ?'),
    putRecord: db.prepare<[string, number, number, number, number, number]>(
      `INSERT INTO records (worker, jobs, rejected, recent_valid, recent_total, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (worker) DO UPDATE SET jobs = excluded.jobs, rejected = excluded.rejected,
         recent_valid = excluded.recent_valid, recent_total = excluded.recent_total, updated_at_ms = excluded.updated_at_ms`),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
