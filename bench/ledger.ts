// Benchmark: durable ledger transfers per second (WAL, synchronous=FULL, on the real disk) against the
// raw insert rate of a one-table SQLite file with the same pragmas, in the same process, in
// alternating rounds. One transfer is one ledger request (a hold, or the post of that hold). The
// group-commit kind has REQUESTERS concurrent single requesters (each waits for its answer before
// asking again) whose requests of one event-loop turn share one transaction; it is compared with the
// ledger's own batched rate, and its answer times with and without one source's burst waiting.
// The series kind pays from one escrow to two workers, 30 payments per transaction (the farm's pay batches).
// The PostgreSQL rows run the same transfers on the PostgreSQL ledger of a throw-away cluster (fsync off,
// as the tests run it: they compare the ledger's work with raw inserts, not disks) against raw inserts there.
// Run with `npm run bench -- ledger`; the last line printed is the JSON summary (docs/BENCHMARKS.md).
import Database from 'better-sqlite3';
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedger } from '../signaling/ledger/database.ts';
import { Ledger, type LedgerOp } from '../signaling/ledger/ledger.ts';
import { GroupCommit } from '../signaling/ledger/group-commit.ts';
import { openPgLedger } from '../signaling/ledger/pg-database.ts';
import { PgLedger } from '../signaling/ledger/pg-ledger.ts';
import { createTestDatabase, startPostgres, type TestPostgres } from '../test/helpers/postgres.ts';

const WARMUP_ROUNDS = 1;
const MEASURED_ROUNDS = 5;
// Each round runs until this much time has passed: 8 kinds x 6 rounds x 1 s keeps the bench near 50 s.
const ROUND_MS = 1000;
/** Requests per transaction in the batched kinds: the size `transact` is meant for. */
const BATCH_SIZE = 100;
const ACCOUNTS = 100;
const HOLD_LIFETIME_MS = 60 * 60 * 1000;
/** Payments per transaction in the series kind: a client's 50 ms pay batch at 600 jobs/s. */
const PAY_BATCH_SIZE = 30;
/** Concurrent single requesters of the group-commit kind: a busy authority's links. */
const REQUESTERS = 1000;
/** Requests one source queues at once in the burst rounds: ten full award batches of one link. */
const BURST_OPS = 10_000;

interface Kind {
  readonly name: string;
  /** Runs one transaction; returns how many transfers it made durable. */
  readonly step?: () => number;
  /** Runs a whole round itself; returns transfers per second (and answer times when it has them). */
  readonly round?: () => Promise<Round>;
}

interface Round {
  readonly rate: number;
  /** Milliseconds from a single requester's request to its answer, every one of the round. */
  readonly answersMs?: number[];
}

/** Transfers one after the other: a hold, then the post of that hold. */
function transferSource(): () => LedgerOp {
  let serial = 0;
  let pending: { id: string; client: string } | undefined;
  return () => {
    const id = `t${++serial}`;
    if (pending !== undefined) {
      const { id: holdId, client } = pending;
      pending = undefined;
      return { op: 'post', id, holdId, by: client };
    }
    const n = serial % ACCOUNTS;
    pending = { id, client: `acct-${n}` };
    return { op: 'hold', id, client: `acct-${n}`, worker: `acct-${(n + 1) % ACCOUNTS}`, amount: 1, expiresAtMs: Date.now() + HOLD_LIFETIME_MS };
  };
}

function expectOk(result: string): void {
  if (result !== 'ok') throw new Error(`ledger refused a bench transfer: ${result}`);
}

function ledgerKinds(ledger: Ledger): Kind[] {
  const nextOp = transferSource();
  return [
    { name: 'ledger, 1 transfer per transaction', step: () => { runSingle(ledger, nextOp()); return 1; } },
    {
      name: `ledger, ${BATCH_SIZE} transfers per transaction`,
      step: () => { ledger.transact(Array.from({ length: BATCH_SIZE }, nextOp)).forEach(expectOk); return BATCH_SIZE; },
    },
  ];
}

