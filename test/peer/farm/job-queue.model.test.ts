// Model-based test of JobQueue (job-queue.ts): random sequences of next, complete, fail, progress,
// expire, dropWorker and clock moves, checked after every step against a small reference model of
// DESIGN.md section 4 (leases, reassignment, poisoning, majority vote with redundancy k), then driven
// to the end by a fair scheduler so every run finishes. fast-check picks a new seed each run and
// prints the seed, path and command list of any failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JobQueue, type Lease } from '../../../src/peer/farm/job-queue.ts';

const NUM_RUNS = 150;
const MAX_COMMANDS = 40;
const LEASE_MS = 1000;
/** When k results disagree, up to this many more are asked for (job-queue.ts EXTRA_VOTES). */
const EXTRA_VOTES = 2;
/** One worker alone poisons a job only after poisonAfter × this failures (job-queue.ts LONE_WORKER_FAILURE_FACTOR). */
const LONE_WORKER_FAILURE_FACTOR = 3;
const WORKERS = ['w0', 'w1', 'w2', 'w3', 'w4'];
/** Canonical JSON texts a worker may answer; a job's own right answer is `{"job":<index>}`. */
const OTHER_RESULTS = ['0', '"a"', 'null', '{"x":[1,2]}'];

function rightAnswer(job: number): string {
  return JSON.stringify({ job });
}

interface ModelLease { readonly id: string; readonly job: number; readonly worker: string; expiresMs: number }

interface ModelJob {
  decided: 'done' | 'poisoned' | undefined;
  readonly results: Map<string, string>;
  /** The worker of each failure. */
  readonly failures: string[];
  reassigned: number;
  accepted: unknown;
}

/** The reference: what the queue should hold and answer, written from DESIGN.md section 4. */
class QueueModel {
  readonly jobs: ModelJob[];
  readonly leases = new Map<string, ModelLease>();
  /** Every lease id ever handed out, so stale ones can be used again. */
  readonly issued: string[] = [];
  readonly flagged = new Map<string, number>();
  readonly cancelled: string[] = [];
  nowMs = 0;

  constructor(jobs: number, readonly redundancy: number, readonly poisonAfter: number) {
    this.jobs = Array.from({ length: jobs }, () => ({ decided: undefined, results: new Map(), failures: [], reassigned: 0, accepted: undefined }));
  }

  get finished(): boolean {
    return this.jobs.every((job) => job.decided !== undefined);
  }

  liveOn(index: number): ModelLease[] {
    return [...this.leases.values()].filter((lease) => lease.job === index);
  }

  /** k votes at first; one more each time the votes in disagree, up to k + EXTRA_VOTES. */
  votesNeeded(job: ModelJob): number {
    return job.results.size < this.redundancy ? this.redundancy : Math.min(job.results.size + 1, this.redundancy + EXTRA_VOTES);
  }

  /**
   * The first job (in input order) that still needs a vote this worker has not given nor is giving;
   * one it failed before only when there is no other, and never when only `fresh` work is asked for.
   */
  nextJobFor(worker: string, fresh: boolean): number | undefined {
    const wanted = this.jobs.map((job, i) => job.decided === undefined && !job.results.has(worker)
      && !this.liveOn(i).some((lease) => lease.worker === worker)
      && job.results.size + this.liveOn(i).length < this.votesNeeded(job));
    const untried = this.jobs.findIndex((job, i) => wanted[i] && !job.failures.includes(worker));
    if (untried !== -1) return untried;
    const any = wanted.indexOf(true);
    return fresh || any === -1 ? undefined : any;
  }

  /** poisonAfter failures from two workers or more (or from one when poisonAfter is 1), or many more from one. */
  exhausted(job: ModelJob): boolean {
    const count = job.failures.length;
    if (count >= this.poisonAfter * LONE_WORKER_FAILURE_FACTOR) return true;
    return count >= this.poisonAfter && (this.poisonAfter === 1 || new Set(job.failures).size >= 2);
  }

  lease(lease: Lease): void {
    this.leases.set(lease.id, { id: lease.id, job: lease.job, worker: lease.worker, expiresMs: this.nowMs + LEASE_MS });
    this.issued.push(lease.id);
  }

