// The client's payroll for one series (DESIGN.md section 5), on the series escrow of
// p2p:authority<-client/3: the series' budget is held once, up front (as DCP escrows at deploy),
// and accepted results are paid from it in batches; an outvoted result is counted against its worker
// with no payment; what is left goes back at the end. No job is handed out that the escrow does
// not cover: every lease commits its price against a fund before its job may go, and a lease that
// ends without an accepted result frees it again. A fund that runs short (reassignments, a worker
// dearer than the estimate) or close to its expiry is followed by a fresh one, and the old one is
// released once its leases are settled.
//
// Requests to the ledger survive a dropped authority link (src/peer/points-client.ts sends them
// again after the rejoin), so an accepted result is paid exactly once even across an outage; a
// payment that finds its escrow expired (the outage outlasted it) is paid from a fresh one.
//
// With a journal (series-store.ts), every payment is written down under its transfer id before it
// is sent, and the escrows opened and released are noted: a tab closed mid-series leaves a record
// that resume (payment-recovery.ts) completes without paying anything twice.
import type { Job } from './job-queue.ts';
import type { SeriesJournal } from './series-store.ts';

/**
 * A lease's price is committed only against a fund that outlives the lease by this much, so a
 * result that comes back late is still paid from it.
 */
export const HOLD_MARGIN_MS = 15_000;
/**
 * A fund outlives a lease by this much more: a series rolls over to a fresh fund about this often,
 * and a tab that closed or reloaded leaves its points held for about this long.
 */
export const ESCROW_ROLL_MS = 30_000;
/** Funds opened in a row for one lease before giving up (each one is a round trip). */
const MAX_OPEN_TRIES = 3;

export type PayAction = 'post' | 'reject';

/** What the payroll needs of the ledger (src/peer/points-client.ts). */
export interface Payments {
  escrow(amount: number, expiresMs: number): Promise<{ escrow: string; result: string }>;
  /** `transfer` names the payment (a repeat gets the first outcome); by default a fresh id. */
  pay(escrow: string, worker: string, amount: number, action: PayAction, transfer?: string): Promise<string>;
  release(escrow: string): Promise<{ result: string; amount: number }>;
  balance(): Promise<{ points: number }>;
}

/** How a lease's price was covered: committed (the job may go), or refused by the ledger with its result. */
export type Cover = { readonly paid: true } | { readonly paid: false; readonly result: string };

/** One escrow of the series. */
interface Fund {
  readonly id: string;
  readonly amount: number;
  readonly expiresMs: number;
  /** Prices of leases that may still be paid from it, plus what it has paid. */
  committed: number;
  /** Leases committed against it and not settled yet. */
  open: number;
  /** A newer fund took over: released once `open` is 0. */
  retired: boolean;
  released: boolean;
}

interface Entry {
  readonly job: number;
  readonly worker: string;
  readonly price: number;
  readonly fund: Fund;
  text?: string;
}

export class Payroll {
  /** Points posted to workers so far. */
  paid = 0;
  private readonly funds: Fund[] = [];
  private opening: Promise<Fund | string> | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly leasesOfJob = new Map<number, string[]>();
  private readonly settlements = new Set<Promise<unknown>>();

  /**
   * `need` is what the series may still cost (results still wanted × the dearest price): the size
   * of a fund opened now.
   */
  constructor(
    private readonly payments: Payments | undefined,
    private readonly clock: () => number,
    private readonly leaseMs: number,
    private readonly need: () => number,
    private readonly onSettled: (worker: string, text: string) => void = () => undefined,
    private readonly journal?: Pick<SeriesJournal, 'key' | 'paying' | 'settled' | 'funded' | 'released'>,
  ) {}

  /** Payments not yet answered (the page shows them while the authority is away). */
  get pending(): number {
    return this.settlements.size;
  }

  /** Escrows the series' budget now, before the first lease asks (a refusal waits for that lease). */
  open(): void {
    // Free workers need no escrow; a refusal here is met again, and reported, by the first lease.
    if (this.payments && this.funds.length === 0 && this.need() > 0) this.openFund(0).catch(() => undefined);
  }