/** Payments from one series hold (escrow) to two workers, PAY_BATCH_SIZE per transaction, as the farm pays. */
function payKind(ledger: Ledger): Kind {
  const client = 'acct-0';
  if (ledger.escrow('bench-escrow', client, 100_000_000, { expiresAtMs: Date.now() + HOLD_LIFETIME_MS }) !== 'ok') {
    throw new Error('ledger refused the bench escrow');
  }
  let serial = 0;
  const pay = (): LedgerOp => ({ op: 'pay', id: `pay${++serial}`, escrowId: 'bench-escrow', by: client,
    worker: `acct-${1 + (serial % 2)}`, amount: 1, action: 'post' });
  return {
    name: `series payments, ${PAY_BATCH_SIZE} per transaction`,
    step: () => {
      for (const result of ledger.transact(Array.from({ length: PAY_BATCH_SIZE }, pay))) {
        if (result !== 'ok') throw new Error(`ledger refused a bench payment: ${result}`);
      }
      return PAY_BATCH_SIZE;
    },
  };
}

/**
 * REQUESTERS requesters, each asking for a hold and then its post, one request at a time, for
 * ROUND_MS; with `burst`, one more source has BURST_OPS holds queued at the start of the round.
 * Each requester is a source of its own (a link), unless `oneQueue` puts every request in one
 * first-come queue: the baseline that shows what the turns between sources are for.
 */
function groupKind(ledger: Ledger, burst: boolean, oneQueue = false): Kind {
  const group = new GroupCommit({ ledger });
  const prefix = oneQueue ? 'gq' : burst ? 'gb' : 'g';
  const shared = {};
  let serial = 0;
  const hold = (n: number): LedgerOp => ({ op: 'hold', id: `${prefix}${++serial}`, client: `acct-${n % ACCOUNTS}`,
    worker: `acct-${(n + 1) % ACCOUNTS}`, amount: 1, expiresAtMs: Date.now() + HOLD_LIFETIME_MS });
  const ask = async (op: LedgerOp, source: object, answersMs: number[]): Promise<void> => {
    const askedMs = performance.now();
    const result = await group.submit(op, source);
    answersMs.push(performance.now() - askedMs);
    if (result !== 'ok') throw new Error(`ledger refused a bench transfer: ${result}`);
  };
  const round = async (): Promise<Round> => {
    const answersMs: number[] = [];
    let transfers = 0;
    const start = performance.now();
    const floodFirst = serial + 1;
    const flood = burst ? group.submitAll(Array.from({ length: BURST_OPS }, (_, i) => hold(i)), shared) : Promise.resolve([]);
    await Promise.all(Array.from({ length: REQUESTERS }, async (_, n) => {
      const source = oneQueue ? shared : {};
      while (performance.now() - start < ROUND_MS) {
        const op = hold(n);
        await ask(op, source, answersMs);
        await ask({ op: 'post', id: `${prefix}${++serial}`, holdId: op.id, by: (op as { client: string }).client }, source, answersMs);
        transfers += 2;
      }
    }));
    transfers += (await flood).length;
    const elapsed = performance.now() - start;
    // The burst's holds are voided out of the clock, so every round starts with the same open holds.
    if (burst) await group.submitAll(Array.from({ length: BURST_OPS }, (_, i) => ({ op: 'void', id: `${prefix}${++serial}`,
      holdId: `${prefix}${floodFirst + i}`, by: `acct-${i % ACCOUNTS}` })), {});
    return { rate: (transfers / elapsed) * 1000, answersMs };
  };
  const name = oneQueue ? `  same, all in one queue` : burst ? `group commit, ${REQUESTERS} + a ${BURST_OPS} burst` : `group commit, ${REQUESTERS} requesters`;
  return { name, round };
}

function runSingle(ledger: Ledger, op: LedgerOp): void {
  if (op.op === 'hold') expectOk(ledger.hold(op.id, op.client, op.worker, op.amount, { expiresAtMs: op.expiresAtMs }));
  else if (op.op === 'post') expectOk(ledger.post(op.id, op.holdId, op.by));
}

/**
 * The same transfers on the PostgreSQL ledger (one SERIALIZABLE transaction per request, or per
 * batch), against raw inserts into a one-table database of the same cluster.
 */