  complete(id: string, text: string): boolean {
    const lease = this.leases.get(id);
    if (!lease) return false;
    this.leases.delete(id);
    const job = this.jobs[lease.job]!;
    job.results.set(lease.worker, text);
    const votes = new Map<string, string[]>();
    for (const [worker, result] of job.results) votes.set(result, [...(votes.get(result) ?? []), worker]);
    const majority = Math.floor(this.redundancy / 2) + 1;
    const winner = [...votes].find(([, workers]) => workers.length >= majority);
    if (winner) {
      job.accepted = JSON.parse(winner[0]) as unknown;
      for (const [result, workers] of votes) {
        if (result !== winner[0]) for (const worker of workers) this.flagged.set(worker, (this.flagged.get(worker) ?? 0) + 1);
      }
      this.decide(lease.job, 'done');
    } else if (job.results.size >= this.redundancy + EXTRA_VOTES) {
      this.decide(lease.job, 'poisoned');
    }
    return true;
  }

  fail(id: string): boolean {
    const lease = this.leases.get(id);
    if (!lease) return false;
    this.leases.delete(id);
    const job = this.jobs[lease.job]!;
    job.failures.push(lease.worker);
    if (this.exhausted(job)) this.decide(lease.job, 'poisoned');
    return true;
  }

  /** progress and start: the lease runs on from now. */
  extend(id: string): boolean {
    const lease = this.leases.get(id);
    if (lease) lease.expiresMs = this.nowMs + LEASE_MS;
    return lease !== undefined;
  }

  /** Puts back the leases `which` picks; returns their ids. */
  reassign(which: (lease: ModelLease) => boolean): string[] {
    const ended = [...this.leases.values()].filter(which);
    for (const lease of ended) {
      this.leases.delete(lease.id);
      this.jobs[lease.job]!.reassigned++;
    }
    return ended.map((lease) => lease.id);
  }

  private decide(index: number, how: 'done' | 'poisoned'): void {
    this.jobs[index]!.decided = how;
    for (const lease of this.liveOn(index)) {
      this.leases.delete(lease.id);
      this.cancelled.push(lease.id);
    }
  }
}

/** The queue under test, its clock, and what the test saw of it over time. */
interface Real {
  readonly queue: JobQueue;
  advance(ms: number): void;
  /** Per job: how many times it was seen to become done or poisoned. */
  readonly decisions: number[];
  readonly lastState: string[];
}

function makeReal(jobs: number, redundancy: number, poisonAfter: number): Real {
  let nowMs = 0;
  const queue = new JobQueue(Array.from({ length: jobs }, (_, i) => i), { redundancy, poisonAfter, leaseMs: LEASE_MS, clock: () => nowMs });
  return {
    queue,
    advance: (ms) => { nowMs += ms; },
    decisions: new Array<number>(jobs).fill(0),
    lastState: queue.jobs.map((job) => job.state),
  };
}

const DECIDED = new Set(['done', 'poisoned']);

/** Everything the model knows must match the queue; checked after every step. */
function checkInvariants(model: QueueModel, real: Real): void {
  const { queue } = real;
  queue.jobs.forEach((job, i) => {
    const expected = model.jobs[i]!;
    const before = real.lastState[i]!;
    if (DECIDED.has(before)) expect(job.state, `job ${i} left ${before}`).toBe(before);
    else if (DECIDED.has(job.state)) real.decisions[i]!++;
    real.lastState[i] = job.state;
    const live = model.liveOn(i).length;
    const state = expected.decided ?? (expected.results.size > 0 ? 'verifying' : live === 0 ? 'queued' : job.state === 'running' ? 'running' : 'assigned');
    expect(job.state, `state of job ${i}`).toBe(state);
    if (job.state === 'done') {
      // A decided job keeps only its accepted text: one of the results it had.
      expect(job.results.size, `results of done job ${i}`).toBe(0);
      expect([...expected.results.values()], `accepted text of job ${i}`).toContain(job.resultText);
    } else {
      expect(Object.fromEntries(job.results), `results of job ${i}`).toEqual(Object.fromEntries(expected.results));
    }
    expect(job.failures.map((failure) => failure.worker), `failures of job ${i}`).toEqual(expected.failures);
    expect(job.reassigned, `reassignments of job ${i}`).toBe(expected.reassigned);
    expect(job.progress).toBeGreaterThanOrEqual(0);
    expect(job.progress).toBeLessThanOrEqual(1);
  });
  const leases = [...queue.leases.values()].map(({ id, job, worker, expiresMs }) => ({ id, job, worker, expiresMs }));
  expect(leases).toEqual([...model.leases.values()].map((lease) => ({ ...lease })));
  const held = new Set<string>();
  for (const lease of leases) {
    const key = `${lease.worker} ${lease.job}`;
    expect(held.has(key), `${lease.worker} holds two leases on job ${lease.job}`).toBe(false);
    held.add(key);
    expect(queue.jobs[lease.job]!.results.has(lease.worker), `${lease.worker} leased job ${lease.job} it answered`).toBe(false);
  }
  expect(queue.results()).toEqual(model.jobs.map((job) => (job.decided === 'done' ? job.accepted : undefined)));
  expect(Object.fromEntries(queue.flagged)).toEqual(Object.fromEntries(model.flagged));
  expect(queue.cancelled.map((lease) => lease.id)).toEqual(model.cancelled);
  expect(queue.finished).toBe(model.finished);
}

