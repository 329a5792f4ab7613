// The rows a transaction changes again and again, kept in memory until it ends. A batch of payments
// from one series hold to a few workers touched the escrow, @escrow, each worker's balance and each
// worker's record once per payment (10 statements a payment); here they are read once and written
// once per transaction (3 statements a payment: the request, its journal line, its record of
// outcome). The rules read and change them only through this object while the transaction runs;
// `flush` writes them before it commits, so what is on disk, and every reader outside a transaction,
// is what it was when each payment wrote its rows itself. One WriteBack per transaction or savepoint:
// when either is rolled back, its WriteBack is dropped with it.
import { judge, type Verdict } from './record.ts';
import type { EscrowRow, RecordRow } from './statements.ts';
import { get, known, run, type Step } from './steps.ts';

interface PendingEscrow {
  /** The row with `remaining` less what was paid from it since it was read. */
  row: EscrowRow;
  spent: number;
}

export class WriteBack {
  /** Balances as stored when first read in this transaction; undefined: no such account. */
  private readonly stored = new Map<string, number | undefined>();
  /** Points moved to (+) or from (-) each account and not written yet. */
  private readonly deltas = new Map<string, number>();
  private readonly escrows = new Map<string, PendingEscrow>();
  /** Records judged in this transaction, as they will be written. */
  private readonly records = new Map<string, RecordRow>();

  constructor(private readonly halfLifeMs: number) {}

  // balance, escrow and judge are read again and again in a batch: a hit is a `known` step, no generator.

  /** The account's spendable points with this transaction's moves, or undefined when it has no account. */
  balance(account: string): Step<number | undefined> {
    return this.stored.has(account) ? known(this.withMoves(account)) : this.readBalance(account);
  }

  private *readBalance(account: string): Step<number | undefined> {
    this.stored.set(account, (yield* get('balance', account))?.balance);
    return this.withMoves(account);
  }

  private withMoves(account: string): number | undefined {
    const stored = this.stored.get(account);
    return stored === undefined ? undefined : stored + (this.deltas.get(account) ?? 0);
  }

  /** An account was just inserted: read it again next time. */
  opened(account: string): void {
    this.stored.delete(account);
  }

  move(debit: string, credit: string, amount: number): void {
    this.deltas.set(debit, (this.deltas.get(debit) ?? 0) - amount);
    this.deltas.set(credit, (this.deltas.get(credit) ?? 0) + amount);
  }

  /** The series hold as it stands in this transaction, or undefined when there is none. */
  escrow(id: string): Step<EscrowRow | undefined> {
    const pending = this.escrows.get(id);
    return pending === undefined ? this.readEscrow(id) : known(pending.row);
  }

  private *readEscrow(id: string): Step<EscrowRow | undefined> {
    const row = yield* get('escrow', id);
    if (row !== undefined && row.state === 'open') this.escrows.set(id, { row, spent: 0 });
    return row;
  }

  /** Pays `amount` from an open series hold read through `escrow` (the caller checked what is left). */
  spend(id: string, amount: number): void {
    const pending = this.escrows.get(id);
    if (pending === undefined || amount > pending.row.remaining) {
      throw new Error(`ledger bug: escrow ${id} could not pay ${amount} of its ${pending?.row.remaining ?? 'unread'}`);
    }
    pending.row = { ...pending.row, remaining: pending.row.remaining - amount };
    pending.spent += amount;
  }

  /** Writes what was paid from the series hold and forgets it: the caller is about to change its row in SQL. */
  *settleEscrow(id: string): Step<void> {
    const pending = this.escrows.get(id);
    if (pending === undefined) return;
    this.escrows.delete(id);
    yield* this.writeSpent(id, pending);
  }

  judge(worker: string, verdict: Verdict, nowMs: number): Step<void> {
    const before = this.records.get(worker);
    if (before === undefined) return this.readAndJudge(worker, verdict, nowMs);
    this.records.set(worker, judge(before, verdict, nowMs, this.halfLifeMs));
    return known(undefined);
  }

  private *readAndJudge(worker: string, verdict: Verdict, nowMs: number): Step<void> {
    this.records.set(worker, judge(yield* get('record', worker), verdict, nowMs, this.halfLifeMs));
  }

  /** Writes every pending row; called before the transaction (or savepoint) commits, and before a rule reads them in SQL. */
  *flush(): Step<void> {
    for (const [account, delta] of this.deltas) if (delta !== 0) yield* run('move', delta, account);
    for (const [id, pending] of this.escrows) yield* this.writeSpent(id, pending);
    for (const [worker, r] of this.records) {
      yield* run('putRecord', worker, r.jobs, r.rejected, r.recent_valid, r.recent_total, r.updated_at_ms);
    }
    this.stored.clear();
    this.deltas.clear();
    this.escrows.clear();
    this.records.clear();
  }

  private *writeSpent(id: string, pending: PendingEscrow): Step<void> {
    if (pending.spent === 0) return;
    const changes = yield* run('spendEscrow', pending.spent, id);
    if (changes !== 1) throw new Error(`ledger bug: escrow ${id} could not pay ${pending.spent} of its ${pending.row.remaining + pending.spent}`);
  }
}
