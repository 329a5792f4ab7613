// The client's foreman for one job series: connects to the chosen workers, opens the series on
// each, answers their pulls from the JobQueue, watches leases and departures, and resolves with
// the results in input order once every job is done or poisoned.
import type { Command, Handler } from '../../protocol/handler.ts';
import type { workerFromClient1 } from '../../protocol/protocols/index.ts';

/** The client's link to a hired worker, typed by what it sends: p2p:worker<-client/1. */
export type WorkerLink = Handler<typeof workerFromClient1>;
import { JobQueue, JobState, type Lease } from './job-queue.ts';
import { Payroll, type Payments } from './payroll.ts';
import { peerIdOfKey, verify } from '../../protocol/identity.ts';
import { resultMessage } from '../../protocol/protocols/points.ts';

/** How often leases are checked; a lease is many times longer than this. */
const LEASE_CHECK_MS = 250;

export interface SeriesSpec {
  readonly code: string;
  readonly inputs: readonly unknown[];
  readonly redundancy: number;
  readonly leaseMs: number;
  readonly timeoutMs: number;
  readonly poisonAfter: number;
}

export interface WorkerStats {
  readonly id: string;
  price: number;
  state: 'connecting' | 'working' | 'finished' | 'left' | 'unreachable';
  done: number;
  failed: number;
  flagged: number;
  /** Jobs the worker has asked for and not yet received. */
  demand: number;
  startedMs: number;
  error?: string;
  /** The public key the worker signs results with, checked against its id. */
  key?: string;
  keyChecked?: Promise<void>;
}

export interface SeriesResult {
  readonly results: unknown[];
  readonly jobs: { index: number; state: JobState; doneBy?: string; failures: number; reassigned: number }[];
  readonly workers: WorkerStats[];
  /** Points posted to workers for accepted results. */
  readonly paid: number;
}

export interface ForemanDeps {
  /** Opens a client link to a worker (WebRTC + handshake) with these handlers for its replies. */
  readonly connect: (worker: string, replies: WorkerReplies) => Promise<WorkerLink>;
  readonly clock?: () => number;
  readonly onChange: () => void;
  /** The ledger, when jobs are paid for (every job awarded, settled by its outcome). */
  readonly payments?: Payments;
  /** Records job and transfer events for the replay (src/peer/event-log.ts). */
  readonly record?: (event: { t: number; kind: 'job' | 'transfer'; peer: string; text: string }) => void;
}

/** What a worker sends the foreman on a series link. */
export interface WorkerReplies {
  key(series: string, key: string): Promise<void>;
  pull(series: string, count: number): void;
  progress(series: string, lease: string, fraction: number): void;
  result(series: string, lease: string, value: string, signature: string): Promise<void>;
  failed(series: string, lease: string, code: string, message: string): void;
}

export class Foreman {
  readonly queue: JobQueue;
  readonly workers = new Map<string, WorkerStats>();
  private readonly payroll: Payroll;
  private readonly links = new Map<string, WorkerLink>();
  private readonly seriesId: string;
  private timer: ReturnType<typeof setInterval> | undefined;
  private settle: { resolve: (result: SeriesResult) => void; reject: (error: Error) => void } | undefined;

  constructor(private readonly spec: SeriesSpec, private readonly deps: ForemanDeps, seriesId: string) {
    this.seriesId = seriesId;
    this.queue = new JobQueue(spec.inputs, {
      redundancy: spec.redundancy, leaseMs: spec.leaseMs, poisonAfter: spec.poisonAfter,
      ...(deps.clock && { clock: deps.clock }),
    });
    this.payroll = new Payroll(deps.payments, (worker, result) => {
      if (result === 'insufficient_points') this.abort(`not enough points to award a job to ${worker.slice(0, 8)}: ${result}`);
    }, (worker, text) => deps.record?.({ t: Date.now(), kind: 'transfer', peer: worker, text }));
  }

