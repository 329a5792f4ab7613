// The points ledger on PostgreSQL, shared by several authorities (DESIGN.md section 7): the same
// methods and rules as the SQLite Ledger (calls.ts), each a SERIALIZABLE transaction retried on a
// conflict (pg-serializable.ts) with its steps built afresh for every try. Two authorities paying
// from one balance at once conflict and one runs again on what the other wrote: no overdraft; one
// transfer id sent to both is applied once (the second finds the first's outcome).
import type { Pool } from 'pg';
import * as apply from './apply.ts';
import { CALLS, LEDGER_METHODS, type Call } from './calls.ts';
import { ledgerOptions } from './options.ts';
import { serializable } from './pg-serializable.ts';
import { runPg } from './pg-steps.ts';
import { checkTimeMs } from './results.ts';
import type { LedgerOptions } from './rules.ts';
import type { LedgerStore, LedgerStoreMethods } from './store.ts';

export interface PgLedgerDeps {
  readonly pool: Pool;
  readonly clock?: () => number;
  readonly options?: Partial<LedgerOptions>;
}

export interface PgLedger extends LedgerStoreMethods {}

export class PgLedger implements LedgerStore {
  readonly options: LedgerOptions;
  readonly kind = 'postgresql';
  readonly pool: Pool;
  private readonly clock: () => number;

  constructor({ pool, clock = Date.now, options = {} }: PgLedgerDeps) {
    this.pool = pool;
    this.clock = clock;
    this.options = ledgerOptions(options);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Runs one method's call; public for the methods added below, not for callers. */
  run<T>(call: Call<T>): Promise<T> {
    const nowMs = call.kind === 'write' ? call.nowMs ?? this.clock() : this.clock();
    checkTimeMs('the ledger clock', nowMs);
    return serializable(this.pool, (client) => {
      if (call.kind === 'read') return runPg(client, call.step({ nowMs, options: this.options }));
      const ctx = apply.context(nowMs, this.options);
      return runPg(client, apply.written(ctx, call.work(ctx)));
    });
  }
}

for (const name of LEDGER_METHODS) {
  Object.defineProperty(PgLedger.prototype, name, {
    value: function (this: PgLedger, ...args: unknown[]) {
      try {
        return this.run((CALLS[name] as (...a: unknown[]) => Call<unknown>)(...args));
      } catch (error) {
        return Promise.reject(error);
      }
    },
  });
}
