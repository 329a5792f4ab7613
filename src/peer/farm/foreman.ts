// The client's foreman for one job series: connects to the chosen workers, opens the series on
// each, answers their pulls from the JobQueue, watches leases and departures, and resolves with
// the results in input order once every job is done or poisoned.
import type { Command, Handler } from '../../protocol/handler.ts';
import { workerFromClient3, type workerFromClient1, type workerFromClient2 } from '../../protocol/protocols/index.ts';
import { resultsMessage } from '../../protocol/protocols/client-worker-2.ts';
import { formatList } from '../../protocol/format.ts';

/** The client's link to a hired worker, typed by what it sends: p2p:worker<-client/1, /2 or /3. */
export type WorkerLink = Handler<typeof workerFromClient1 | typeof workerFromClient2 | typeof workerFromClient3>;
import { JobQueue, JobState, parseResult, type Lease } from './job-queue.ts';
import { Payroll, type Payments } from './payroll.ts';
import { JobTrace } from './trace.ts';
import type { Inputs } from './input-spec.ts';
import type { SeriesJournal, StoredResult } from './series-store.ts';
import { peerIdOfKey, verify } from '../../protocol/identity.ts';
import { resultMessage } from '../../protocol/protocols/points.ts';

/** How often leases are checked; a lease is many times longer than this. */
const LEASE_CHECK_MS = 250;
/**
 * Jobs one worker may be owed at once (pulls not yet answered). A worker asks for its free slots
 * plus one (at most 64 per pull); one that keeps pulling without working must not hoard the queue.
 */
export const MAX_DEMAND_PER_WORKER = 64;

export interface SeriesSpec {
  readonly code: string;
  /** Each job's input, read when the job is sent (input-spec.ts: ranges are never expanded whole). */
  readonly inputs: Inputs;
  readonly redundancy: number;
  readonly leaseMs: number;
  readonly timeoutMs: number;
  readonly poisonAfter: number;
  /** Arguments every job gets as ctx.args, as JSON: sent once per worker with `series` (/3). */
  readonly argsJson?: string;
}

/** A line a job logged (ctx.log, console.*), as its worker relayed it. */
export interface JobLogLine {
  readonly index: number;
  readonly worker: string;
  readonly level: string;
  readonly text: string;
  readonly t: number;
}

/** Log lines a series keeps, newest last; older ones go (the handle's listeners saw them all). */
export const SERIES_LOG_LINES = 1000;

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
  /** Jobs a resumed series took from the store (decided by an earlier tab): not run or paid again. */
  readonly restored?: number;
}

export interface ForemanDeps {
  /** Opens a client link to a worker (WebRTC + handshake) with these handlers for its replies. */
  readonly connect: (worker: string, replies: WorkerReplies) => Promise<WorkerLink>;
  readonly clock?: () => number;
  readonly onChange: () => void;
  /** The ledger, when jobs are paid for (the series escrowed, accepted results paid from it). */
  readonly payments?: Payments;
  /** Records job and transfer events for the replay (src/peer/event-log.ts). */
  readonly record?: (event: { t: number; kind: 'job' | 'transfer'; peer: string; text: string }) => void;
  /** Called once per job when its result is accepted (the streaming handle of submit()). */
  readonly onResult?: (index: number, value: unknown, worker: string) => void;
  /** Called with each line a job logged, as it arrives. */
  readonly onLog?: (line: JobLogLine) => void;
  /** Writes accepted results and payments down as they happen, so the series can resume (series-store.ts). */
  readonly journal?: SeriesJournal;
}

/** What a worker sends the foreman on a series link. */
export interface WorkerReplies {
  key(series: string, key: string): Promise<void>;
  pull(series: string, count: number): void;
  progress(series: string, lease: string, fraction: number): void;
  /** A job's log line (/3). */
  log(series: string, lease: string, level: string, text: string): void;
  result(series: string, lease: string, value: string, signature: string): Promise<void>;
  /** Several results under one signature (/2): `entries` is `lease value lease value ...`. */
  results(series: string, entries: string[], signature: string): Promise<void>;
  failed(series: string, lease: string, code: string, message: string): void;
}