  /** Farms the series to `workers` (id → price per job). */
  run(workers: ReadonlyMap<string, number>): Promise<SeriesResult> {
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
      if (this.queue.finished) return this.finish();
      this.timer = setInterval(() => this.checkLeases(), LEASE_CHECK_MS);
      for (const [id, price] of workers) void this.hire(id, price);
    });
  }

  /** Stops the series: every worker is told, nothing more is handed out. */
  abort(reason: string): void {
    const settle = this.settle;
    if (!settle) return;
    this.end();
    void this.payroll.close().finally(() => settle.reject(new Error(reason)));
  }

  private async hire(id: string, price: number): Promise<void> {
    const stats: WorkerStats = { id, price, state: 'connecting', done: 0, failed: 0, flagged: 0, demand: 0, startedMs: Date.now() };
    this.workers.set(id, stats);
    try {
      const handler = await this.deps.connect(id, this.replies(stats));
      if (!this.settle) return handler.close('series over');
      this.links.set(id, handler);
      stats.state = 'working';
      void handler.closed.then((reason) => this.onLeft(stats, reason));
      handler.send('series', { timeout: this.spec.timeoutMs, price, series: this.seriesId, code: this.spec.code });
    } catch (error) {
      stats.state = 'unreachable';
      stats.error = error instanceof Error ? error.message : String(error);
      this.checkStranded();
    }
    this.deps.onChange();
  }

  private replies(stats: WorkerStats): WorkerReplies {
    return {
      key: (_series, key) => {
        stats.keyChecked = peerIdOfKey(key).then((id) => {
          if (id === stats.id) stats.key = key;
          else this.dropWorker(stats, 'its key does not match its id');
        });
        return stats.keyChecked;
      },
      pull: (_series, count) => {
        stats.demand += count;
        this.dispatch();
      },
      progress: (_series, lease, fraction) => this.ifMine(stats, lease, () => this.queue.progress(lease, fraction)),
      result: async (series, lease, value, signature) => {
        await stats.keyChecked;
        const signed = stats.key !== undefined && await verify(stats.key, resultMessage(series, lease, value), signature);
        this.ifMine(stats, lease, (job) => {
          if (!signed) {
            // An unsigned result proves nothing: it counts as a failure of this worker.
            if (this.queue.fail(lease, 'result signature does not verify')) stats.failed += 1;
            this.payroll.voided([lease]);
          } else {
            this.payroll.resulted(lease, value);
            if (this.queue.complete(lease, value)) stats.done += 1;
          }
          this.judge(job);
        });
      },
      failed: (_series, lease, _code, message) => this.ifMine(stats, lease, (job) => {
        if (this.queue.fail(lease, message)) stats.failed += 1;
        this.payroll.voided([lease]);
        this.judge(job);
      }),
    };
  }

  /** A worker may only speak for its own leases. */
  private ifMine(stats: WorkerStats, lease: string, apply: (job: number) => void): void {
    const known = this.queue.leases.get(lease);
    if (known?.worker !== stats.id) return;
    apply(known.job);
    this.afterChange();
  }

  /** Settles the payments of a job once it is decided. */
  private judge(index: number): void {
    const job = this.queue.jobs[index]!;
    if (job.state !== JobState.done && job.state !== JobState.poisoned) return;
    this.payroll.decided(job);
    this.deps.record?.({ t: Date.now(), kind: 'job', peer: job.doneBy ?? '', text: `job ${job.index} ${job.state}${job.doneBy ? ` by ${job.doneBy.slice(0, 8)}` : ''}` });
  }

  private afterChange(): void {
    for (const lease of this.queue.cancelled.splice(0)) this.send(lease.worker, ['cancel', { series: this.seriesId, lease: lease.id }]);
    for (const [worker, count] of this.queue.flagged) {
      const stats = this.workers.get(worker);
      if (stats) stats.flagged = count;
    }
    if (this.queue.finished) return this.finish();
    this.dispatch();
    this.deps.onChange();
  }

  /** Hands queued jobs to workers that asked for them. */
  private dispatch(): void {
    for (const stats of this.workers.values()) {
      while (stats.state === 'working' && stats.demand > 0) {
        const lease = this.queue.next(stats.id);
        if (!lease) break;
        stats.demand -= 1;
        this.sendJob(lease);
      }
    }
  }

  private sendJob(lease: Lease): void {
    const price = this.workers.get(lease.worker)?.price ?? 0;
    void this.payroll.leased(lease.id, lease.job, lease.worker, price, lease.expiresMs).then((paidFor) => {
      // The lease may have ended while the award was on its way.
      if (!paidFor || !this.queue.leases.has(lease.id)) return;
      const input = JSON.stringify(this.queue.jobs[lease.job]!.input ?? null);
      this.send(lease.worker, ['job', { series: this.seriesId, lease: lease.id, input }]);
    });
  }

  private checkLeases(): void {
    const expired = this.queue.expire();
    for (const lease of expired) this.send(lease.worker, ['cancel', { series: this.seriesId, lease: lease.id }]);
    this.payroll.voided(expired.map((lease) => lease.id));
    if (expired.length > 0) this.afterChange();
  }

  private dropWorker(stats: WorkerStats, reason: string): void {
    this.links.get(stats.id)?.close(reason);
  }

  private onLeft(stats: WorkerStats, reason: string): void {
    this.links.delete(stats.id);
    if (!this.settle) return;
    stats.state = 'left';
    stats.error = reason;
    stats.demand = 0;
    this.payroll.voided(this.queue.dropWorker(stats.id).map((lease) => lease.id));
    this.afterChange();
    this.checkStranded();
  }

  /** Every worker gone with jobs left: fail rather than wait for ever. */
  private checkStranded(): void {
    if (!this.settle || this.queue.finished) return;
    if ([...this.workers.values()].some((w) => w.state === 'working' || w.state === 'connecting')) return;
    const left = this.queue.jobs.filter((job) => job.state !== JobState.done && job.state !== JobState.poisoned).length;
    this.abort(`every worker left or was unreachable; ${left} of ${this.queue.jobs.length} jobs unfinished`);
  }

  private finish(): void {
    const settle = this.settle;
    if (!settle) return;
    this.end();
    for (const stats of this.workers.values()) if (stats.state === 'working') stats.state = 'finished';
    void this.payroll.close().then((paid) => settle.resolve({
      results: this.queue.results(),
      jobs: this.queue.jobs.map((job) => ({
        index: job.index, state: job.state, failures: job.failures.length, reassigned: job.reassigned,
        ...(job.doneBy !== undefined && { doneBy: job.doneBy }),
      })),
      workers: [...this.workers.values()],
      paid,
    }));
    this.deps.onChange();
  }

  private end(): void {
    clearInterval(this.timer);
    this.settle = undefined;
    for (const [worker, handler] of this.links) {
      this.send(worker, ['end', { series: this.seriesId }]);
      handler.close('series over');
    }
    this.links.clear();
  }

  private send(worker: string, command: Command<typeof workerFromClient1>): void {
    this.links.get(worker)?.send(...command);
  }
}