async function postgresKinds(ledger: PgLedger, raw: pg.Pool): Promise<Kind[]> {
  const nextOp = transferSource();
  await raw.query('CREATE TABLE transfers (id TEXT PRIMARY KEY, debit TEXT NOT NULL, credit TEXT NOT NULL, amount BIGINT NOT NULL)');
  let serial = 0;
  const rows = (count: number) => {
    const values: unknown[] = [];
    for (let i = 0; i < count; i++) {
      const n = ++serial;
      values.push(`t${n}`, `acct-${n % ACCOUNTS}`, `acct-${(n + 1) % ACCOUNTS}`, 1);
    }
    const tuples = Array.from({ length: count }, (_, i) => `($${4 * i + 1}, $${4 * i + 2}, $${4 * i + 3}, $${4 * i + 4})`);
    return raw.query(`INSERT INTO transfers VALUES ${tuples.join(', ')}`, values);
  };
  const timed = (step: () => Promise<number>) => async (): Promise<Round> => {
    let transfers = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ROUND_MS) {
      transfers += await step();
      elapsed = performance.now() - start;
    }
    return { rate: (transfers / elapsed) * 1000 };
  };
  return [
    { name: 'PostgreSQL ledger, 1 per transaction', round: timed(async () => { (await ledger.transact([nextOp()])).forEach(expectOk); return 1; }) },
    {
      name: `PostgreSQL ledger, ${BATCH_SIZE} per transaction`,
      round: timed(async () => { (await ledger.transact(Array.from({ length: BATCH_SIZE }, nextOp))).forEach(expectOk); return BATCH_SIZE; }),
    },
    { name: 'PostgreSQL raw insert, 1 per transaction', round: timed(async () => { await rows(1); return 1; }) },
    { name: `PostgreSQL raw insert, ${BATCH_SIZE} per transaction`, round: timed(async () => { await rows(BATCH_SIZE); return BATCH_SIZE; }) },
  ];
}