export class Foreman {
  readonly queue: JobQueue;
  readonly workers = new Map<string, WorkerStats>();
  /** The jobs' latest log lines, oldest first (at most SERIES_LOG_LINES). */
  readonly logs: JobLogLine[] = [];
  /** Per-hop timings of recent jobs, by `<series>/<lease>` (bench/farm reads them). */
  readonly trace = new JobTrace();
  /** Jobs restore() took from an earlier tab. */
  restored = 0;
  private readonly payroll: Payroll;
  private readonly links = new Map<string, WorkerLink>();
  /** Leases whose job went out; the others still wait for their escrow. */
  private readonly sent = new Set<string>();
  private readonly clock: () => number;
  private readonly seriesId: string;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** The highest price of a hired worker: what one result may cost. */
  private dearest = 0;
  private settle: { resolve: (result: SeriesResult) => void; reject: (error: Error) => void } | undefined;
  /** Jobs whose decision was announced: judge() sees a decided job again for each late vote. */
  private readonly announced: Uint8Array;

  constructor(private readonly spec: SeriesSpec, private readonly deps: ForemanDeps, seriesId: string) {
    this.seriesId = seriesId;
    this.clock = deps.clock ?? Date.now;
    this.announced = new Uint8Array(spec.inputs.length);
    this.queue = new JobQueue(spec.inputs, {
      redundancy: spec.redundancy, leaseMs: spec.leaseMs, poisonAfter: spec.poisonAfter,
      ...(deps.clock && { clock: deps.clock }),
    });
    this.payroll = new Payroll(deps.payments, this.clock, spec.leaseMs, () => this.budget(),
      (worker, text) => deps.record?.({ t: Date.now(), kind: 'transfer', peer: worker, text }), deps.journal);
  }

  /**
   * Jobs an earlier tab decided (a resumed series): done with their results, never run or paid again,
   * and announced like fresh ones. Call before run(). A result that does not read back is run again.
   */
  restore(results: Iterable<StoredResult>): void {
    for (const { index, text, worker } of results) {
      let value: unknown;
      try {
        value = parseResult(text);
      } catch {
        continue;
      }
      if (!this.queue.restore(index, text, value, worker)) continue;
      this.restored += 1;
      this.announced[index] = 1;
      this.deps.onResult?.(index, value, worker);
    }
  }