type QueueCommand = fc.Command<QueueModel, Real>;

/** A lease id to act on: mostly a live one, sometimes a stale or made-up one. */
function pickLease(model: QueueModel, live: boolean, pick: number): string {
  const pool = live && model.leases.size > 0 ? [...model.leases.keys()] : model.issued;
  return pool.length === 0 ? 'no-such-lease' : pool[pick % pool.length]!;
}

class NextCommand implements QueueCommand {
  constructor(readonly worker: string, readonly fresh = false) {}
  check = () => true;
  run(model: QueueModel, real: Real): void {
    const expected = model.nextJobFor(this.worker, this.fresh);
    const lease = real.queue.next(this.worker, this.fresh);
    expect(lease?.job, this.toString()).toBe(expected);
    if (lease) {
      expect(lease.worker).toBe(this.worker);
      model.lease(lease);
    }
    checkInvariants(model, real);
  }
  toString = () => `next(${this.worker}${this.fresh ? ', fresh' : ''})`;
}

class CompleteCommand implements QueueCommand {
  constructor(readonly live: boolean, readonly pick: number, readonly other: string | undefined) {}
  check = () => true;
  run(model: QueueModel, real: Real): void {
    const id = pickLease(model, this.live, this.pick);
    const job = model.leases.get(id)?.job ?? 0;
    const text = this.other ?? rightAnswer(job);
    expect(real.queue.complete(id, text), `complete(${id})`).toBe(model.complete(id, text));
    checkInvariants(model, real);
  }
  toString = () => `complete(${this.live ? 'live' : 'any'} #${this.pick}, ${this.other ?? 'right answer'})`;
}

class FailCommand implements QueueCommand {
  constructor(readonly live: boolean, readonly pick: number) {}
  check = () => true;
  run(model: QueueModel, real: Real): void {
    const id = pickLease(model, this.live, this.pick);
    expect(real.queue.fail(id, 'failed on purpose'), `fail(${id})`).toBe(model.fail(id));
    checkInvariants(model, real);
  }
  toString = () => `fail(${this.live ? 'live' : 'any'} #${this.pick})`;
}

/** One worker takes its next job and fails it, again and again: how a lone broken worker behaves. */
class FailingWorkerCommand implements QueueCommand {
  constructor(readonly worker: string, readonly times: number) {}
  check = () => true;
  run(model: QueueModel, real: Real): void {
    for (let i = 0; i < this.times; i++) {
      new NextCommand(this.worker).run(model, real);
      const lease = [...model.leases.values()].findLast((l) => l.worker === this.worker);
      if (!lease) return;
      expect(real.queue.fail(lease.id, 'failed again'), `fail(${lease.id})`).toBe(model.fail(lease.id));
      checkInvariants(model, real);
    }
  }
  toString = () => `failingWorker(${this.worker}, ${this.times})`;
}

class ProgressCommand implements QueueCommand {
  constructor(readonly live: boolean, readonly pick: number, readonly fraction: number) {}
  check = () => true;
  run(model: QueueModel, real: Real): void {
    const id = pickLease(model, this.live, this.pick);
    real.queue.progress(id, this.fraction);
    model.extend(id);
    checkInvariants(model, real);
  }
  toString = () => `progress(${this.live ? 'live' : 'any'} #${this.pick}, ${this.fraction})`;
}

/** The job was sent to its worker: the lease runs from now. */
class StartCommand implements QueueCommand {
  constructor(readonly live: boolean, readonly pick: number) {}
  check = () => true;
  run(model: QueueModel, real: Real): void {
    const id = pickLease(model, this.live, this.pick);
    expect(real.queue.start(id), `start(${id})`).toBe(model.extend(id));
    checkInvariants(model, real);
  }
  toString = () => `start(${this.live ? 'live' : 'any'} #${this.pick})`;
}

