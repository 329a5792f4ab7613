// Model-based test of the ledger, on SQLite and on PostgreSQL (signaling/ledger/store.ts), against LedgerModel
// (test/helpers/ledger-model.ts): random sequences of grants, holds, posts, voids, rejects, series
// escrows with payments to several workers (accepted, outvoted, over budget) and releases, expiry
// sweeps, batches, clock moves, and retries of earlier transfer ids. After every step the balances,
// open holds and series holds, worker records and first outcomes equal the model's and the
// invariant holds.
// ledger-invariant.test.ts runs one long seeded sequence; this one shrinks a failure to a short list
// of commands. fast-check picks a new seed each run and prints the seed, path and commands of any failure.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { HOUR_MS, applyOne, describeEachStore, type TestStore } from '../helpers/ledger.ts';
import { LedgerModel } from '../helpers/ledger-model.ts';
import type { LedgerOp } from '../../signaling/ledger/ledger.ts';
import type { LedgerResult } from '../../signaling/ledger/results.ts';

const NUM_RUNS = 60;
/** Each PostgreSQL run makes a database and a transaction a request: fewer runs, the same rules. */
const PG_NUM_RUNS = 10;
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
    const result = this.ledger.apply(op, this.nowMs);
    if (isFirst) this.first.set(op.id, result);
    this.made.push({ op, result });
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
  | { readonly kind: 'open'; readonly account: number }
  /** A series hold of `client` (among the accounts open so far when `known`). */
  | { readonly kind: 'escrow'; readonly known: boolean; readonly client: number; readonly amount: number; readonly expiresInMs: number }
  /** `escrow` picks an open series hold, or with `stale` any ever made or one that never was; `worker` any account. */
  | { readonly kind: 'pay'; readonly escrow: number; readonly stale: boolean; readonly by: 'client' | number; readonly worker: number;
    /** Points, or what the escrow has left plus -1, 0 or 1: the edge of `over_budget`. */
    readonly amount: number | { readonly rest: number }; readonly action: 'post' | 'reject' }
  | { readonly kind: 'release'; readonly escrow: number; readonly stale: boolean; readonly by: 'client' | number };

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
    case 'escrow': {
      const open = ACCOUNTS.filter((a) => world.ledger.balances.has(a));
      const from = draft.known && open.length > 0 ? open : ACCOUNTS;
      return { op: 'escrow', id, client: from[draft.client % from.length]!, amount: draft.amount, expiresAtMs: world.nowMs + draft.expiresInMs };
    }
    case 'pay':
    case 'release': {
      const open = [...world.ledger.escrows].filter(([, escrow]) => escrow.state === 'open').map(([escrowId]) => escrowId);
      const escrowIds = open.length > 0 && !draft.stale ? open : [...world.ledger.escrows.keys(), 'no-such-escrow'];
      const escrowId = escrowIds[draft.escrow % escrowIds.length]!;
      const escrow = world.ledger.escrows.get(escrowId);
      const by = draft.by === 'client' ? escrow?.client ?? ACCOUNTS[0]! : ACCOUNTS[draft.by]!;
      if (draft.kind === 'release') return { op: 'release', id, escrowId, by };
      const amount = typeof draft.amount === 'number' ? draft.amount : (escrow?.remaining ?? 0) + draft.amount.rest;
      return { op: 'pay', id, escrowId, by, worker: ACCOUNTS[draft.worker]!, amount, action: draft.action };
    }
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
    case 'hold':
    case 'escrow': return { ...op, expiresAtMs: world.nowMs + 1 };
    case 'reject': return { ...op, reason: 'still wrong' };
    default: return op;
  }
}


/** What the ledger holds that the model predicts: balances, open holds and series holds, records, totals. */
async function snapshot({ store }: TestStore) {
  return {
    balances: await Promise.all(ACCOUNTS.map((account) => store.balance(account))),
    held: await Promise.all(ACCOUNTS.map((account) => store.heldBy(account))),
    holds: (await store.openHolds()).holds.sort((a, b) => a.id.localeCompare(b.id)),
    escrows: (await store.openEscrows()).escrows.sort((a, b) => a.id.localeCompare(b.id)),
    records: await Promise.all(ACCOUNTS.map(async (account) => {
      const { jobs, rejected } = await store.record(account);
      return { jobs, rejected };
    })),
    totals: await store.totals(),
  };
}

