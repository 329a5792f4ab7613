// A plain in-memory model of the ledger rules, written from DESIGN.md section 5 and the brief rather
// than from the code, so a random test can compare every result and balance with the real ledger.
// Job holds name their worker and close whole; series holds (escrows) name none, pay any workers
// until their amount is used, and give the rest back at release or expiry.
import type { LedgerOp, LedgerTotals } from '../../signaling/ledger/ledger.ts';
import type { LedgerResult } from '../../signaling/ledger/results.ts';

interface ModelHold {
  readonly client: string;
  readonly worker: string;
  readonly amount: number;
  readonly expiresAtMs: number;
  state: 'open' | 'posted' | 'voided' | 'expired';
}

export interface ModelEscrow {
  readonly client: string;
  readonly amount: number;
  remaining: number;
  readonly expiresAtMs: number;
  state: 'open' | 'released' | 'expired';
  /** Points given back at release or expiry. */
  returned: number | null;
}

export class LedgerModel {
  readonly balances = new Map<string, number>();
  readonly holds = new Map<string, ModelHold>();
  readonly escrows = new Map<string, ModelEscrow>();
  /** Accepted and outvoted results per worker, counted when a request first gets `ok`. */
  readonly records = new Map<string, { jobs: number; rejected: number }>();
  private readonly requests = new Map<string, { key: string; result: LedgerResult }>();
  private readonly granted = new Set<string>();
  private readonly grantsPerIpDay = new Map<string, number>();
  private minted = 0;

  constructor(private readonly grantPoints: number, private readonly grantsPerIpPerDay: number) {}

  apply(op: LedgerOp, nowMs: number): LedgerResult {
    const key = requestKey(op);
    const first = this.requests.get(op.id);
    if (first !== undefined) return first.key === key ? first.result : 'exists';
    const result = this.fresh(op, nowMs);
    this.requests.set(op.id, { key, result });
    return result;
  }

  expire(nowMs: number): number {
    let expired = 0;
    for (const hold of this.holds.values()) {
      if (hold.state === 'open' && hold.expiresAtMs <= nowMs) {
        this.close(hold, 'expired', hold.client);
        expired++;
      }
    }
    for (const escrow of this.escrows.values()) {
      if (escrow.state === 'open' && escrow.expiresAtMs <= nowMs) {
        this.closeEscrow(escrow, 'expired');
        expired++;
      }
    }
    return expired;
  }

  totals(): LedgerTotals {
    let balances = 0;
    let held = 0;
    for (const balance of this.balances.values()) balances += balance;
    for (const hold of this.holds.values()) if (hold.state === 'open') held += hold.amount;
    for (const escrow of this.escrows.values()) if (escrow.state === 'open') held += escrow.remaining;
    return { minted: this.minted, balances, held };
  }

  private fresh(op: LedgerOp, nowMs: number): LedgerResult {
    switch (op.op) {
      case 'grant': return this.grant(op.account, op.amount, `${op.ip} ${op.day}`);
      case 'hold': return this.hold(op.id, op.client, op.worker, op.amount, op.expiresAtMs);
      case 'escrow': return this.escrow(op.id, op.client, op.amount, op.expiresAtMs);
      case 'pay': return this.pay(op.escrowId, op.by, op.worker, op.amount, op.action, nowMs);
      case 'release': return this.release(op.escrowId, op.by, nowMs);
      default: return this.settle(op.op, op.holdId, op.by, nowMs);
    }
  }

  private grant(account: string, amount: number, ipDay: string): LedgerResult {
    if (!Number.isSafeInteger(amount) || amount <= 0 || amount > this.grantPoints) return 'bad_amount';
    if (this.granted.has(account)) return 'already_granted';
    const count = this.grantsPerIpDay.get(ipDay) ?? 0;
    if (count >= this.grantsPerIpPerDay) return 'ip_limit';
    this.grantsPerIpDay.set(ipDay, count + 1);
    this.granted.add(account);
    this.balances.set(account, (this.balances.get(account) ?? 0) + amount);
    this.minted += amount;
    return 'ok';
  }

  private hold(id: string, client: string, worker: string, amount: number, expiresAtMs: number): LedgerResult {
    if (!Number.isSafeInteger(amount) || amount <= 0) return 'bad_amount';
    if (client === worker) return 'self_payment';
    const funds = this.balances.get(client);
    if (funds === undefined || !this.balances.has(worker)) return 'unknown_account';
    if (funds < amount) return 'insufficient_points';
    this.balances.set(client, funds - amount);
    this.holds.set(id, { client, worker, amount, expiresAtMs, state: 'open' });
    return 'ok';
  }