  /** Farms the series to `workers` (id → price per job). */
  run(workers: ReadonlyMap<string, number>): Promise<SeriesResult> {
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
      if (this.queue.finished) return this.finish();
      this.dearest = Math.max(0, ...workers.values());
      this.payroll.open();
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
      const { argsJson } = this.spec;
      if (argsJson !== undefined && handler.outbound !== workerFromClient3) {
        // Older workers would run the jobs without their args: wrong results, not a clear refusal.
        handler.close('the series has args; this worker does not speak p2p:worker<-client/3');
        throw new Error(`speaks ${handler.outbound?.name ?? 'no protocol'}; a series with args needs ${workerFromClient3.name}`);
      }
      this.links.set(id, handler);
      stats.state = 'working';
      void handler.closed.then((reason) => this.onLeft(stats, reason));
      handler.send('series', {
        timeout: this.spec.timeoutMs, price, series: this.seriesId, code: this.spec.code, ...(argsJson !== undefined && { args: argsJson }),
      });
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
      pull: (series, count) => {
        if (series !== this.seriesId) return;
        stats.demand = Math.min(MAX_DEMAND_PER_WORKER, stats.demand + count);
        this.dispatch();
      },
      progress: (series, lease, fraction) => {
        if (this.ifMine(stats, series, lease) !== undefined) this.queue.progress(lease, fraction);
      },
      log: (series, lease, level, text) => {
        const index = this.ifMine(stats, series, lease);
        if (index === undefined) return;
        const line = { index, worker: stats.id, level, text, t: Date.now() };
        this.logs.push(line);
        if (this.logs.length > SERIES_LOG_LINES) this.logs.splice(0, this.logs.length - SERIES_LOG_LINES);
        this.deps.onLog?.(line);
        this.deps.onChange();
      },
      result: async (series, lease, value, signature) => {
        this.trace.mark(`${series}/${lease}`, 'arrived');
        await stats.keyChecked;
        const signed = stats.key !== undefined && await verify(stats.key, resultMessage(series, lease, value), signature);
        this.takeResult(stats, series, lease, value, signed);
        this.afterChange();
      },
      results: async (series, entries, signature) => {
        for (let i = 0; i < entries.length; i += 2) this.trace.mark(`${series}/${entries[i]}`, 'arrived');
        await stats.keyChecked;
        // One signature covers the batch: checked once, it vouches for every result in it.
        const signed = stats.key !== undefined && entries.length % 2 === 0
          && await verify(stats.key, resultsMessage(series, formatList(entries)), signature);
        for (let i = 0; i + 1 < entries.length; i += 2) this.takeResult(stats, series, entries[i]!, entries[i + 1]!, signed);
        this.afterChange();
      },
      failed: (series, lease, _code, message) => {
        const job = this.ifMine(stats, series, lease);
        if (job === undefined) return;
        this.sent.delete(lease);
        if (this.queue.fail(lease, message)) stats.failed += 1;
        this.payroll.voided([lease]);
        this.judge(job);
        this.afterChange();
      },
    };
  }

  /** Records one result a worker sent for one of its leases. */
  private takeResult(stats: WorkerStats, series: string, lease: string, value: string, signed: boolean): void {
    const job = this.ifMine(stats, series, lease);
    if (job === undefined) return;
    this.trace.mark(`${series}/${lease}`, 'verified');
    this.sent.delete(lease);
    const result = signed ? readResult(value, this.spec.redundancy > 1) : new TypeError('result signature does not verify');
    if (result instanceof TypeError) {
      // An unsigned or unreadable result proves nothing: it counts as a failure of this worker.
      if (this.queue.fail(lease, result.message)) stats.failed += 1;
      this.payroll.voided([lease]);
    } else {
      this.payroll.resulted(lease, result.text);
      if (this.queue.complete(lease, result.text, result.value)) stats.done += 1;
      if (this.queue.jobs[job]!.state === JobState.done) this.trace.mark(`${series}/${lease}`, 'decided');
    }
    this.judge(job);
  }

  /**
   * A worker may only speak for its own leases of this series that were sent, while the series
   * runs: the job's index, or undefined. A result whose signature was still being checked when the
   * series stopped is dropped, not kept: its funds are released by then, so it could not be paid.
   */
  private ifMine(stats: WorkerStats, series: string, lease: string): number | undefined {
    const known = this.queue.leases.get(lease);
    if (!this.settle || series !== this.seriesId || known?.worker !== stats.id || !this.sent.has(lease)) return undefined;
    return known.job;
  }

  /** Settles the payments of a job once it is decided. */
  private judge(index: number): void {
    const job = this.queue.jobs[index]!;
    if (job.state !== JobState.done && job.state !== JobState.poisoned) return;
    if (!this.announced[index]) {
      this.announced[index] = 1;
      if (job.state === JobState.done) {
        // Written in the same batch as its payments (payroll.decided, next), so a reload finds both or neither.
        this.deps.journal?.result(index, job.resultText!, job.doneBy ?? '');
        this.deps.onResult?.(index, job.result, job.doneBy ?? '');
      }
      this.deps.record?.({ t: Date.now(), kind: 'job', peer: job.doneBy ?? '', text: `job ${job.index} ${job.state}${job.doneBy ? ` by ${job.doneBy.slice(0, 8)}` : ''}` });
    }
    this.payroll.decided(job);
  }

  /** What the rest of the series may cost: every result still wanted at the dearest price. */
  private budget(): number {
    const undecided = this.queue.jobs.length - this.queue.count(JobState.done) - this.queue.count(JobState.poisoned);
    return undecided * this.spec.redundancy * this.dearest;
  }

  /** Payments the authority has not answered yet. */
  get unsettled(): number {
    return this.payroll.pending;
  }

  private afterChange(): void {
    for (const lease of this.queue.cancelled.splice(0)) {
      if (this.sent.delete(lease.id)) this.send(lease.worker, ['cancel', { series: this.seriesId, lease: lease.id }]);
      else this.giveBack(lease); // it never left: the worker still waits for a job
    }
    for (const [worker, count] of this.queue.flagged) {
      const stats = this.workers.get(worker);
      if (stats) stats.flagged = count;
    }
    if (this.queue.finished) return this.finish();
    this.dispatch();
    this.deps.onChange();
  }

  /** Hands queued jobs to workers that asked for them (jobs new to them first, then retries), a batch each. */
  private dispatch(): void {
    for (const fresh of [true, false]) {
      for (const stats of this.workers.values()) {
        const leases: Lease[] = [];
        while (stats.state === 'working' && stats.demand > 0) {
          const lease = this.queue.next(stats.id, fresh);
          if (!lease) break;
          stats.demand -= 1;
          leases.push(lease);
        }
        if (leases.length > 0) this.sendJobs(stats, leases);
      }
    }
  }

  /**
   * Covers the jobs' prices from the series escrow, then sends them, in one frame on a /2 link. Until
   * a job is sent its lease does not run out: waiting for the authority (even through an outage) is
   * not the worker's delay.
   */
  private sendJobs(stats: WorkerStats, leases: readonly Lease[]): void {
    for (const lease of leases) {
      this.trace.mark(`${this.seriesId}/${lease.id}`, 'leased');
      lease.expiresMs = Infinity;
    }
    const escrows = leases.map((lease) => this.payroll.leased(lease.id, lease.job, lease.worker, stats.price));
    void Promise.all(escrows).then((covered) => {
      const entries: string[] = [];
      for (const [i, lease] of leases.entries()) {
        // The lease may have ended while the award was on its way.
        if (!this.settle || !this.queue.leases.has(lease.id)) continue;
        const escrow = covered[i]!;
        if (!escrow.paid) {
          if (escrow.result === 'insufficient_points') {
            return this.abort(`not enough points to pay for a job of ${lease.worker.slice(0, 8)} at ${stats.price}: the escrow is used up (${escrow.result})`);
          }
          return this.dropWorker(stats, `cannot pay this worker: ${escrow.result}`);
        }
        this.trace.mark(`${this.seriesId}/${lease.id}`, 'escrowed');
        this.queue.start(lease.id);
        this.sent.add(lease.id);
        entries.push(lease.id, JSON.stringify(this.queue.input(lease.job) ?? null));
      }
      this.sendEntries(stats.id, entries);
    }, (error: unknown) => this.abort(`cannot escrow points for the series: ${error instanceof Error ? error.message : String(error)}`));
  }

  /** Jobs as `lease input` pairs: one `jobs` frame on a /2 link, a `job` frame each on /1. */
  private sendEntries(worker: string, entries: readonly string[]): void {
    const link = this.links.get(worker);
    if (!link || entries.length === 0) return;
    if (link.can('jobs')) link.sendAny('jobs', { series: this.seriesId, entries: [...entries] });
    else for (let i = 0; i < entries.length; i += 2) link.sendAny('job', { series: this.seriesId, lease: entries[i]!, input: entries[i + 1]! });
    for (let i = 0; i < entries.length; i += 2) this.trace.mark(`${this.seriesId}/${entries[i]}`, 'sent');
  }

  /** A lease that ended before its job was sent: the worker's request for a job still stands. */
  private giveBack(lease: Lease): void {
    const stats = this.workers.get(lease.worker);
    if (stats?.state === 'working') stats.demand += 1;
  }

  private checkLeases(): void {
    const expired = this.queue.expire();
    for (const lease of expired) {
      this.sent.delete(lease.id);
      this.send(lease.worker, ['cancel', { series: this.seriesId, lease: lease.id }]);
    }
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
    const dropped = this.queue.dropWorker(stats.id);
    for (const lease of dropped) this.sent.delete(lease.id);
    this.payroll.voided(dropped.map((lease) => lease.id));
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
      ...(this.restored > 0 && { restored: this.restored }),
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

  private send(worker: string, command: Command<typeof workerFromClient1 | typeof workerFromClient2>): void {
    this.links.get(worker)?.send(...command);
  }
}

/**
 * A worker's result text as a value, and (when votes compare texts) its canonical text, so spacing
 * or escapes cannot split a majority; a TypeError for anything that is not JSON.
 */
function readResult(text: string, canonical: boolean): { text: string; value: unknown } | TypeError {
  try {
    const value = parseResult(text);
    return { text: canonical ? JSON.stringify(value) ?? 'null' : text, value };
  } catch (error) {
    return error as TypeError;
  }
}