  /**
   * A job was leased to `worker` at `price`: commit its price against a
   * fund. Resolves once the job may be sent — no work is handed out that its client cannot pay
   * for — or with the ledger's refusal; rejects when a request itself failed (the client left the network).
   */
  async leased(lease: string, job: number, worker: string, price: number): Promise<Cover> {
    if (!this.payments || price <= 0) return { paid: true };
    for (let tries = 0; tries <= MAX_OPEN_TRIES; tries += 1) {
      const fund = this.fundFor(price);
      if (fund) {
        this.commit(lease, job, worker, price, fund);
        return { paid: true };
      }
      if (tries === MAX_OPEN_TRIES) break;
      const opened = await this.openFund(price);
      if (typeof opened === 'string') return { paid: false, result: opened };
    }
    return { paid: false, result: 'over_budget' };
  }

  /** A result came back under `lease`; it is judged when its job is decided. */
  resulted(lease: string, text: string): void {
    const entry = this.entries.get(lease);
    if (entry) entry.text = text;
  }

  /** The job is done (pay the majority, reject the rest) or poisoned (nothing to pay). */
  decided(job: Job): void {
    const leases = this.leasesOfJob.get(job.index);
    if (!leases) return;
    this.leasesOfJob.delete(job.index);
    const winning = job.state === 'done' ? job.resultText : undefined;
    for (const lease of leases) {
      const entry = this.entries.get(lease);
      if (!entry) continue;
      if (entry.text === undefined || winning === undefined) this.free(lease, entry);
      else this.settle(lease, entry, entry.text === winning ? 'post' : 'reject');
    }
  }

  /** Leases that ended without an accepted result: their prices are free again. */
  voided(leases: readonly string[]): void {
    for (const lease of leases) {
      const entry = this.entries.get(lease);
      if (entry && entry.text === undefined) this.free(lease, entry);
    }
  }

  /** Frees whatever is still committed, waits for every payment to be answered, releases the funds. */
  async close(): Promise<number> {
    for (const [lease, entry] of [...this.entries]) this.free(lease, entry);
    await this.opening?.catch(() => undefined);
    while (this.settlements.size > 0) await Promise.all([...this.settlements]);
    for (const fund of this.funds) fund.retired = true;
    await Promise.all(this.funds.map((fund) => this.release(fund)));
    return this.paid;
  }

  /** The newest fund, when it has room for `price` and outlives a lease starting now. */
  private fundFor(price: number): Fund | undefined {
    const fund = this.funds.at(-1);
    if (!fund || fund.retired || fund.amount - fund.committed < price) return undefined;
    return fund.expiresMs > this.clock() + this.leaseMs + HOLD_MARGIN_MS ? fund : undefined;
  }

  private commit(lease: string, job: number, worker: string, price: number, fund: Fund): void {
    fund.committed += price;
    fund.open += 1;
    this.entries.set(lease, { job, worker, price, fund });
    const leases = this.leasesOfJob.get(job);
    if (leases) leases.push(lease);
    else this.leasesOfJob.set(job, [lease]);
  }

