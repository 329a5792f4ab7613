// The client's queue of one job series (DESIGN.md section 4): workers pull, each job has a lease;
// an expired lease or a departed worker puts the job back ("reassigned", not "failed"); a job
// that fails `poisonAfter` times on more than one worker is poisoned (one worker alone cannot
// poison a job others could run: it gets the jobs it has not failed first); with redundancy k a job runs on k distinct
// workers and the majority result wins, and workers outvoted are flagged.

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
  readonly input: unknown;
  state: JobState;
  progress: number;
  /** Result texts (canonical JSON) by worker. */
  readonly results: Map<string, string>;
  /** Each distinct result text's value, parsed once. */
  readonly values: Map<string, unknown>;
  readonly failures: { worker: string; message: string }[];
  reassigned: number;
  result?: unknown;
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

  constructor(inputs: readonly unknown[], private readonly options: QueueOptions) {
    this.clock = options.clock ?? Date.now;
    this.jobs = inputs.map((input, index) => ({
      index, input, state: JobState.queued, progress: 0, results: new Map(), values: new Map(), failures: [], reassigned: 0,
    }));
  }

  get finished(): boolean {
    return this.jobs.every((job) => job.state === JobState.done || job.state === JobState.poisoned);
  }

  count(state: JobState): number {
    return this.jobs.filter((job) => job.state === state).length;
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
   * The next job for `worker`, leased to it, or undefined when it has nothing to do now. A job this
   * worker failed goes to it again only when it has nothing else to do, and never with `fresh`
   * (the foreman offers every worker fresh work first, so another worker gets the retry).
   */
  next(worker: string, fresh = false): Lease | undefined {
    const job = this.jobs.find((candidate) => this.wants(candidate, worker) && !failedBy(candidate, worker))
      ?? (fresh ? undefined : this.jobs.find((candidate) => this.wants(candidate, worker)));
    if (!job) return undefined;
    const nowMs = this.clock();
    const lease: Lease = { id: `l${++this.leaseCounter}`, job: job.index, worker, startedMs: nowMs, expiresMs: nowMs + this.options.leaseMs };
    this.leases.set(lease.id, lease);
    if (job.state === JobState.queued) job.state = JobState.assigned;
    return lease;
  }

  progress(leaseId: string, fraction: number): void {
    const lease = this.leases.get(leaseId);
    if (!lease) return;
    const job = this.jobs[lease.job]!;
    // Progress proves the worker is alive: the lease runs on from now.
    lease.expiresMs = this.clock() + this.options.leaseMs;
    if (job.state === JobState.assigned) job.state = JobState.running;
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
    if (job.state === JobState.done || job.state === JobState.poisoned) return true;
    job.results.set(lease.worker, resultJson);
    if (!job.values.has(resultJson)) job.values.set(resultJson, value);
    this.vote(job);
    return true;
  }

  fail(leaseId: string, message: string): boolean {
    const lease = this.take(leaseId);
    if (!lease) return false;
    const job = this.jobs[lease.job]!;
    if (job.state === JobState.done || job.state === JobState.poisoned) return true;
    job.failures.push({ worker: lease.worker, message });
    if (this.exhausted(job)) this.poison(job);
    else this.settle(job);
    return true;
  }

  /** Puts back every job whose lease has run out; returns those leases. */
  expire(): Lease[] {
    const nowMs = this.clock();
    const expired = [...this.leases.values()].filter((lease) => lease.expiresMs <= nowMs);
    for (const lease of expired) this.reassign(lease);
    return expired;
  }

  /** A worker left: its jobs go back to the queue. */
  dropWorker(worker: string): Lease[] {
    const leases = [...this.leases.values()].filter((lease) => lease.worker === worker);
    for (const lease of leases) this.reassign(lease);
    return leases;
  }

  /** The jobs' results in input order (undefined where poisoned). */
  results(): unknown[] {
    return this.jobs.map((job) => job.result);
  }

  /** `poisonAfter` failures from two workers or more, or many more from one alone. */
  private exhausted(job: Job): boolean {
    const { poisonAfter } = this.options;
    if (job.failures.length >= poisonAfter * LONE_WORKER_FAILURE_FACTOR) return true;
    if (job.failures.length < poisonAfter) return false;
    return poisonAfter === 1 || new Set(job.failures.map((failure) => failure.worker)).size >= 2;
  }

  private wants(job: Job, worker: string): boolean {
    if (job.state === JobState.done || job.state === JobState.poisoned) return false;
    if (job.results.has(worker)) return false;
    const running = [...this.leases.values()].filter((lease) => lease.job === job.index);
    if (running.some((lease) => lease.worker === worker)) return false;
    return job.results.size + running.length < this.votesNeeded(job);
  }

  /** k at first; when k results disagree, one more at a time, up to k + EXTRA_VOTES. */
  private votesNeeded(job: Job): number {
    const { redundancy } = this.options;
    if (job.results.size < redundancy) return redundancy;
    return Math.min(job.results.size + 1, redundancy + EXTRA_VOTES);
  }

  private vote(job: Job): void {
    const tally = new Map<string, string[]>();
    for (const [worker, text] of job.results) tally.set(text, [...(tally.get(text) ?? []), worker]);
    const majority = Math.floor(this.options.redundancy / 2) + 1;
    const winner = [...tally].find(([, workers]) => workers.length >= majority);
    if (winner) return this.accept(job, winner[0], winner[1], tally);
    if (job.results.size >= this.options.redundancy + EXTRA_VOTES) this.poison(job);
    else this.settle(job);
  }

  private accept(job: Job, text: string, winners: string[], tally: Map<string, string[]>): void {
    job.state = JobState.done;
    job.progress = 1;
    job.result = job.values.get(text);
    job.doneBy = winners[0]!;
    for (const [other, workers] of tally) {
      if (other === text) continue;
      for (const worker of workers) this.flagged.set(worker, (this.flagged.get(worker) ?? 0) + 1);
    }
    this.cancelLeasesOf(job);
  }

  private poison(job: Job): void {
    job.state = JobState.poisoned;
    this.cancelLeasesOf(job);
  }

  /** Leases still running for a decided job; the caller tells their workers to stop. */
  private cancelLeasesOf(job: Job): void {
    for (const lease of [...this.leases.values()]) {
      if (lease.job !== job.index) continue;
      this.leases.delete(lease.id);
      this.cancelled.push(lease);
    }
  }

  /** After a result or failure short of a decision: waiting for votes, or back in the queue. */
  private settle(job: Job): void {
    const running = [...this.leases.values()].some((lease) => lease.job === job.index);
    if (job.results.size > 0) job.state = JobState.verifying;
    else job.state = running ? JobState.assigned : JobState.queued;
  }

  private reassign(lease: Lease): void {
    this.leases.delete(lease.id);
    const job = this.jobs[lease.job]!;
    if (job.state === JobState.done || job.state === JobState.poisoned) return;
    job.reassigned += 1;
    job.progress = 0;
    this.settle(job);
  }

  private take(leaseId: string): Lease | undefined {
    const lease = this.leases.get(leaseId);
    this.leases.delete(leaseId);
    return lease;
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
