// Model-based test of the SQLite ledger (signaling/ledger/ledger.ts) against LedgerModel
// (test/helpers/ledger-model.ts): random sequences of grants, holds, posts, voids, rejects, expiry
// sweeps, batches, clock moves, and retries of earlier transfer ids. After every step the balances,
// open holds, worker records and first outcomes equal the model's and the invariant holds.
// ledger-invariant.test.ts runs one long seeded sequence; this one shrinks a failure to a short list
// of commands. fast-check picks a new seed each run and prints the seed, path and commands of any failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOUR_MS, applyOne, openTestLedger, type TestLedger } from '../helpers/ledger.ts';
import { LedgerModel } from '../helpers/ledger-model.ts';
import type { LedgerOp } from '../../signaling/ledger/ledger.ts';
import type { LedgerResult } from '../../signaling/ledger/results.ts';

const NUM_RUNS = 60;
const MAX_COMMANDS = 40;
const GRANT_POINTS = 50;
const ACCOUNTS = ['peer-0', 'peer-1', 'peer-2', 'peer-3'];
const IPS = ['10.0.0.1', '10.0.0.2'];
const ODD_AMOUNTS = [0, -3, 1.5, Number.MAX_SAFE_INTEGER + 1];
const MAX_HOLD_MS = 3 * HOUR_MS;

/** The model and what the test remembers of the requests made so far. */
class World {
  readonly ledger: LedgerModel;
  /** Every request made so far, with the result it got. */
  readonly made: { readonly op: LedgerOp; readonly result: LedgerResult }[] = [];
  /** The first outcome of each transfer id. */
  readonly first = new Map<string, LedgerResult>();
  /** Accepted (posted) and rejected jobs per worker. */
  readonly records = new Map<string, { jobs: number; rejected: number }>();
  nowMs = 0;
  private serial = 0;

  constructor(grantsPerIpPerDay: number) {
    this.ledger = new LedgerModel(GRANT_POINTS, grantsPerIpPerDay);
  }

  freshId(): string {
    return `t${++this.serial}`;
  }

  /** Applies one request to the model and keeps what the checks need. */
  apply(op: LedgerOp): LedgerResult {
    const isFirst = !this.first.has(op.id);
    const hold = op.op === 'grant' || op.op === 'hold' ? undefined : this.ledger.holds.get(op.holdId);
    const result = this.ledger.apply(op, this.nowMs);
    if (isFirst) this.first.set(op.id, result);
    this.made.push({ op, result });
    if (isFirst && result === 'ok' && hold !== undefined && (op.op === 'post' || op.op === 'reject')) {
      const record = this.records.get(hold.worker) ?? { jobs: 0, rejected: 0 };
      if (op.op === 'post') record.jobs++;
      else record.rejected++;
      this.records.set(hold.worker, record);
    }
    return result;
  }
}

/** What a fresh request is, chosen by the generator; ids and hold ids are resolved when it runs. */
type Draft =
  | { readonly kind: 'grant'; readonly account: number; readonly amount: number; readonly ip: number }
  /** `client` and `worker` pick among the accounts open so far when `known`, else among all. */
  | { readonly kind: 'hold'; readonly known: boolean; readonly client: number; readonly worker: number; readonly amount: number; readonly expiresInMs: number }
  /** `hold` picks an open hold, or with `stale` any hold ever made or one that never was. */
  | { readonly kind: 'post' | 'void' | 'reject'; readonly hold: number; readonly stale: boolean; readonly by: 'client' | 'worker' | number }
  | { readonly kind: 'open'; readonly account: number };

