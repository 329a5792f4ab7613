// The client's queue of one job series (DESIGN.md section 4): workers pull, each job has a lease;
// an expired lease or a departed worker puts the job back ("reassigned", not "failed"); a job
// that fails `poisonAfter` times on more than one worker is poisoned (one worker alone cannot
// poison a job others could run: it gets the jobs it has not failed first); with redundancy k a job runs on k distinct
// workers and the majority result wins, and workers outvoted are flagged.

import type { Inputs } from './input-spec.ts';

export const JobState = {
  queued: 'queued',
  assigned: 'assigned',
  running: 'running',
  verifying: 'verifying',
  done: 'done',
  poisoned: 'poisoned',
} as const;
export type JobState = (typeof JobState)[keyof typeof JobState];

export interface Lease {
  readonly id: string;
  readonly job: number;
  readonly worker: string;
  readonly startedMs: number;
  expiresMs: number;
}

export interface Job {
  readonly index: number;
  state: JobState;
  progress: number;
  /** Result texts (canonical JSON) by worker. Shared and empty until the first result (read only). */
  results: ReadonlyMap<string, string>;
  /** Each distinct result text's value, parsed once. */
  values: ReadonlyMap<string, unknown>;
  /** Shared and empty until the first failure (read only). */
  failures: readonly { worker: string; message: string }[];
  reassigned: number;
  result?: unknown;
  /** The accepted result's JSON text (the results and values of a decided job are let go). */
  resultText?: string;
  /** The worker whose result was accepted (the first of the majority). */
  doneBy?: string;
}

export interface QueueOptions {
  readonly redundancy: number;
  readonly leaseMs: number;
  readonly poisonAfter: number;
  readonly clock?: () => number;
}

/** More results than k are asked for when k disagree, but never more than this many extra. */
const EXTRA_VOTES = 2;
/**
 * Failures of one job from a single worker count toward poisoning only up to poisonAfter × this:
 * a lone worker still ends a job that always throws; a lying worker cannot poison it while others run it.
 */
const LONE_WORKER_FAILURE_FACTOR = 3;

export class JobQueue {
  readonly jobs: Job[];
  readonly leases = new Map<string, Lease>();
  /** Workers whose result lost a vote, with how many times. */
  readonly flagged = new Map<string, number>();
  /** Leases ended because their job was decided elsewhere; drained by the foreman. */
  cancelled: Lease[] = [];
  private leaseCounter = 0;
  private readonly clock: () => number;
  // Every operation is O(1) amortised, whatever the series' size: jobs never leased are taken in
  // order from a cursor; jobs that need another lease (reassigned, failed, or asking for more
  // votes) wait in a small heap by index, so the lowest index still goes first; each job and
  // each worker knows its own leases; states are counted as they change.
  private cursor = 0;
  private readonly retry = new IndexHeap();
  private readonly leasesOfWorker = new Map<string, Set<string>>();
  /**
   * The leases running on each job, kept off the job objects: a long series' jobs are old objects,
   * and giving each a fresh array per lease made the garbage collector's work grow with the series.
   */
  private readonly leasesOfJob = new Map<number, string[]>();
  private readonly counts = new Map<JobState, number>();

  constructor(private readonly inputs: Inputs, private readonly options: QueueOptions) {
    this.clock = options.clock ?? Date.now;
    // A job holds nothing of its own until it is leased, not even its input (read from `inputs`
    // when it is sent): a 100,000-job series is 100,000 small objects.
    this.jobs = Array.from({ length: inputs.length }, (_, index) => ({
      index, state: JobState.queued, progress: 0, results: NO_RESULTS, values: NO_VALUES, failures: NO_FAILURES,
      reassigned: 0,
    }));
    this.counts.set(JobState.queued, this.jobs.length);
  }

  /** Job `index`'s input (a range's is computed now; an array's is its element). */
  input(index: number): unknown {
    return this.inputs.at(index);
  }

  get finished(): boolean {
    return this.count(JobState.done) + this.count(JobState.poisoned) === this.jobs.length;
  }

