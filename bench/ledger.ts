// Benchmark: durable ledger transfers per second (WAL, synchronous=FULL, on the real disk) against the
// raw insert rate of a one-table SQLite file with the same pragmas, in the same process, in
// alternating rounds. One transfer is one ledger request (a hold, or the post of that hold).
// Run with `npm run bench -- ledger`; the last line printed is the JSON summary (docs/BENCHMARKS.md).
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedger } from '../signaling/ledger/database.ts';
import { Ledger, type LedgerOp } from '../signaling/ledger/ledger.ts';

const WARMUP_ROUNDS = 1;
const MEASURED_ROUNDS = 5;
// Each round runs until this much time has passed: 4 kinds x 6 rounds x 1 s keeps the bench near 25 s.
const ROUND_MS = 1000;
/** Requests per transaction in the batched kinds: the size `transact` is meant for. */
const BATCH_SIZE = 100;
const ACCOUNTS = 100;
const HOLD_LIFETIME_MS = 60 * 60 * 1000;

interface Kind {
  readonly name: string;
  /** Runs one transaction; returns how many transfers it made durable. */
  readonly step: () => number;
}

function ledgerKinds(ledger: Ledger): Kind[] {
  let serial = 0;
  let pending: string | undefined;
  const nextOp = (): LedgerOp => {
    const id = `t${++serial}`;
    if (pending !== undefined) {
      const holdId = pending;
      pending = undefined;
      return { op: 'post', id, holdId, by: client(holdId) };
    }
    pending = id;
    const n = serial % ACCOUNTS;
    return { op: 'hold', id, client: `acct-${n}`, worker: `acct-${(n + 1) % ACCOUNTS}`, amount: 1, expiresAtMs: Date.now() + HOLD_LIFETIME_MS };
  };
  const client = (holdId: string) => `acct-${Number(holdId.slice(1)) % ACCOUNTS}`;
  const expect = (result: string) => {
    if (result !== 'ok') throw new Error(`ledger refused a bench transfer: ${result}`);
  };
  return [
    { name: 'ledger, 1 transfer per transaction', step: () => { runSingle(ledger, nextOp(), expect); return 1; } },
    {
      name: `ledger, ${BATCH_SIZE} transfers per transaction`,
      step: () => { ledger.transact(Array.from({ length: BATCH_SIZE }, nextOp)).forEach(expect); return BATCH_SIZE; },
    },
  ];
}

function runSingle(ledger: Ledger, op: LedgerOp, expect: (result: string) => void): void {
  if (op.op === 'hold') expect(ledger.hold(op.id, op.client, op.worker, op.amount, { expiresAtMs: op.expiresAtMs }));
  else if (op.op === 'post') expect(ledger.post(op.id, op.holdId, op.by));
}

function rawKinds(db: Database.Database): Kind[] {
  db.exec('CREATE TABLE transfers (id TEXT PRIMARY KEY, debit TEXT NOT NULL, credit TEXT NOT NULL, amount INTEGER NOT NULL)');
  const insert = db.prepare<[string, string, string, number]>('INSERT INTO transfers VALUES (?, ?, ?, ?)');
  let serial = 0;
  const row = () => { const n = ++serial; insert.run(`t${n}`, `acct-${n % ACCOUNTS}`, `acct-${(n + 1) % ACCOUNTS}`, 1); };
  const one = db.transaction(row);
  const many = db.transaction(() => { for (let i = 0; i < BATCH_SIZE; i++) row(); });
  return [
    { name: 'raw insert, 1 per transaction', step: () => { one.immediate(); return 1; } },
    { name: `raw insert, ${BATCH_SIZE} per transaction`, step: () => { many.immediate(); return BATCH_SIZE; } },
  ];
}

/** Runs transactions until ROUND_MS passed; returns transfers per second. */
function round(kind: Kind): number {
  let transfers = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ROUND_MS) {
    transfers += kind.step();
    elapsed = performance.now() - start;
  }
  return (transfers / elapsed) * 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function openRaw(dir: string): Database.Database {
  const db = new Database(join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  return db;
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'peerfarm-bench-ledger-'));
  const ledgerDb = openLedger(join(dir, 'ledger'));
  const rawDb = openRaw(dir);
  try {
    const ledger = new Ledger({ db: ledgerDb, options: { grantPoints: 1_000_000_000, grantsPerIpPerDay: ACCOUNTS } });
    for (let n = 0; n < ACCOUNTS; n++) ledger.grant(`grant-${n}`, `acct-${n}`, 1_000_000_000, { ip: 'bench', day: 'bench' });
    const [single, batched] = ledgerKinds(ledger) as [Kind, Kind];
    const [rawSingle, rawBatched] = rawKinds(rawDb) as [Kind, Kind];
    const pairs: [Kind, Kind][] = [[single, rawSingle], [batched, rawBatched]];
    const rates = new Map<Kind, number[]>([single, batched, rawSingle, rawBatched].map((kind) => [kind, []]));
    console.log(`files in ${dir}; ${MEASURED_ROUNDS} rounds of ${ROUND_MS} ms after ${WARMUP_ROUNDS} warm-up; transfers/s`);
    for (let r = 0; r < WARMUP_ROUNDS + MEASURED_ROUNDS; r++) {
      for (const [ours, raw] of pairs) {
        const order = r % 2 === 0 ? [ours, raw] : [raw, ours];
        for (const kind of order) {
          const rate = round(kind);
          if (r >= WARMUP_ROUNDS) rates.get(kind)!.push(rate);
        }
      }
    }
    const totals = ledger.checkInvariant();
    for (const [kind, values] of rates) {
      console.log(`${kind.name.padEnd(40)} ${Math.round(median(values)).toLocaleString('en').padStart(9)}   ` +
        values.map((v) => Math.round(v)).join(' / '));
    }
    console.log(`invariant holds: minted ${totals.minted}, balances ${totals.balances}, held ${totals.held}`);
    const [s, b, rs, rb] = [single, batched, rawSingle, rawBatched].map((kind) => median(rates.get(kind)!)) as [number, number, number, number];
    const round3 = (x: number) => Math.round(x * 1000) / 1000;
    console.log(JSON.stringify({
      bench: 'ledger', batch_size: BATCH_SIZE, rounds: MEASURED_ROUNDS,
      single_per_s: Math.round(s), batched_per_s: Math.round(b),
      raw_single_per_s: Math.round(rs), raw_batched_per_s: Math.round(rb),
      ratios: { single_vs_raw: round3(s / rs), batched_vs_raw: round3(b / rb), batched_vs_raw_single: round3(b / rs) },
    }));
  } finally {
    ledgerDb.close();
    rawDb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