  /**
   * Opens a fund for what the series may still cost (at least `price`), fitted to the balance when
   * that is less; one at a time, so a burst of leases opens one fund. Resolves with it or the
   * ledger's refusal (`insufficient_points` when not even `price` is left).
   */
  private openFund(price: number): Promise<Fund | string> {
    this.opening ??= this.escrowFor(price).finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async escrowFor(price: number): Promise<Fund | string> {
    const payments = this.payments!;
    let amount = Math.max(price, this.need());
    for (let tries = 0; tries < MAX_OPEN_TRIES; tries += 1) {
      const expiresMs = this.clock() + this.leaseMs + HOLD_MARGIN_MS + ESCROW_ROLL_MS;
      const { escrow, result } = await payments.escrow(amount, expiresMs);
      if (result === 'ok' || result === 'exists') {
        const fund: Fund = { id: escrow, amount, expiresMs, committed: 0, open: 0, retired: false, released: false };
        this.journal?.funded(escrow);
        for (const old of this.funds) this.retire(old);
        this.funds.push(fund);
        return fund;
      }
      if (result !== 'insufficient_points') return result;
      // Less than the whole budget is left: hold what there is, and the series stops where it runs out.
      const { points } = await payments.balance();
      if (points < Math.max(price, 1) || points >= amount) return result;
      amount = points;
    }
    return 'insufficient_points';
  }

  private retire(fund: Fund): void {
    fund.retired = true;
    if (fund.open === 0) void this.release(fund);
  }

  private async release(fund: Fund): Promise<void> {
    if (fund.released || !fund.retired || fund.open > 0) return;
    fund.released = true;
    await this.payments!.release(fund.id).then(() => this.journal?.released(fund.id), () => undefined);
  }

  /** The lease will not be paid: its price goes back to its fund. */
  private free(lease: string, entry: Entry): void {
    this.entries.delete(lease);
    entry.fund.committed -= entry.price;
    this.done(entry.fund);
  }

  private done(fund: Fund): void {
    fund.open -= 1;
    if (fund.retired) void this.release(fund);
  }

  private settle(lease: string, entry: Entry, action: PayAction): void {
    this.entries.delete(lease);
    // An outvoted result costs nothing: its price is free at once, the ledger only counts it against the worker.
    if (action === 'reject') entry.fund.committed -= entry.price;
    const settlement = this.pay(entry, action).then((result) => {
      if (action === 'post' && result === 'ok') this.paid += entry.price;
      this.onSettled(entry.worker, `${action} ${entry.price} points to ${entry.worker.slice(0, 8)}: ${result}`);
    }).catch(() => undefined).finally(() => {
      this.settlements.delete(settlement);
      this.done(entry.fund);
    });
    this.settlements.add(settlement);
  }

  private async pay(entry: Entry, action: PayAction): Promise<string> {
    if (action === 'reject') return this.payments!.pay(entry.fund.id, entry.worker, entry.price, 'reject');
    const first = this.journal && paymentTransfer(this.journal.key, entry.job, entry.worker, 0);
    const result = await this.post(entry.fund.id, entry, first);
    if (result !== 'hold_expired') return result;
    // The fund expired (its points went back to us) before the accepted result was paid: pay it from a fresh one.
    const fresh = await this.openFund(entry.price);
    if (typeof fresh === 'string') return fresh;
    fresh.committed += entry.price;
    fresh.open += 1;
    try {
      const again = await this.post(fresh.id, entry, first && nextAttempt(first));
      // Only now, with the second attempt written down, is the first one closed.
      if (first) this.journal!.settled(first, 0);
      return again;
    } finally {
      this.done(fresh);
    }
  }

  /** Posts one payment; with a journal, written down first and noted as answered after (see pay). */
  private async post(escrow: string, entry: Entry, transfer: string | undefined): Promise<string> {
    if (!transfer) return this.payments!.pay(escrow, entry.worker, entry.price, 'post');
    await this.journal!.paying({ transfer, escrow, worker: entry.worker, amount: entry.price, job: entry.job });
    const result = await this.payments!.pay(escrow, entry.worker, entry.price, 'post', transfer);
    if (result !== 'hold_expired') this.journal!.settled(transfer, result === 'ok' ? entry.price : 0);
    return result;
  }
}

/**
 * The transfer id of attempt `attempt` to pay job `job` of a journaled series to `worker`: the same
 * on every tab that sends it, so the ledger applies it once.
 */
export function paymentTransfer(key: string, job: number, worker: string, attempt: number): string {
  return `p-${key}-${job}-${worker.slice(0, 12)}-${attempt}`;
}

/** The next attempt's id, for a payment whose escrow was gone (the attempts before it paid nothing). */
export function nextAttempt(transfer: string): string {
  const cut = transfer.lastIndexOf('-');
  return `${transfer.slice(0, cut)}-${Number(transfer.slice(cut + 1)) + 1}`;
}