  count(state: JobState): number {
    return this.counts.get(state) ?? 0;
  }

  /**
   * The lease's clock runs from now: a job waiting on escrow before it is sent is not the
   * worker's delay. Returns false for an unknown lease.
   */
  start(leaseId: string): boolean {
    const lease = this.leases.get(leaseId);
    if (!lease) return false;
    lease.expiresMs = this.clock() + this.options.leaseMs;
    return true;
  }

  /**
   * The next job for `worker` (the lowest index it may take), leased to it, or undefined when it
   * has nothing to do now. A job this worker failed goes to it again only when it has nothing else
   * to do, and never with `fresh` (the foreman offers every worker fresh work first, so another
   * worker gets the retry).
   */
  next(worker: string, fresh = false): Lease | undefined {
    const job = this.fromRetry(worker, true) ?? this.fromCursor() ?? (fresh ? undefined : this.fromRetry(worker, false));
    if (!job) return undefined;
    const nowMs = this.clock();
    const lease: Lease = { id: `l${++this.leaseCounter}`, job: job.index, worker, startedMs: nowMs, expiresMs: nowMs + this.options.leaseMs };
    this.leases.set(lease.id, lease);
    const running = this.leasesOfJob.get(job.index);
    if (running) running.push(lease.id);
    else this.leasesOfJob.set(job.index, [lease.id]);
    addTo(this.leasesOfWorker, worker, lease.id);
    if (job.state === JobState.queued) this.setState(job, JobState.assigned);
    if (this.needsLease(job)) this.retry.push(job.index);
    return lease;
  }

  progress(leaseId: string, fraction: number): void {
    const lease = this.leases.get(leaseId);
    if (!lease) return;
    const job = this.jobs[lease.job]!;
    // Progress proves the worker is alive: the lease runs on from now.
    lease.expiresMs = this.clock() + this.options.leaseMs;
    if (job.state === JobState.assigned) this.setState(job, JobState.running);
    job.progress = Math.max(job.progress, Math.min(1, fraction));
  }

  /**
   * Records a result, given as JSON text and its value (the caller checks what a worker sent: not
   * JSON is that worker's failure, see `fail`; without `value` the text is parsed here, and a
   * TypeError leaves everything as it was). Returns false for an unknown (expired or foreign) lease.
   */
  complete(leaseId: string, resultJson: string, value: unknown = parseResult(resultJson)): boolean {
    const lease = this.take(leaseId);
    if (!lease) return false;
    const job = this.jobs[lease.job]!;
    if (decided(job)) return true;
    if (job.results === NO_RESULTS) job.results = new Map();
    if (job.values === NO_VALUES) job.values = new Map();
    (job.results as Map<string, string>).set(lease.worker, resultJson);
    if (!job.values.has(resultJson)) (job.values as Map<string, unknown>).set(resultJson, value);
    this.vote(job);
    return true;
  }

  fail(leaseId: string, message: string): boolean {
    const lease = this.take(leaseId);
    if (!lease) return false;
    const job = this.jobs[lease.job]!;
    if (decided(job)) return true;
    job.failures = [...job.failures, { worker: lease.worker, message }];
    if (this.exhausted(job)) this.poison(job);
    else this.settle(job);
    return true;
  }

  /** Puts back every job whose lease has run out; returns those leases. */
  expire(): Lease[] {
    const nowMs = this.clock();
    const expired: Lease[] = [];
    for (const lease of this.leases.values()) if (lease.expiresMs <= nowMs) expired.push(lease);
    for (const lease of expired) this.reassign(lease);
    return expired;
  }

  /** A worker left: its jobs go back to the queue. */
  dropWorker(worker: string): Lease[] {
    const leases = [...this.leasesOfWorker.get(worker) ?? []].map((id) => this.leases.get(id)!);
    for (const lease of leases) this.reassign(lease);
    return leases;
  }