/** The PostgreSQL rows' setup: a throw-away cluster (test/helpers/postgres.ts), the ledger's database and the raw one. */
async function openPostgres(): Promise<{ ledger: PgLedger; raw: pg.Pool; close(): Promise<void> } | undefined> {
  let cluster: TestPostgres;
  try {
    cluster = await startPostgres();
  } catch (error) {
    console.log(`no PostgreSQL rows: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  const [ledgerUrl, rawUrl] = [(await createTestDatabase(cluster.url)).url, (await createTestDatabase(cluster.url)).url];
  const ledger = new PgLedger({ pool: (await openPgLedger(ledgerUrl)).pool, options: { grantPoints: 1_000_000_000, grantsPerIpPerDay: ACCOUNTS } });
  for (let n = 0; n < ACCOUNTS; n++) await ledger.grant(`grant-${n}`, `acct-${n}`, 1_000_000_000, { ip: 'bench', day: 'bench' });
  const raw = new pg.Pool({ connectionString: rawUrl });
  // An idle connection the server drops is reported by the pool as an event; the next query connects again.
  raw.on('error', (error) => console.log(`raw PostgreSQL connection lost: ${error.message}`));
  return {
    ledger, raw,
    close: async () => {
      await Promise.all([ledger.close(), raw.end()]);
      await cluster.stop();
    },
  };
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
async function round(kind: Kind): Promise<Round> {
  if (kind.round) return kind.round();
  let transfers = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ROUND_MS) {
    transfers += kind.step!();
    elapsed = performance.now() - start;
  }
  return { rate: (transfers / elapsed) * 1000 };
}

function median(values: number[]): number {
  return percentile(values, 0.5);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

function openRaw(dir: string): Database.Database {
  const db = new Database(join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  return db;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'peerfarm-bench-ledger-'));
  const ledgerDb = openLedger(join(dir, 'ledger'));
  const rawDb = openRaw(dir);
  const postgres = await openPostgres();
  try {
    const ledger = new Ledger({ db: ledgerDb, options: { grantPoints: 1_000_000_000, grantsPerIpPerDay: ACCOUNTS } });
    for (let n = 0; n < ACCOUNTS; n++) ledger.grant(`grant-${n}`, `acct-${n}`, 1_000_000_000, { ip: 'bench', day: 'bench' });
    const [single, batched] = ledgerKinds(ledger) as [Kind, Kind];
    const [rawSingle, rawBatched] = rawKinds(rawDb) as [Kind, Kind];
    const [group, groupBurst, oneQueueBurst] = [groupKind(ledger, false), groupKind(ledger, true), groupKind(ledger, true, true)];
    const payments = payKind(ledger);
    const pgKinds = postgres === undefined ? [] : await postgresKinds(postgres.ledger, postgres.raw);
    const [pgSingle, pgBatched, pgRawSingle, pgRawBatched] = pgKinds;
    // Each pair alternates its order from round to round, so a pair's two kinds run side by side in time.
    const pairs: [Kind, Kind][] = [[single, rawSingle], [batched, group], [rawBatched, groupBurst], [oneQueueBurst, oneQueueBurst],
      [payments, payments], ...(pgKinds.length === 0 ? [] : [[pgSingle!, pgRawSingle!], [pgBatched!, pgRawBatched!]] as [Kind, Kind][])];
    const kinds = [...new Set(pairs.flat())];
    const rates = new Map<Kind, number[]>(kinds.map((kind) => [kind, []]));
    const answers = new Map<Kind, number[]>(kinds.map((kind) => [kind, []]));
    console.log(`files in ${dir}; ${MEASURED_ROUNDS} rounds of ${ROUND_MS} ms after ${WARMUP_ROUNDS} warm-up; transfers/s`);
    for (let r = 0; r < WARMUP_ROUNDS + MEASURED_ROUNDS; r++) {
      for (const [first, second] of pairs) {
        for (const kind of first === second ? [first] : r % 2 === 0 ? [first, second] : [second, first]) {
          const { rate, answersMs = [] } = await round(kind);
          if (r < WARMUP_ROUNDS) continue;
          rates.get(kind)!.push(rate);
          answers.get(kind)!.push(...answersMs);
        }
      }
    }
    const totals = ledger.checkInvariant();
    for (const [kind, values] of rates) {
      console.log(`${kind.name.padEnd(40)} ${Math.round(median(values)).toLocaleString('en').padStart(9)}   ` +
        values.map((v) => Math.round(v)).join(' / '));
    }
    const round2 = (x: number) => Math.round(x * 100) / 100;
    const times = (kind: Kind) => [percentile(answers.get(kind)!, 0.5), percentile(answers.get(kind)!, 0.99)].map(round2) as [number, number];
    const [[p50, p99], [burstP50, burstP99], [queueP50, queueP99]] = [times(group), times(groupBurst), times(oneQueueBurst)];
    console.log(`single requesters' answers (ms): p50 ${p50}, p99 ${p99}; with a ${BURST_OPS}-request burst waiting: ` +
      `p50 ${burstP50}, p99 ${burstP99}; the same in one first-come queue: p50 ${queueP50}, p99 ${queueP99}`);
    console.log(`invariant holds: minted ${totals.minted}, balances ${totals.balances}, held ${totals.held}`);
    if (postgres !== undefined) await postgres.ledger.checkInvariant();
    const [s, b, rs, rb, g] = [single, batched, rawSingle, rawBatched, group].map((kind) => median(rates.get(kind)!)) as
      [number, number, number, number, number];
    const round3 = (x: number) => Math.round(x * 1000) / 1000;
    // A ratio is the median of the rounds' ratios: each round's two kinds ran within seconds of each other.
    const ratio = (ours: Kind, base: Kind) => round3(median(rates.get(ours)!.map((rate, i) => rate / rates.get(base)![i]!)));
    console.log(JSON.stringify({
      bench: 'ledger', batch_size: BATCH_SIZE, rounds: MEASURED_ROUNDS, requesters: REQUESTERS,
      single_per_s: Math.round(s), batched_per_s: Math.round(b),
      raw_single_per_s: Math.round(rs), raw_batched_per_s: Math.round(rb), group_per_s: Math.round(g),
      pay_batched_per_s: Math.round(median(rates.get(payments)!)),
      group_answer_p50_ms: p50, group_answer_p99_ms: p99, group_burst_answer_p50_ms: burstP50, group_burst_answer_p99_ms: burstP99,
      one_queue_burst_answer_p50_ms: queueP50, one_queue_burst_answer_p99_ms: queueP99,
      ...(pgKinds.length > 0 && {
        pg_single_per_s: Math.round(median(rates.get(pgSingle!)!)), pg_batched_per_s: Math.round(median(rates.get(pgBatched!)!)),
        pg_raw_single_per_s: Math.round(median(rates.get(pgRawSingle!)!)), pg_raw_batched_per_s: Math.round(median(rates.get(pgRawBatched!)!)),
      }),
      ratios: {
        single_vs_raw: ratio(single, rawSingle), batched_vs_raw: ratio(batched, rawBatched), batched_vs_raw_single: ratio(batched, rawSingle),
        group_vs_batched: ratio(group, batched), group_vs_single: ratio(group, single),
        ...(pgKinds.length > 0 && { pg_single_vs_raw: ratio(pgSingle!, pgRawSingle!), pg_batched_vs_raw: ratio(pgBatched!, pgRawBatched!) }),
      },
    }));
  } finally {
    ledgerDb.close();
    rawDb.close();
    await postgres?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