function day(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

/** Builds the request a draft stands for, with a new transfer id unless one is given. */
function build(world: World, draft: Draft, id = world.freshId()): LedgerOp {
  switch (draft.kind) {
    case 'grant':
      return { op: 'grant', id, account: ACCOUNTS[draft.account]!, amount: draft.amount, ip: IPS[draft.ip]!, day: day(world.nowMs) };
    case 'hold': {
      const open = ACCOUNTS.filter((a) => world.ledger.balances.has(a));
      const from = draft.known && open.length > 0 ? open : ACCOUNTS;
      return { op: 'hold', id, client: from[draft.client % from.length]!, worker: from[draft.worker % from.length]!, amount: draft.amount,
        expiresAtMs: world.nowMs + draft.expiresInMs };
    }
    case 'open':
      throw new Error('build: opening an account is not a transfer');
    default: {
      const open = [...world.ledger.holds].filter(([, hold]) => hold.state === 'open').map(([holdId]) => holdId);
      const holdIds = open.length > 0 && !draft.stale ? open : [...world.ledger.holds.keys(), 'no-such-hold'];
      const holdId = holdIds[draft.hold % holdIds.length]!;
      const hold = world.ledger.holds.get(holdId);
      const by = draft.by === 'client' ? hold?.client ?? ACCOUNTS[0]! : draft.by === 'worker' ? hold?.worker ?? ACCOUNTS[1]!
        : ACCOUNTS[draft.by]!;
      return { op: draft.kind, id, holdId, by, ...(draft.kind === 'reject' && { reason: 'wrong result' }) };
    }
  }
}

/**
 * The same request again, as a retry would send it: times and notes (hold expiry, reject reason,
 * grant ip and day) may be recomputed, since they are not part of what makes a request the same.
 */
function retried(world: World, op: LedgerOp, recompute: boolean): LedgerOp {
  if (!recompute) return op;
  switch (op.op) {
    case 'grant': return { ...op, ip: IPS[(IPS.indexOf(op.ip) + 1) % IPS.length]!, day: day(world.nowMs) };
    case 'hold': return { ...op, expiresAtMs: world.nowMs + 1 };
    case 'reject': return { ...op, reason: 'still wrong' };
    default: return op;
  }
}


/** What the ledger holds that the model predicts: balances, open holds, records, totals. */
function snapshot(t: TestLedger) {
  return {
    balances: ACCOUNTS.map((account) => t.ledger.balance(account)),
    holds: t.ledger.openHolds().holds.sort((a, b) => a.id.localeCompare(b.id)),
    records: ACCOUNTS.map((account) => {
      const { jobs, rejected } = t.ledger.record(account);
      return { jobs, rejected };
    }),
    totals: t.ledger.totals(),
  };
}

function expectedSnapshot(world: World): ReturnType<typeof snapshot> {
  const holds = [...world.ledger.holds].filter(([, hold]) => hold.state === 'open')
    .map(([id, { client, worker, amount, expiresAtMs }]) => ({ id, client, worker, amount, expiresAtMs }))
    .sort((a, b) => a.id.localeCompare(b.id));
  return {
    balances: ACCOUNTS.map((account) => world.ledger.balances.get(account) ?? null),
    holds,
    records: ACCOUNTS.map((account) => world.records.get(account) ?? { jobs: 0, rejected: 0 }),
    totals: world.ledger.totals(),
  };
}

function checkAll(world: World, t: TestLedger): void {
  expect(t.ledger.checkInvariant()).toEqual(world.ledger.totals());
  expect(snapshot(t)).toEqual(expectedSnapshot(world));
  for (const [id, result] of world.first) expect(t.ledger.outcome(id)?.result, `outcome of ${id}`).toBe(result);
}

type LedgerCommand = fc.Command<World, TestLedger>;

class RequestCommand implements LedgerCommand {
  constructor(readonly draft: Draft) {}
  check = () => true;
  run(world: World, t: TestLedger): void {
    if (this.draft.kind === 'open') return this.openAccount(world, t, ACCOUNTS[this.draft.account]!);
    const op = build(world, this.draft);
    expect(applyOne(t.ledger, op), JSON.stringify(op)).toBe(world.apply(op));
    checkAll(world, t);
  }
  /** A worker's empty account; LedgerModel has no request for it, so its balances map is set here. */
  private openAccount(world: World, t: TestLedger, account: string): void {
    expect(t.ledger.openAccount(account), `openAccount(${account})`).toBe(!world.ledger.balances.has(account));
    if (!world.ledger.balances.has(account)) world.ledger.balances.set(account, 0);
    checkAll(world, t);
  }

  toString = () => JSON.stringify(this.draft);
}

class RetryCommand implements LedgerCommand {
  constructor(readonly pick: number, readonly recompute: boolean) {}
  check = (world: Readonly<World>) => world.made.length > 0;
  run(world: World, t: TestLedger): void {
    const earlier = world.made[this.pick % world.made.length]!;
    const op = retried(world, earlier.op, this.recompute);
    const before = snapshot(t);
    const result = applyOne(t.ledger, op);
    expect(result, `retry of ${JSON.stringify(op)}`).toBe(earlier.result);
    expect(world.apply(op)).toBe(result);
    expect(snapshot(t), 'a retry changed the ledger').toEqual(before);
    checkAll(world, t);
  }
  toString = () => `retry(#${this.pick}${this.recompute ? ', recomputed' : ''})`;
}

/** Another request that reuses an earlier transfer id: `exists`, unless it is the same request. */
class ReuseIdCommand implements LedgerCommand {
  constructor(readonly pick: number, readonly draft: Draft) {}
  check = (world: Readonly<World>) => world.made.length > 0;
  run(world: World, t: TestLedger): void {
    const op = build(world, this.draft, world.made[this.pick % world.made.length]!.op.id);
    expect(applyOne(t.ledger, op), JSON.stringify(op)).toBe(world.apply(op));
    checkAll(world, t);
  }
  toString = () => `reuse(#${this.pick}, ${JSON.stringify(this.draft)})`;
}

class BatchCommand implements LedgerCommand {
  constructor(readonly drafts: Draft[]) {}
  check = () => true;
  run(world: World, t: TestLedger): void {
    // Each request is built after the one before it went into the model, so a settle can pick a hold made earlier in the batch.
    const ops: LedgerOp[] = [];
    const expected: LedgerResult[] = [];
    for (const draft of this.drafts) {
      const op = build(world, draft);
      ops.push(op);
      expected.push(world.apply(op));
    }
    expect(t.ledger.transact(ops)).toEqual(expected);
    checkAll(world, t);
  }
  toString = () => `batch(${this.drafts.map((d) => JSON.stringify(d)).join(', ')})`;
}

class ExpireCommand implements LedgerCommand {
  check = () => true;
  run(world: World, t: TestLedger): void {
    expect(t.ledger.expire()).toBe(world.ledger.expire(world.nowMs));
    checkAll(world, t);
  }
  toString = () => 'expire()';
}

class AdvanceCommand implements LedgerCommand {
  constructor(readonly ms: number) {}
  check = () => true;
  run(world: World, t: TestLedger): void {
    t.clock.advance(this.ms);
    world.nowMs += this.ms;
    checkAll(world, t);
  }
  toString = () => `advance(${this.ms})`;
}

/** Moves the clock to an open hold's expiry, or to just before it: the boundary of `hold_expired`. */
class AdvanceToExpiryCommand implements LedgerCommand {
  constructor(readonly pick: number, readonly justBefore: boolean) {}
  check = () => true;
  run(world: World, t: TestLedger): void {
    const open = [...world.ledger.holds.values()].filter((hold) => hold.state === 'open');
    const hold = open[this.pick % Math.max(1, open.length)];
    const ms = hold === undefined ? 0 : Math.max(0, hold.expiresAtMs - world.nowMs - (this.justBefore ? 1 : 0));
    new AdvanceCommand(ms).run(world, t);
  }
  toString = () => `advanceToExpiry(#${this.pick}${this.justBefore ? ', just before' : ''})`;
}

const account = fc.nat(ACCOUNTS.length - 1);
const amount = (max: number) => fc.oneof({ arbitrary: fc.integer({ min: 1, max }), weight: 9 }, { arbitrary: fc.constantFrom(...ODD_AMOUNTS), weight: 1 });
/** The worker of a hold, as an offset from its client: now and then the client itself. */
const workerOffset = fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.integer({ min: 1, max: ACCOUNTS.length - 1 }), weight: 8 });
const grantDraft = fc.record({ kind: fc.constant('grant' as const), account, amount: amount(GRANT_POINTS + 5), ip: fc.nat(IPS.length - 1) });
const openDraft = fc.record({ kind: fc.constant('open' as const), account });
const transferDraft: fc.Arbitrary<Draft> = fc.oneof(
  grantDraft,
  {
    arbitrary: fc.record({ known: fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 }),
      client: account, offset: workerOffset, amount: amount(40), expiresInMs: fc.integer({ min: 1, max: MAX_HOLD_MS }) })
      .map(({ client, offset, ...rest }) => ({ kind: 'hold' as const, client, worker: client + offset, ...rest })),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constantFrom('post' as const, 'post' as const, 'void' as const, 'reject' as const),
      hold: fc.nat(),
      stale: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
      by: fc.oneof({ arbitrary: fc.constantFrom('client' as const, 'worker' as const), weight: 6 }, { arbitrary: account, weight: 1 }),
    }),
    weight: 2,
  },
);
const draft: fc.Arbitrary<Draft> = fc.oneof(
  { arbitrary: transferDraft, weight: 6 },
  { arbitrary: openDraft, weight: 1 },
);
/** Grants and opened accounts before the random steps, so that most runs have points to move. */
const opening = fc.array(fc.oneof({ arbitrary: grantDraft, weight: 3 }, { arbitrary: openDraft, weight: 1 }), { maxLength: 6 });