function expectedSnapshot(world: World): Awaited<ReturnType<typeof snapshot>> {
  const holds = [...world.ledger.holds].filter(([, hold]) => hold.state === 'open')
    .map(([id, { client, worker, amount, expiresAtMs }]) => ({ id, client, worker, amount, expiresAtMs }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const escrows = [...world.ledger.escrows].filter(([, escrow]) => escrow.state === 'open')
    .map(([id, { client, amount, remaining, expiresAtMs, state, returned }]) => ({ id, client, amount, remaining, expiresAtMs, state, returned }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const heldBy = (account: string) =>
    [...world.ledger.holds.values()].filter((h) => h.state === 'open' && h.client === account).reduce((sum, h) => sum + h.amount, 0) +
    [...world.ledger.escrows.values()].filter((e) => e.state === 'open' && e.client === account).reduce((sum, e) => sum + e.remaining, 0);
  return {
    balances: ACCOUNTS.map((account) => world.ledger.balances.get(account) ?? null),
    held: ACCOUNTS.map(heldBy),
    holds,
    escrows,
    records: ACCOUNTS.map((account) => world.ledger.records.get(account) ?? { jobs: 0, rejected: 0 }),
    totals: world.ledger.totals(),
  };
}

async function checkAll(world: World, t: TestStore): Promise<void> {
  expect(await t.store.checkInvariant()).toEqual(world.ledger.totals());
  expect(await snapshot(t)).toEqual(expectedSnapshot(world));
  for (const [id, result] of world.first) expect((await t.store.outcome(id))?.result, `outcome of ${id}`).toBe(result);
  for (const [id, escrow] of world.ledger.escrows) expect((await t.store.escrowById(id))?.returned, `returned by ${id}`).toBe(escrow.returned);
}

type LedgerCommand = fc.AsyncCommand<World, TestStore>;

class RequestCommand implements LedgerCommand {
  constructor(readonly draft: Draft) {}
  check = () => true;
  async run(world: World, t: TestStore): Promise<void> {
    if (this.draft.kind === 'open') return this.openAccount(world, t, ACCOUNTS[this.draft.account]!);
    const op = build(world, this.draft);
    expect(await applyOne(t.store, op), JSON.stringify(op)).toBe(world.apply(op));
    await checkAll(world, t);
  }
  /** A worker's empty account; LedgerModel has no request for it, so its balances map is set here. */
  private async openAccount(world: World, t: TestStore, account: string): Promise<void> {
    expect(await t.store.openAccount(account), `openAccount(${account})`).toBe(!world.ledger.balances.has(account));
    if (!world.ledger.balances.has(account)) world.ledger.balances.set(account, 0);
    await checkAll(world, t);
  }

  toString = () => JSON.stringify(this.draft);
}

class RetryCommand implements LedgerCommand {
  constructor(readonly pick: number, readonly recompute: boolean) {}
  check = (world: Readonly<World>) => world.made.length > 0;
  async run(world: World, t: TestStore): Promise<void> {
    const earlier = world.made[this.pick % world.made.length]!;
    const op = retried(world, earlier.op, this.recompute);
    const before = await snapshot(t);
    const result = await applyOne(t.store, op);
    expect(result, `retry of ${JSON.stringify(op)}`).toBe(earlier.result);
    expect(world.apply(op)).toBe(result);
    expect(await snapshot(t), 'a retry changed the ledger').toEqual(before);
    await checkAll(world, t);
  }
  toString = () => `retry(#${this.pick}${this.recompute ? ', recomputed' : ''})`;
}

/** Another request that reuses an earlier transfer id: `exists`, unless it is the same request. */
class ReuseIdCommand implements LedgerCommand {
  constructor(readonly pick: number, readonly draft: Draft) {}
  check = (world: Readonly<World>) => world.made.length > 0;
  async run(world: World, t: TestStore): Promise<void> {
    const op = build(world, this.draft, world.made[this.pick % world.made.length]!.op.id);
    expect(await applyOne(t.store, op), JSON.stringify(op)).toBe(world.apply(op));
    await checkAll(world, t);
  }
  toString = () => `reuse(#${this.pick}, ${JSON.stringify(this.draft)})`;
}

class BatchCommand implements LedgerCommand {
  constructor(readonly drafts: Draft[]) {}
  check = () => true;
  async run(world: World, t: TestStore): Promise<void> {
    // Each request is built after the one before it went into the model, so a settle can pick a hold made earlier in the batch.
    const ops: LedgerOp[] = [];
    const expected: LedgerResult[] = [];
    for (const draft of this.drafts) {
      const op = build(world, draft);
      ops.push(op);
      expected.push(world.apply(op));
    }
    expect(await t.store.transact(ops)).toEqual(expected);
    await checkAll(world, t);
  }
  toString = () => `batch(${this.drafts.map((d) => JSON.stringify(d)).join(', ')})`;
}

/** One payment of SeriesCommand: points, or what the escrow has left plus -1, 0 or 1. */
interface PayStep { readonly worker: number; readonly amount: number | { readonly rest: number }; readonly action: 'post' | 'reject' }

/**
 * A whole series: a funded client escrows a share of its balance (past all of it now and then),
 * pays several workers from it (accepted, outvoted, some at or past what is left), then releases
 * the rest or not; one request at a time, or all in one batch.
 */
class SeriesCommand implements LedgerCommand {
  constructor(readonly client: number, readonly share: number, readonly expiresInMs: number, readonly pays: readonly PayStep[],
    readonly release: boolean, readonly batched: boolean) {}
  check = () => true;
  async run(world: World, t: TestStore): Promise<void> {
    const funded = ACCOUNTS.filter((a) => (world.ledger.balances.get(a) ?? 0) > 0);
    const client = funded.length > 0 ? funded[this.client % funded.length]! : ACCOUNTS[0]!;
    const amount = Math.max(1, Math.round((world.ledger.balances.get(client) ?? 0) * this.share));
    const escrowId = world.freshId();
    const left = () => world.ledger.escrows.get(escrowId)?.remaining ?? 0;
    // Each request is made after the one before it went into the model: "the rest" is what is left then.
    const steps: (() => LedgerOp)[] = [
      () => ({ op: 'escrow', id: escrowId, client, amount, expiresAtMs: world.nowMs + this.expiresInMs }),
      ...this.pays.map((pay) => (): LedgerOp => ({
        op: 'pay', id: world.freshId(), escrowId, by: client, worker: ACCOUNTS[pay.worker]!, action: pay.action,
        amount: typeof pay.amount === 'number' ? pay.amount : left() + pay.amount.rest,
      })),
      ...(this.release ? [(): LedgerOp => ({ op: 'release', id: world.freshId(), escrowId, by: client })] : []),
    ];
    if (!this.batched) {
      for (const step of steps) {
        const op = step();
        expect(await applyOne(t.store, op), JSON.stringify(op)).toBe(world.apply(op));
        await checkAll(world, t);
      }
      return;
    }
    const ops: LedgerOp[] = [];
    const expected: LedgerResult[] = [];
    for (const step of steps) {
      const op = step();
      ops.push(op);
      expected.push(world.apply(op));
    }
    expect(await t.store.transact(ops)).toEqual(expected);
    await checkAll(world, t);
  }
  toString = () => `series(client ${this.client}, share ${this.share}, ${this.expiresInMs} ms, ${JSON.stringify(this.pays)}, ` +
    `release ${this.release}${this.batched ? ', batched' : ''})`;
}

class ExpireCommand implements LedgerCommand {
  check = () => true;
  async run(world: World, t: TestStore): Promise<void> {
    expect(await t.store.expire()).toBe(world.ledger.expire(world.nowMs));
    await checkAll(world, t);
  }
  toString = () => 'expire()';
}

class AdvanceCommand implements LedgerCommand {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(world: World, t: TestStore): Promise<void> {
    t.clock.advance(this.ms);
    world.nowMs += this.ms;
    await checkAll(world, t);
  }
  toString = () => `advance(${this.ms})`;
}

/** Moves the clock to an open hold's (or series hold's) expiry, or to just before it: the boundary of `hold_expired`. */
class AdvanceToExpiryCommand implements LedgerCommand {
  constructor(readonly pick: number, readonly justBefore: boolean) {}
  check = () => true;
  async run(world: World, t: TestStore): Promise<void> {
    const open = [...world.ledger.holds.values(), ...world.ledger.escrows.values()].filter((hold) => hold.state === 'open');
    const hold = open[this.pick % Math.max(1, open.length)];
    const ms = hold === undefined ? 0 : Math.max(0, hold.expiresAtMs - world.nowMs - (this.justBefore ? 1 : 0));
    await new AdvanceCommand(ms).run(world, t);
  }
  toString = () => `advanceToExpiry(#${this.pick}${this.justBefore ? ', just before' : ''})`;
}

const account = fc.nat(ACCOUNTS.length - 1);
const stale = () => fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 });
const caller = () => fc.oneof({ arbitrary: fc.constant('client' as const), weight: 6 }, { arbitrary: account, weight: 1 });
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
const escrowDraft = fc.record({ kind: fc.constant('escrow' as const),
  known: fc.oneof({ arbitrary: fc.constant(true), weight: 6 }, { arbitrary: fc.constant(false), weight: 1 }),
  client: account, amount: amount(30), expiresInMs: fc.integer({ min: 1, max: MAX_HOLD_MS }) });
const seriesDraft: fc.Arbitrary<Draft> = fc.oneof(
  { arbitrary: escrowDraft, weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('pay' as const), escrow: fc.nat(), stale: stale(), by: caller(), worker: account,
      amount: fc.oneof({ arbitrary: amount(25), weight: 3 }, { arbitrary: fc.record({ rest: fc.integer({ min: -1, max: 1 }) }), weight: 1 }),
      action: fc.oneof({ arbitrary: fc.constant('post' as const), weight: 4 }, { arbitrary: fc.constant('reject' as const), weight: 1 }),
    }),
    weight: 6,
  },
  fc.record({ kind: fc.constant('release' as const), escrow: fc.nat(), stale: stale(), by: caller() }),
);
const payStep: fc.Arbitrary<PayStep> = fc.record({
  worker: account,
  amount: fc.oneof({ arbitrary: amount(20), weight: 3 }, { arbitrary: fc.record({ rest: fc.integer({ min: -1, max: 1 }) }), weight: 1 }),
  action: fc.oneof({ arbitrary: fc.constant('post' as const), weight: 4 }, { arbitrary: fc.constant('reject' as const), weight: 1 }),
});
const anyTransfer: fc.Arbitrary<Draft> = fc.oneof({ arbitrary: transferDraft, weight: 1 }, { arbitrary: seriesDraft, weight: 2 });
const draft: fc.Arbitrary<Draft> = fc.oneof(
  { arbitrary: anyTransfer, weight: 6 },
  { arbitrary: openDraft, weight: 1 },
);
/** Grants, opened accounts and series holds before the random steps, so that most runs have points to move. */
const opening = fc.array(fc.oneof({ arbitrary: grantDraft, weight: 3 }, { arbitrary: openDraft, weight: 1 }), { maxLength: 6 })
  .chain((first) => fc.array(escrowDraft, { maxLength: 3 }).map((escrows) => [...first, ...escrows]));