  private settle(how: 'post' | 'void' | 'reject', holdId: string, by: string, nowMs: number): LedgerResult {
    const hold = this.holds.get(holdId);
    if (hold === undefined) return 'no_such_hold';
    if (by !== hold.client && !(how === 'void' && by === hold.worker)) return 'not_your_hold';
    if (hold.state === 'posted') return 'hold_posted';
    if (hold.state === 'voided') return 'hold_voided';
    if (hold.state === 'expired') return 'hold_expired';
    if (hold.expiresAtMs <= nowMs) {
      this.close(hold, 'expired', hold.client);
      return 'hold_expired';
    }
    if (how === 'post') {
      this.close(hold, 'posted', hold.worker);
      this.judge(hold.worker, 'jobs');
    } else {
      this.close(hold, 'voided', hold.client);
      if (how === 'reject') this.judge(hold.worker, 'rejected');
    }
    return 'ok';
  }

  private escrow(id: string, client: string, amount: number, expiresAtMs: number): LedgerResult {
    if (!Number.isSafeInteger(amount) || amount <= 0) return 'bad_amount';
    const funds = this.balances.get(client);
    if (funds === undefined) return 'unknown_account';
    if (funds < amount) return 'insufficient_points';
    this.balances.set(client, funds - amount);
    this.escrows.set(id, { client, amount, remaining: amount, expiresAtMs, state: 'open', returned: null });
    return 'ok';
  }

  private pay(escrowId: string, by: string, worker: string, amount: number, action: 'post' | 'reject', nowMs: number): LedgerResult {
    const escrow = this.usable(escrowId, by, nowMs);
    if (typeof escrow === 'string') return escrow;
    if (!Number.isSafeInteger(amount) || amount <= 0) return 'bad_amount';
    if (worker === escrow.client) return 'self_payment';
    if (!this.balances.has(worker)) return 'unknown_account';
    if (action === 'reject') {
      this.judge(worker, 'rejected');
      return 'ok';
    }
    if (amount > escrow.remaining) return 'over_budget';
    escrow.remaining -= amount;
    this.balances.set(worker, this.balances.get(worker)! + amount);
    this.judge(worker, 'jobs');
    return 'ok';
  }

  private release(escrowId: string, by: string, nowMs: number): LedgerResult {
    const escrow = this.usable(escrowId, by, nowMs);
    if (typeof escrow === 'string') return escrow;
    this.closeEscrow(escrow, 'released');
    return 'ok';
  }

  /** The escrow a pay or release may use, or why not. */
  private usable(escrowId: string, by: string, nowMs: number): ModelEscrow | LedgerResult {
    const escrow = this.escrows.get(escrowId);
    if (escrow === undefined) return 'no_such_hold';
    if (by !== escrow.client) return 'not_your_hold';
    if (escrow.state === 'released') return 'hold_released';
    if (escrow.state === 'expired') return 'hold_expired';
    if (escrow.expiresAtMs <= nowMs) {
      this.closeEscrow(escrow, 'expired');
      return 'hold_expired';
    }
    return escrow;
  }

  private close(hold: ModelHold, state: ModelHold['state'], payee: string): void {
    hold.state = state;
    this.balances.set(payee, (this.balances.get(payee) ?? 0) + hold.amount);
  }

  private closeEscrow(escrow: ModelEscrow, state: 'released' | 'expired'): void {
    escrow.state = state;
    escrow.returned = escrow.remaining;
    this.balances.set(escrow.client, this.balances.get(escrow.client)! + escrow.remaining);
    escrow.remaining = 0;
  }

  private judge(worker: string, verdict: 'jobs' | 'rejected'): void {
    const record = this.records.get(worker) ?? { jobs: 0, rejected: 0 };
    record[verdict]++;
    this.records.set(worker, record);
  }
}

/** What makes two requests with one transfer id the same request (times and notes left out). */
function requestKey(op: LedgerOp): string {
  switch (op.op) {
    case 'grant': return `grant ${op.account} ${op.amount}`;
    case 'hold': return `hold ${op.client} ${op.worker} ${op.amount}`;
    case 'escrow': return `escrow ${op.client} ${op.amount}`;
    case 'pay': return `pay ${op.escrowId} ${op.by} ${op.worker} ${op.amount} ${op.action}`;
    case 'release': return `release ${op.escrowId} ${op.by}`;
    default: return `${op.op} ${op.holdId} ${op.by}`;
  }
}
