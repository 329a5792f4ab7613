// The client's payroll for one series (DESIGN.md section 5): every job handed out is awarded — its
// price held in escrow for that worker — and settled when its fate is known: posted for a result
// the vote accepted, rejected for an outvoted one (it counts against the worker's record), voided
// for anything not done (a failure, an expired lease, a worker that left, the end of the series).
//
// Requests to the ledger survive a dropped authority link (src/peer/points-client.ts sends them
// again after the rejoin), so an accepted result is paid exactly once even across an outage; a post
// that finds its hold expired (the outage outlasted it) is paid from a fresh hold.
import type { Job } from './job-queue.ts';

/**
 * A hold outlives its lease by this much, so a result that comes back late is still paid from it;
 * past that the points return to the client (a tab that closed or reloaded leaves nothing held
 * for long), and a late accepted result is paid from a fresh hold.
 */
export const HOLD_MARGIN_MS = 15_000;

export type SettleAction = 'post' | 'reject' | 'void';

/** What the payroll needs of the ledger (src/peer/points-client.ts). */
export interface Payments {
  award(worker: string, amount: number, expiresMs: number): Promise<{ hold: string; result: string }>;
  settle(hold: string, action: SettleAction, reason?: string): Promise<string>;
}

/** How an award ended: paid for (the job may go), or refused by the ledger with its result. */
export type Escrow = { readonly paid: true } | { readonly paid: false; readonly result: string };

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
  private unsettled = 0;

  constructor(
    private readonly payments: Payments | undefined,
    private readonly clock: () => number,
    private readonly onSettled: (worker: string, text: string) => void = () => undefined,
  ) {}

  /** Settlements not yet answered (the page shows them while the authority is away). */
  get pending(): number {
    return this.unsettled;
  }

  /**
   * A job was leased to `worker` at `price`, for a lease of `leaseMs`: hold the points. Resolves
   * once the job may be sent — no work is handed out that its client cannot pay for — or with the
   * ledger's refusal; rejects when the request itself failed (the client left the network).
   */
  async leased(lease: string, job: number, worker: string, price: number, leaseMs: number): Promise<Escrow> {
    if (!this.payments || price <= 0) return { paid: true };
    const payments = this.payments;
    // An award sent again after a long outage may find its expiry passed: ask once more, afresh.
    const award = payments.award(worker, price, this.clock() + leaseMs + HOLD_MARGIN_MS)
      .then((first) => (first.result === 'hold_expired' ? payments.award(worker, price, this.clock() + leaseMs + HOLD_MARGIN_MS) : first));
    const hold = award.then(({ hold: id, result }) => (result === 'ok' || result === 'exists' ? id : undefined), () => undefined);
    this.entries.set(lease, { job, worker, price, hold });
    const { result } = await award;
    return result === 'ok' || result === 'exists' ? { paid: true } : { paid: false, result };
  }

  /** A result came back under `lease`; it is judged when its job is decided. */
  resulted(lease: string, text: string): void {
    const entry = this.entries.get(lease);
    if (entry) entry.text = text;
  }

  /** The job is done (pay the majority, reject the rest) or poisoned (void everything). */
  decided(job: Job): void {
    const winning = job.state === 'done' ? job.resultText : undefined;
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
    this.unsettled += 1;
    this.settlements.push(entry.hold.then(async (hold) => {
      if (!hold) return;
      let result = await payments.settle(hold, action, action === 'reject' ? 'result outvoted' : undefined);
      if (action === 'post' && result === 'hold_expired') result = await this.payLate(entry);
      if (action === 'post' && result === 'ok') this.paid += entry.price;
      this.onSettled(entry.worker, `${action} ${entry.price} points to ${entry.worker.slice(0, 8)}: ${result}`);
    }).catch(() => undefined).finally(() => {
      this.unsettled -= 1;
    }));
  }

  /** The hold expired (its points went back to us) before the accepted result was posted: pay it from a new one. */
  private async payLate(entry: Entry): Promise<string> {
    const { hold, result } = await this.payments!.award(entry.worker, entry.price, this.clock() + HOLD_MARGIN_MS);
    if (result !== 'ok' && result !== 'exists') return result;
    return this.payments!.settle(hold, 'post');
  }
}
