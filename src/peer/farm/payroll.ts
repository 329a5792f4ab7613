// The client's payroll for one series (DESIGN.md section 5): every job handed out is awarded — its
// price held in escrow for that worker — and settled when its fate is known: posted for a result
// the vote accepted, rejected for an outvoted one (it counts against the worker's record), voided
// for anything not done (a failure, an expired lease, a worker that left, the end of the series).
import type { Job } from './job-queue.ts';

/** A hold outlives its lease by this much, so a late but accepted result can still be paid. */
export const HOLD_MARGIN_MS = 60_000;

export type SettleAction = 'post' | 'reject' | 'void';

/** What the payroll needs of the ledger (src/peer/points-client.ts). */
export interface Payments {
  award(worker: string, amount: number, expiresMs: number): Promise<{ hold: string; result: string }>;
  settle(hold: string, action: SettleAction, reason?: string): Promise<string>;
}

interface Entry {
  readonly job: number;
  readonly worker: string;
  readonly price: number;
  readonly hold: Promise<string | undefined>;
  text?: string;
}

export class Payroll {
  /** Points posted to workers so far. */
  paid = 0;
  private readonly entries = new Map<string, Entry>();
  private readonly settlements: Promise<unknown>[] = [];

  constructor(
    private readonly payments: Payments | undefined,
    private readonly onRefused: (worker: string, result: string) => void,
    private readonly onSettled: (worker: string, text: string) => void = () => undefined,
  ) {}

  /**
   * A job was leased to `worker` at `price`: hold the points. Resolves true once the job may be
   * sent — no work is handed out that its client cannot pay for.
   */
  async leased(lease: string, job: number, worker: string, price: number, expiresMs: number): Promise<boolean> {
    if (!this.payments || price <= 0) return true;
    const hold = this.payments.award(worker, price, expiresMs + HOLD_MARGIN_MS).then(({ hold: id, result }) => {
      if (result === 'ok' || result === 'exists') return id;
      this.onRefused(worker, result);
      return undefined;
    }, () => undefined);
    this.entries.set(lease, { job, worker, price, hold });
    return (await hold) !== undefined;
  }

  /** A result came back under `lease`; it is judged when its job is decided. */
  resulted(lease: string, text: string): void {
    const entry = this.entries.get(lease);
    if (entry) entry.text = text;
  }

  /** The job is done (pay the majority, reject the rest) or poisoned (void everything). */
  decided(job: Job): void {
    const winning = job.state === 'done' && job.doneBy !== undefined ? job.results.get(job.doneBy) : undefined;
    for (const [lease, entry] of this.entries) {
      if (entry.job !== job.index) continue;
      if (entry.text === undefined || winning === undefined) this.settle(lease, 'void');
      else this.settle(lease, entry.text === winning ? 'post' : 'reject');
    }
  }

  /** Leases that ended without an accepted result. */
  voided(leases: readonly string[]): void {
    for (const lease of leases) if (!this.entries.get(lease)?.text) this.settle(lease, 'void');
  }

  /** Voids whatever is still held and waits for every settlement to be answered. */
  async close(): Promise<number> {
    for (const lease of [...this.entries.keys()]) this.settle(lease, 'void');
    await Promise.all(this.settlements);
    return this.paid;
  }

  private settle(lease: string, action: SettleAction): void {
    const entry = this.entries.get(lease);
    if (!entry || !this.payments) return;
    this.entries.delete(lease);
    const payments = this.payments;
    this.settlements.push(entry.hold.then(async (hold) => {
      if (!hold) return;
      const result = await payments.settle(hold, action, action === 'reject' ? 'result outvoted' : undefined);
      if (action === 'post' && result === 'ok') this.paid += entry.price;
      this.onSettled(entry.worker, `${action} ${entry.price} points to ${entry.worker.slice(0, 8)}: ${result}`);
    }).catch(() => undefined));
  }
}