  /**
   * Job `index` was decided before this queue existed (a resumed series, series-store.ts): it is
   * done with `text`, never leased. Only for a job still queued; returns false otherwise.
   */
  restore(index: number, text: string, value: unknown, worker: string): boolean {
    const job = this.jobs[index];
    if (!job || job.state !== JobState.queued) return false;
    job.result = value;
    job.resultText = text;
    job.doneBy = worker;
    this.setState(job, JobState.done);
    return true;
  }

  /** The jobs' results in input order (undefined where poisoned). */
  results(): unknown[] {
    return this.jobs.map((job) => job.result);
  }

  /** The lowest-index job waiting for another lease that `worker` may take (see `next`). */
  private fromRetry(worker: string, skipFailed: boolean): Job | undefined {
    const passedOver: number[] = [];
    let found: Job | undefined;
    while (this.retry.size > 0) {
      const job = this.jobs[this.retry.pop()!]!;
      if (!this.needsLease(job)) continue; // stale: decided or covered since it was queued
      if (this.refuses(job, worker) || (skipFailed && failedBy(job, worker))) {
        passedOver.push(job.index);
        continue;
      }
      found = job;
      break;
    }
    for (const index of passedOver) this.retry.push(index);
    return found;
  }

  /** The next job never leased yet, in input order. */
  private fromCursor(): Job | undefined {
    // Jobs decided before the queue was made (a resumed series) are passed over.
    while (this.cursor < this.jobs.length && this.jobs[this.cursor]!.state !== JobState.queued) this.cursor += 1;
    return this.cursor < this.jobs.length ? this.jobs[this.cursor++] : undefined;
  }

  /** `poisonAfter` failures from two workers or more, or many more from one alone. */
  private exhausted(job: Job): boolean {
    const { poisonAfter } = this.options;
    if (job.failures.length >= poisonAfter * LONE_WORKER_FAILURE_FACTOR) return true;
    if (job.failures.length < poisonAfter) return false;
    return poisonAfter === 1 || new Set(job.failures.map((failure) => failure.worker)).size >= 2;
  }

  /** Whether `worker` has answered this job already or holds a lease on it. */
  private refuses(job: Job, worker: string): boolean {
    if (job.results.has(worker)) return true;
    return this.leaseIdsOf(job).some((id) => this.leases.get(id)!.worker === worker);
  }

  /** Undecided, and fewer results and running leases than the votes it needs. */
  private needsLease(job: Job): boolean {
    return !decided(job) && job.results.size + this.leaseIdsOf(job).length < this.votesNeeded(job);
  }

  /** k at first; when k results disagree, one more at a time, up to k + EXTRA_VOTES. */
  private votesNeeded(job: Job): number {
    const { redundancy } = this.options;
    if (job.results.size < redundancy) return redundancy;
    return Math.min(job.results.size + 1, redundancy + EXTRA_VOTES);
  }

  private vote(job: Job): void {
    if (this.options.redundancy === 1) return this.accept(job, job.results.values().next().value!, [...job.results.keys()], NO_TALLY);
    const tally = new Map<string, string[]>();
    for (const [worker, text] of job.results) tally.set(text, [...(tally.get(text) ?? []), worker]);
    const majority = Math.floor(this.options.redundancy / 2) + 1;
    const winner = [...tally].find(([, workers]) => workers.length >= majority);
    if (winner) return this.accept(job, winner[0], winner[1], tally);
    if (job.results.size >= this.options.redundancy + EXTRA_VOTES) this.poison(job);
    else this.settle(job);
  }

  private accept(job: Job, text: string, winners: string[], tally: ReadonlyMap<string, string[]>): void {
    this.setState(job, JobState.done);
    job.progress = 1;
    job.result = job.values.get(text);
    job.resultText = text;
    job.doneBy = winners[0]!;
    for (const [other, workers] of tally) {
      if (other === text) continue;
      for (const worker of workers) this.flagged.set(worker, (this.flagged.get(worker) ?? 0) + 1);
    }
    this.cancelLeasesOf(job);
    // A decided job keeps its result only: a long series holds no per-worker texts it is done with.
    job.results = NO_RESULTS;
    job.values = NO_VALUES;
  }