class AdvanceCommand implements QueueCommand {
  constructor(readonly ms: number) {}
  check = () => true;
  run(model: QueueModel, real: Real): void {
    real.advance(this.ms);
    model.nowMs += this.ms;
    checkInvariants(model, real);
  }
  toString = () => `advance(${this.ms})`;
}

class ExpireCommand implements QueueCommand {
  check = () => true;
  run(model: QueueModel, real: Real): void {
    const ended = real.queue.expire().map((lease) => lease.id);
    expect(ended.sort()).toEqual(model.reassign((lease) => lease.expiresMs <= model.nowMs).sort());
    checkInvariants(model, real);
  }
  toString = () => 'expire()';
}

class DropWorkerCommand implements QueueCommand {
  constructor(readonly worker: string) {}
  check = () => true;
  run(model: QueueModel, real: Real): void {
    const ended = real.queue.dropWorker(this.worker).map((lease) => lease.id);
    expect(ended.sort()).toEqual(model.reassign((lease) => lease.worker === this.worker).sort());
    checkInvariants(model, real);
  }
  toString = () => `dropWorker(${this.worker})`;
}

function commandsFor(workers: number): fc.Arbitrary<Iterable<QueueCommand>> {
  const worker = fc.constantFrom(...WORKERS.slice(0, workers));
  const live = fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 });
  const lease = fc.tuple(live, fc.nat());
  const next = fc.tuple(worker, fc.boolean()).map(([w, fresh]) => new NextCommand(w, fresh));
  const complete = fc.tuple(lease, fc.option(fc.constantFrom(...OTHER_RESULTS), { nil: undefined, freq: 2 }))
    .map(([[l, pick], other]) => new CompleteCommand(l, pick, other));
  return fc.commands([
    next, next, next,
    complete, complete, complete,
    lease.map(([l, pick]) => new FailCommand(l, pick)),
    lease.map(([l, pick]) => new FailCommand(l, pick)),
    lease.map(([l, pick]) => new StartCommand(l, pick)),
    fc.tuple(worker, fc.integer({ min: 1, max: 10 })).map(([w, times]) => new FailingWorkerCommand(w, times)),
    fc.tuple(lease, fc.double({ min: -1, max: 2, noNaN: true })).map(([[l, pick], f]) => new ProgressCommand(l, pick, f)),
    fc.oneof(fc.integer({ min: 0, max: LEASE_MS / 2 }), fc.integer({ min: 0, max: 2 * LEASE_MS })).map((ms) => new AdvanceCommand(ms)),
    fc.constant(new ExpireCommand()),
    worker.map((w) => new DropWorkerCommand(w)),
  ], { maxCommands: MAX_COMMANDS, size: 'max' });
}

/**
 * The fair end: every lease runs out, then fresh workers each take the next job and answer it right,
 * so each step adds a vote to an undecided job and every job is decided within k + EXTRA_VOTES votes.
 */
function driveToEnd(model: QueueModel, real: Real): void {
  new AdvanceCommand(LEASE_MS).run(model, real);
  new ExpireCommand().run(model, real);
  const maxSteps = model.jobs.length * (model.redundancy + EXTRA_VOTES);
  for (let step = 0; step < maxSteps && !model.finished; step++) {
    const worker = `fresh${step}`;
    new NextCommand(worker).run(model, real);
    const [id] = [...model.leases.keys()];
    expect(id, `a fresh worker got no job while some are undecided`).toBeDefined();
    new CompleteCommand(true, 0, undefined).run(model, real);
  }
  expect(real.queue.finished).toBe(true);
  expect(real.decisions, 'times each job was decided').toEqual(model.jobs.map(() => 1));
}

const setups = fc.record({
  jobs: fc.integer({ min: 1, max: 5 }),
  workers: fc.integer({ min: 1, max: WORKERS.length }),
  redundancy: fc.integer({ min: 1, max: 3 }),
  poisonAfter: fc.integer({ min: 1, max: 3 }),
});

describe('JobQueue against its model', () => {
  it('agrees with the model after every step and finishes with each job decided once', () => {
    fc.assert(fc.property(setups.chain((setup) => fc.tuple(fc.constant(setup), commandsFor(setup.workers))), ([setup, commands]) => {
      const model = new QueueModel(setup.jobs, setup.redundancy, setup.poisonAfter);
      const real = makeReal(setup.jobs, setup.redundancy, setup.poisonAfter);
      fc.modelRun(() => ({ model, real }), commands);
      driveToEnd(model, real);
    }), { numRuns: NUM_RUNS });
  });
});
