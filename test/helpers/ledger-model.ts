// A plain in-memory model of the ledger rules, written from DESIGN.md section 5 and the brief rather
// than from the code, so a random test can compare every result and balance with the real ledger.
import type { LedgerOp, LedgerTotals } from '../../signaling/ledger/ledger.ts';
import type { LedgerResult } from '../../signaling/ledger/results.ts';

interface ModelHold {
  readonly client: string;
  readonly worker: string;
  readonly amount: number;
  readonly expiresAtMs: number;
  state: 'open' | 'posted' | 'voided' | 'expired';
}

export class LedgerModel {
  readonly balances = new Map<string, number>();
  readonly holds = new Map<string, ModelHold>();
  private readonly requests = new Map<string, { key: string; result: LedgerResult }>();
  private readonly granted = new Set<string>();
  private readonly grantsPerIpDay = new Map<string, number>();
  private minted = 0;

  constructor(private readonly grantPoints: number, private readonly grantsPerIpPerDay: number) {}

  apply(op: LedgerOp, nowMs: number): LedgerResult {
    const key = op.op === 'grant' ? `grant ${op.account} ${op.amount}`
      : op.op === 'hold' ? `hold ${op.client} ${op.worker} ${op.amount}` : `${op.op} ${op.holdId} ${op.by}`;
    const first = this.requests.get(op.id);
    if (first !== undefined) return first.key === key ? first.result : 'exists';
    const result = op.op === 'grant' ? this.grant(op.account, op.amount, `${op.ip} ${op.day}`)
      : op.op === 'hold' ? this.hold(op.id, op.client, op.worker, op.amount, op.expiresAtMs)
      : this.settle(op.op, op.holdId, op.by, nowMs);
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
    return expired;
  }

  totals(): LedgerTotals {
    let balances = 0;
    let held = 0;
    for (const balance of this.balances.values()) balances += balance;
    for (const hold of this.holds.values()) if (hold.state === 'open') held += hold.amount;
    return { minted: this.minted, balances, held };
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
    if (how === 'post') this.close(hold, 'posted', hold.worker);
    else this.close(hold, 'voided', hold.client);
    return 'ok';
  }

  private close(hold: ModelHold, state: ModelHold['state'], payee: string): void {
    hold.state = state;
    this.balances.set(payee, (this.balances.get(payee) ?? 0) + hold.amount);
  }
}