const commands = fc.commands<World, TestStore, false>([
  draft.map((d) => new RequestCommand(d)),
  draft.map((d) => new RequestCommand(d)),
  fc.tuple(fc.nat(), fc.boolean()).map(([pick, recompute]) => new RetryCommand(pick, recompute)),
  fc.tuple(fc.nat(), anyTransfer).map(([pick, d]) => new ReuseIdCommand(pick, d)),
  fc.array(anyTransfer, { minLength: 1, maxLength: 5 }).map((ds) => new BatchCommand(ds)),
  fc.tuple(account, fc.double({ min: 0.05, max: 1.2, noNaN: true }), fc.integer({ min: 1, max: MAX_HOLD_MS }),
    fc.array(payStep, { minLength: 1, maxLength: 6 }), fc.boolean(), fc.boolean())
    .map(([client, share, expiresInMs, pays, release, batched]) => new SeriesCommand(client, share, expiresInMs, pays, release, batched)),
  fc.constant(new ExpireCommand()),
  fc.oneof({ arbitrary: fc.integer({ min: 0, max: HOUR_MS / 2 }), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: 2 * MAX_HOLD_MS }), weight: 1 })
    .map((ms) => new AdvanceCommand(ms)),
  fc.tuple(fc.nat(), fc.boolean()).map(([pick, justBefore]) => new AdvanceToExpiryCommand(pick, justBefore)),
], { maxCommands: MAX_COMMANDS, size: 'max' });

describeEachStore('ledger against its model', (open, kind) => {
  it('agrees with the model after every step, retries change nothing, and the books balance', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 3 }), opening, commands, async (grantsPerIpPerDay, first, cmds) => {
      const t = await open({ grantPoints: GRANT_POINTS, grantsPerIpPerDay });
      try {
        const world = new World(grantsPerIpPerDay);
        world.nowMs = t.clock.now();
        for (const d of first) await new RequestCommand(d).run(world, t);
        await fc.asyncModelRun(() => ({ model: world, real: t }), cmds);
      } finally {
        await t.close();
      }
    }), { numRuns: kind === 'sqlite' ? NUM_RUNS : PG_NUM_RUNS });
  }, 120_000);
});