  private poison(job: Job): void {
    this.setState(job, JobState.poisoned);
    this.cancelLeasesOf(job);
  }

  /** Leases still running for a decided job; the caller tells their workers to stop. */
  private cancelLeasesOf(job: Job): void {
    for (const id of [...this.leaseIdsOf(job)]) this.cancelled.push(this.take(id)!);
  }

  /** After a result or failure short of a decision: waiting for votes, or back in the queue. */
  private settle(job: Job): void {
    const running = this.leaseIdsOf(job).length > 0;
    if (job.results.size > 0) this.setState(job, JobState.verifying);
    else this.setState(job, running ? JobState.assigned : JobState.queued);
    if (this.needsLease(job)) this.retry.push(job.index);
  }

  private reassign(lease: Lease): void {
    this.take(lease.id);
    const job = this.jobs[lease.job]!;
    if (decided(job)) return;
    job.reassigned += 1;
    job.progress = 0;
    this.settle(job);
  }

  private take(leaseId: string): Lease | undefined {
    const lease = this.leases.get(leaseId);
    if (!lease) return undefined;
    this.leases.delete(leaseId);
    const running = this.leasesOfJob.get(lease.job)!;
    if (running.length === 1) this.leasesOfJob.delete(lease.job);
    else running.splice(running.indexOf(leaseId), 1);
    removeFrom(this.leasesOfWorker, lease.worker, leaseId);
    return lease;
  }

  private leaseIdsOf(job: Job): readonly string[] {
    return this.leasesOfJob.get(job.index) ?? NO_LEASES;
  }

  private setState(job: Job, state: JobState): void {
    this.counts.set(job.state, this.count(job.state) - 1);
    this.counts.set(state, this.count(state) + 1);
    job.state = state;
  }
}

const NO_RESULTS: ReadonlyMap<string, string> = new Map();
const NO_TALLY: ReadonlyMap<string, string[]> = new Map();
const NO_VALUES: ReadonlyMap<string, unknown> = new Map();
const NO_FAILURES: readonly { worker: string; message: string }[] = Object.freeze([]);
const NO_LEASES: readonly string[] = Object.freeze([]);

function decided(job: Job): boolean {
  return job.state === JobState.done || job.state === JobState.poisoned;
}

function addTo<K>(map: Map<K, Set<string>>, key: K, id: string): void {
  const set = map.get(key);
  if (set) set.add(id);
  else map.set(key, new Set([id]));
}

function removeFrom<K>(map: Map<K, Set<string>>, key: K, id: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) map.delete(key);
}

/**
 * Job indices waiting for another lease, lowest first, each at most once. A binary heap: it holds
 * only jobs that were leased before and need one more (few, next to a series' size).
 */
class IndexHeap {
  private readonly items: number[] = [];
  private readonly held = new Set<number>();

  get size(): number {
    return this.items.length;
  }

  push(index: number): void {
    if (this.held.has(index)) return;
    this.held.add(index);
    const items = this.items;
    items.push(index);
    for (let i = items.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= items[i]!) break;
      [items[parent], items[i]] = [items[i]!, items[parent]!];
      i = parent;
    }
  }

  pop(): number | undefined {
    const items = this.items;
    const top = items[0];
    if (top === undefined) return undefined;
    this.held.delete(top);
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      for (let i = 0; ;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let least = i;
        if (left < items.length && items[left]! < items[least]!) least = left;
        if (right < items.length && items[right]! < items[least]!) least = right;
        if (least === i) break;
        [items[least], items[i]] = [items[i]!, items[least]!];
        i = least;
      }
    }
    return top;
  }
}

function failedBy(job: Job, worker: string): boolean {
  return job.failures.some((failure) => failure.worker === worker);
}

/** A result's JSON text as a value; a TypeError names what was wrong. */
export function parseResult(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new TypeError(`result is not JSON: ${(error as Error).message}`);
  }
}