const commands = fc.commands<World, TestLedger>([
  draft.map((d) => new RequestCommand(d)),
  draft.map((d) => new RequestCommand(d)),
  fc.tuple(fc.nat(), fc.boolean()).map(([pick, recompute]) => new RetryCommand(pick, recompute)),
  fc.tuple(fc.nat(), transferDraft).map(([pick, d]) => new ReuseIdCommand(pick, d)),
  fc.array(transferDraft, { minLength: 1, maxLength: 5 }).map((ds) => new BatchCommand(ds)),
  fc.constant(new ExpireCommand()),
  fc.oneof({ arbitrary: fc.integer({ min: 0, max: HOUR_MS / 2 }), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: 2 * MAX_HOLD_MS }), weight: 1 })
    .map((ms) => new AdvanceCommand(ms)),
  fc.tuple(fc.nat(), fc.boolean()).map(([pick, justBefore]) => new AdvanceToExpiryCommand(pick, justBefore)),
], { maxCommands: MAX_COMMANDS, size: 'max' });

describe('ledger against its model', () => {
  it('agrees with the model after every step, retries change nothing, and the books balance', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 }), opening, commands, (grantsPerIpPerDay, first, cmds) => {
      const t = openTestLedger({ grantPoints: GRANT_POINTS, grantsPerIpPerDay });
      try {
        const world = new World(grantsPerIpPerDay);
        world.nowMs = t.clock.now();
        for (const d of first) new RequestCommand(d).run(world, t);
        fc.modelRun(() => ({ model: world, real: t }), cmds);
      } finally {
        t.close();
      }
    }), { numRuns: NUM_RUNS });
  });
});
