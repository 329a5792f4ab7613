// Every SQL statement the ledger runs, as data: the rules name a statement and its arguments
// (steps.ts) and a driver runs it on SQLite (sqlite-steps.ts) or PostgreSQL (pg-steps.ts). One text
// serves both: `?` or `?N` parameters, which PostgreSQL gets as `$N` (pgText); counts and sums come
// back from PostgreSQL as numbers through the pool's type parsers (pg-database.ts).

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

/** A statement's text; `A` and `R` (its arguments and row) exist for the type checker only. */
export interface Sql<A extends readonly unknown[], R> {
  readonly text: string;
  readonly types?: { readonly args: A; readonly row: R };
}

function sql<A extends readonly unknown[], R = never>(text: string): Sql<A, R> {
  return { text };
}

export const STATEMENTS = {
  request: sql<[string], RequestRow>('SELECT op, fingerprint, result FROM requests WHERE id = ?'),
  addRequest: sql<[string, RequestOp, string, string, number]>(
    'INSERT INTO requests (id, op, fingerprint, result, at_ms) VALUES (?, ?, ?, ?, ?)'),
  balance: sql<[string], { balance: number }>('SELECT balance FROM accounts WHERE id = ?'),
  addAccount: sql<[string, number]>(
    'INSERT INTO accounts (id, balance, created_at_ms) VALUES (?, 0, ?) ON CONFLICT (id) DO NOTHING'),
  move: sql<[number, string]>('UPDATE accounts SET balance = balance + ? WHERE id = ?'),
  addTransfer: sql<TransferInsert>(
    'INSERT INTO transfers (request_id, kind, debit, credit, amount, hold_id, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)'),
  grantOf: sql<[string], { account: string }>('SELECT account FROM grants WHERE account = ?'),
  grantsOnDay: sql<[string, string], { n: number }>('SELECT count(*) AS n FROM grants WHERE ip = ? AND day = ?'),
  addGrant: sql<[string, string, string, string, number]>(
    'INSERT INTO grants (account, ip, day, request_id, at_ms) VALUES (?, ?, ?, ?, ?)'),
  hold: sql<[string], HoldRow>(
    'SELECT id, client, worker, amount, expires_at_ms, state FROM holds WHERE id = ?'),
  addHold: sql<[string, string, string, number, number, number]>(
    `INSERT INTO holds (id, client, worker, amount, expires_at_ms, state, created_at_ms) VALUES (?, ?, ?, ?, ?, 'open', ?)`),
  closeHold: sql<[HoldState, string | null, number, string]>(
    `UPDATE holds SET state = ?, reason = ?, closed_at_ms = ? WHERE id = ? AND state = 'open'`),
  dueHolds: sql<[number, number], HoldRow>(
    `SELECT id, client, worker, amount, expires_at_ms, state FROM holds
     WHERE state = 'open' AND expires_at_ms <= ? ORDER BY expires_at_ms, id LIMIT ?`),
  openHoldsOf: sql<[string, string, number], HoldRow>(
    `SELECT id, client, worker, amount, expires_at_ms, state FROM holds WHERE state = 'open' AND client = ?
     UNION ALL
     SELECT id, client, worker, amount, expires_at_ms, state FROM holds WHERE state = 'open' AND worker = ?
     ORDER BY expires_at_ms LIMIT ?`),
  history: sql<[account: string, limit: number], TransferRow>(
    `SELECT * FROM (SELECT * FROM transfers WHERE debit = ?1 ORDER BY seq DESC LIMIT ?2) AS debits
     UNION ALL
     SELECT * FROM (SELECT * FROM transfers WHERE credit = ?1 ORDER BY seq DESC LIMIT ?2) AS credits
     ORDER BY seq DESC LIMIT ?2`),
  record: sql<[string], RecordRow>(
    'SELECT jobs, rejected, recent_valid, recent_total, updated_at_ms FROM records WHERE worker = ?'),
  openHolds: sql<[number], HoldRow>(
    `SELECT id, client, worker, amount, expires_at_ms, state FROM holds WHERE state = 'open' ORDER BY expires_at_ms LIMIT ?`),
  openHoldCount: sql<[], { count: number }>(`SELECT COUNT(*) AS count FROM holds WHERE state = 'open'`),
  heldBy: sql<[client: string], { held: number }>(`SELECT
    (SELECT COALESCE(SUM(amount), 0) FROM holds WHERE state = 'open' AND client = ?1) +
    (SELECT COALESCE(SUM(remaining), 0) FROM escrows WHERE state = 'open' AND client = ?1) AS held`),
  escrow: sql<[string], EscrowRow>(
    'SELECT id, client, amount, remaining, expires_at_ms, state, returned FROM escrows WHERE id = ?'),
  addEscrow: sql<[id: string, client: string, amount: number, expiresAtMs: number, nowMs: number]>(
    `INSERT INTO escrows (id, client, amount, remaining, expires_at_ms, state, created_at_ms)
     VALUES (?1, ?2, ?3, ?3, ?4, 'open', ?5)`),
  spendEscrow: sql<[amount: number, id: string]>(
    `UPDATE escrows SET remaining = remaining - ?1 WHERE id = ?2 AND state = 'open' AND remaining >= ?1`),
  closeEscrow: sql<[EscrowState, number, string]>(
    `UPDATE escrows SET state = ?, returned = remaining, remaining = 0, closed_at_ms = ? WHERE id = ? AND state = 'open'`),
  dueEscrows: sql<[number, number], EscrowRow>(
    `SELECT id, client, amount, remaining, expires_at_ms, state, returned FROM escrows
     WHERE state = 'open' AND expires_at_ms <= ? ORDER BY expires_at_ms, id LIMIT ?`),
  openEscrowsOf: sql<[string, number], EscrowRow>(
    `SELECT id, client, amount, remaining, expires_at_ms, state, returned FROM escrows
     WHERE state = 'open' AND client = ? ORDER BY expires_at_ms LIMIT ?`),
  openEscrows: sql<[number], EscrowRow>(
    `SELECT id, client, amount, remaining, expires_at_ms, state, returned FROM escrows
     WHERE state = 'open' ORDER BY expires_at_ms LIMIT ?`),
  openEscrowCount: sql<[], { count: number }>(`SELECT COUNT(*) AS count FROM escrows WHERE state = 'open'`),
  topWorkers: sql<[number], { worker: string }>(
    'SELECT worker FROM records ORDER BY jobs DESC, worker LIMIT ?'),
  putRecord: sql<[string, number, number, number, number, number]>(
    `INSERT INTO records (worker, jobs, rejected, recent_valid, recent_total, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (worker) DO UPDATE SET jobs = excluded.jobs, rejected = excluded.rejected,
       recent_valid = excluded.recent_valid, recent_total = excluded.recent_total, updated_at_ms = excluded.updated_at_ms`),
  // transactEach: one request's writes, dropped alone when it throws.
  savepoint: sql<[]>('SAVEPOINT each_request'),
  releaseSavepoint: sql<[]>('RELEASE each_request'),
  rollbackSavepoint: sql<[]>('ROLLBACK TO each_request'),
  // invariant.ts: the books, read whole.
  totals: sql<[], { minted: number | null; balances: number; held: number }>(`SELECT
    (SELECT -balance FROM accounts WHERE id = '@mint') AS minted,
    (SELECT coalesce(sum(balance), 0) FROM accounts WHERE id NOT LIKE '@%') AS balances,
    (SELECT coalesce(sum(amount), 0) FROM holds WHERE state = 'open') +
    (SELECT coalesce(sum(remaining), 0) FROM escrows WHERE state = 'open') AS held`),
  sums: sql<[], { all: number; escrow: number; granted: number; negative: number }>(`SELECT
    (SELECT coalesce(sum(balance), 0) FROM accounts) AS "all",
    (SELECT balance FROM accounts WHERE id = '@escrow') AS escrow,
    (SELECT coalesce(sum(amount), 0) FROM transfers WHERE kind = 'grant') AS granted,
    (SELECT count(*) FROM accounts WHERE balance < 0 AND id NOT LIKE '@%') AS negative`),
  journalMismatches: sql<[number], { id: string; balance: number; journal: number }>(`
    SELECT id, balance, journal FROM (
      SELECT id, balance,
        (SELECT coalesce(sum(amount), 0) FROM transfers WHERE credit = accounts.id) -
        (SELECT coalesce(sum(amount), 0) FROM transfers WHERE debit = accounts.id) AS journal
      FROM accounts) AS a
    WHERE balance <> journal ORDER BY id LIMIT ?`),
  holdMismatches: sql<[number], { id: string; amount: number; held: number; paid_in: number; paid_out: number }>(`
    SELECT x.id, x.amount, x.held, coalesce(j.paid_in, 0) AS paid_in, coalesce(j.paid_out, 0) AS paid_out FROM (
      SELECT id, amount, CASE state WHEN 'open' THEN amount ELSE 0 END AS held FROM holds
      UNION ALL
      SELECT id, amount, remaining AS held FROM escrows) AS x
    LEFT JOIN (
      SELECT hold_id,
        sum(CASE WHEN credit = '@escrow' THEN amount ELSE 0 END) AS paid_in,
        sum(CASE WHEN debit = '@escrow' THEN amount ELSE 0 END) AS paid_out
      FROM transfers WHERE hold_id IS NOT NULL GROUP BY hold_id) AS j ON j.hold_id = x.id
    WHERE coalesce(j.paid_in, 0) <> x.amount OR coalesce(j.paid_out, 0) <> x.amount - x.held
    ORDER BY x.id LIMIT ?`),
};

export type Statements = typeof STATEMENTS;
export type StatementName = keyof Statements;
export type ArgsOf<N extends StatementName> = Statements[N] extends Sql<infer A, unknown> ? A : never;
export type RowOf<N extends StatementName> = Statements[N] extends Sql<readonly unknown[], infer R> ? R : never;

/** The statement's text for PostgreSQL: `?` numbered in order and `?N` become `$N`. */
export function pgText(text: string): string {
  let next = 0;
  return text.replace(/\?(\d*)/g, (_, n: string) => `$${n === '' ? ++next : n}`);
}
