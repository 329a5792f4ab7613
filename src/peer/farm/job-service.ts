// The worker's side of a job series: it keeps the series' code, pulls jobs as its slots free plus
// enough prefetched to cover a round trip (so a slot never waits for the client), runs each in the
// sandboxed runner and sends back progress, the result or the failure. On a /2 link jobs arrive in
// batches and results leave in batches, one signature each. Pausing stops the pulling, not running jobs.
import { CommandError, ErrorCode } from '../../protocol/errors.ts';
import { formatList } from '../../protocol/format.ts';
import type { Handler } from '../../protocol/handler.ts';
import type { clientFromWorker1, clientFromWorker2, clientFromWorker3 } from '../../protocol/protocols/index.ts';
import { MAX_BATCH_JOBS, resultsMessage } from '../../protocol/protocols/client-worker-2.ts';
import { sign, type Identity } from '../../protocol/identity.ts';
import { resultMessage } from '../../protocol/protocols/points.ts';
import { JobTrace } from './trace.ts';
import { RateLimiter } from '../../protocol/rate-limit.ts';
import type { JobRunOptions } from '../job-runner.ts';
import type { LogLevel } from '../../../workers/sandbox/sandbox-protocol.ts';

/** A client's link as this worker sees it: what it sends back is typed by p2p:client<-worker/1, /2 or /3. */
export type ClientLink = Handler<typeof clientFromWorker1 | typeof clientFromWorker2 | typeof clientFromWorker3>;

/**
 * Work a worker keeps in hand beyond its running jobs, in ms of their measured run time: at least
 * this, and twice the measured round trip of a pull (a few ms on a LAN, 100 ms and more on a
 * loaded machine), so jobs never leave a slot waiting for the client. A job of 1 ms gets ~20
 * prefetched per slot; one of a second, one.
 */
export const PREFETCH_WORK_MS = 20;
/** Pulls whose send time is kept to time their round trip. */
const TIMED_PULLS = 16;
/** Jobs prefetched beyond the free slots at most, and before any job time is known. */
export const MAX_PREFETCH_JOBS = 64;
const FIRST_PREFETCH_JOBS = 1;
/** How much each new sample (a job's run time, a pull's round trip) weighs in its running estimate. */
const SAMPLE_WEIGHT = 0.2;

function movingAverage(estimate: number | undefined, sample: number): number {
  return estimate === undefined ? sample : estimate + SAMPLE_WEIGHT * (sample - estimate);
}
/**
 * A result waits at most this long for others to leave with it (one frame, one signature). Short
 * next to the work prefetched, so the client's next jobs are never late for it.
 */
export const RESULT_BATCH_MS = 25;
/** Progress messages per job and second at most: enough for a smooth bar. */
const PROGRESS_PER_S = 4;
/** The worker page lists this many recent jobs. */
const HISTORY_JOBS = 200;
const DEFAULT_TIMEOUT_MS = 60_000;
/** A failure message is for a person: the `failed` command carries at most 4096 bytes of it. */
const MAX_FAILURE_MESSAGE_CHARS = 1000;
/** Log lines a series sends its client (/3) a second at most, and in a burst: the rest are counted, then said. */
export const LOG_LINES_PER_S = 20;
const LOG_BURST = 50;

export const LocalJobState = { running: 'running', done: 'done', failed: 'failed', cancelled: 'cancelled' } as const;
export type LocalJobState = (typeof LocalJobState)[keyof typeof LocalJobState];

export interface LocalJob {
  readonly series: string;
  readonly lease: string;
  readonly client: string;
  readonly price: number;
  /** When it arrived, then when a sandbox thread took it (prefetched jobs wait for one). */
  startedMs: number;
  state: LocalJobState;
  progress: number;
  finishedMs?: number;
  error?: string;
}

/** What the service needs of the sandboxed runner (src/peer/job-runner.ts). */
export interface Runner {
  setThreads?(threads: number): void;
  /** The result as JSON text, as it goes on the wire (JobRunner.runJson). */
  runJson(code: string, input: unknown, options: Pick<JobRunOptions, 'timeoutMs' | 'series' | 'onProgress' | 'onStart' | 'onRan' | 'onLog' | 'args' | 'signal'>): Promise<string>;
}

export interface JobServiceDeps {
  readonly runner: () => Promise<Runner>;
  readonly slots: () => number;
  readonly paused: () => boolean;
  /** Share of CPU time jobs may use, 0.1..1: after a job of d ms its slot rests d × (1/share − 1) ms. */
  readonly cpuShare?: () => number;
  readonly onChange: () => void;
  readonly clock?: () => number;
  /** This worker's identity: results are signed with it. */
  readonly identity: () => Identity | undefined;
}

interface Series {
  readonly id: string;
  readonly handler: ClientLink;
  /** The link speaks /2: jobs come in batches, results leave in batches. */
  readonly batched: boolean;
  readonly code: string;
  readonly timeoutMs: number;
  readonly price: number;
  /** Jobs pulled but not yet received. */
  requested: number;
  readonly running: Map<string, AbortController>;
  /** Results waiting to leave together (/2), and the timer that sends them. */
  readonly pending: [lease: string, value: string][];
  flush: ReturnType<typeof setTimeout> | undefined;
  /** The running estimate of one job's run time, in ms (undefined until one ran). */
  jobMs: number | undefined;
  /** When the pulls not yet answered were sent, oldest first, and the running estimate of their round trip. */
  readonly pulls: number[];
  pullMs: number | undefined;
  /** The series' shared arguments (`series -args`, /3), parsed once: every job's ctx.args. */
  readonly args: unknown;
  /** Log lines it may send (LOG_LINES_PER_S after a burst of LOG_BURST), and the lines dropped since one was sent. */
  readonly log: { readonly limit: RateLimiter; dropped: number };
}

interface SeriesArgs { series: string; code: string; timeout?: number; price?: number; args?: string }

export class JobService {
  jobs: LocalJob[] = [];
  /** Per-hop timings of recent jobs, by `<series>/<lease>` (bench/farm reads them). */
  readonly trace = new JobTrace();
  private readonly series = new Map<string, Series>();
  private readonly clock: () => number;

  constructor(private readonly deps: JobServiceDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  private cpuShare(): number {
    return Math.min(1, Math.max(0.1, this.deps.cpuShare?.() ?? 1));
  }

  get running(): number {
    return [...this.series.values()].reduce((sum, s) => sum + s.running.size, 0);
  }

  /** The series commands of p2p:worker<-client/1 and /2 for one client link. */
  commands(handler: ClientLink) {
    return {
      series: (args: SeriesArgs) => this.open(handler, args),
      job: ({ series, lease, input }: { series: string; lease: string; input: string }) => this.start(handler, series, lease, input),
      jobs: ({ series, entries }: { series: string; entries: string[] }) => {
        if (entries.length % 2 !== 0) throw new CommandError(ErrorCode.BAD_VALUE, 'jobs: entries must be lease input pairs');
        this.answered(this.find(handler, series));
        for (let i = 0; i < entries.length; i += 2) this.start(handler, series, entries[i]!, entries[i + 1]!);
      },
      cancel: ({ series, lease }: { series: string; lease: string }) => void this.find(handler, series).running.get(lease)?.abort(),
      end: ({ series }: { series: string }) => this.close(handler, series),
    };
  }

  /** Points earned by the jobs done here since the page opened (paid once their clients settle them). */
  earned = 0;

  /** Pull again for every series (after a resume, or when slots were added). */
  pullAll(): void {
    for (const series of this.series.values()) this.pull(series);
  }

  stop(): void {
    for (const series of [...this.series.values()]) this.close(series.handler, series.id, false);
  }

  private open(handler: ClientLink, { series: id, code, timeout, price, args }: SeriesArgs): readonly ['key', { series: string; key: string }] {
    const shared = args === undefined ? undefined : parseJson(args, '-args');
    const key = seriesKey(handler, id);
    this.series.get(key)?.running.forEach((controller) => controller.abort());
    const series: Series = {
      id, handler, batched: handler.can('results'), code, timeoutMs: timeout ?? DEFAULT_TIMEOUT_MS, price: price ?? 0,
      requested: 0, running: new Map(), pending: [], flush: undefined, jobMs: undefined, pulls: [], pullMs: undefined,
      args: shared, log: { limit: new RateLimiter(LOG_LINES_PER_S, LOG_BURST, () => performance.now()), dropped: 0 },
    };
    this.series.set(key, series);
    void handler.closed.then(() => this.close(handler, id));
    const identity = this.deps.identity();
    if (!identity) throw new CommandError(ErrorCode.NOT_JOINED, 'this worker has no identity yet');
    // The key goes first, so the client can check every result's signature; then the pulls.
    queueMicrotask(() => this.pull(series));
    return ['key', { series: id, key: identity.publicKey }];
  }

  private start(handler: ClientLink, id: string, lease: string, input: string): void {
    const series = this.find(handler, id);
    this.trace.mark(`${id}/${lease}`, 'received');
    series.requested = Math.max(0, series.requested - 1);
    const controller = new AbortController();
    series.running.set(lease, controller);
    const job: LocalJob = {
      series: id, lease, client: handler.link.remote, price: series.price, startedMs: this.clock(),
      state: LocalJobState.running, progress: 0,
    };
    this.remember(job);
    void this.execute(series, job, input, controller.signal).finally(() => {
      job.finishedMs = this.clock();
      this.deps.onChange();
      const restMs = (job.finishedMs - job.startedMs) * (1 / this.cpuShare() - 1);
      const free = (): void => {
        series.running.delete(lease);
        this.pull(series);
      };
      // The slot stays taken while it rests, so the CPU limit holds across all slots. At full
      // share no timer is used: background tabs delay timers to once a second, not messages.
      if (restMs > 0) setTimeout(free, restMs);
      else free();
    });
  }

  private async execute(series: Series, job: LocalJob, input: string, signal: AbortSignal): Promise<void> {
    const traced = `${series.id}/${job.lease}`;
    try {
      const runner = await this.deps.runner();
      const text = await runner.runJson(series.code, parseInput(input), {
        // A warm worker serves only jobs of this client's series, never another client's.
        timeoutMs: series.timeoutMs, series: seriesKey(series.handler, series.id), signal,
        onProgress: this.progressSender(series, job),
        // Prefetched jobs wait for a thread: a job's time counts from when one takes it.
        onStart: () => {
          job.startedMs = this.clock();
          this.trace.mark(traced, 'started');
        },
        onRan: (ms) => this.timed(series, ms),
        onLog: (level, text) => this.relayLog(series, job.lease, level, text),
        ...(series.args !== undefined && { args: series.args }),
      });
      if (signal.aborted) throw Object.assign(new Error('cancelled by the client'), { code: 'ABORTED' });
      this.trace.mark(traced, 'ran');
      job.state = LocalJobState.done;
      job.progress = 1;
      this.earned += job.price;
      if (series.batched) return this.batch(series, job.lease, text);
      const signature = await sign(this.deps.identity()!, resultMessage(series.id, job.lease, text));
      this.trace.mark(traced, 'signed');
      series.handler.sendAny('result', { series: series.id, lease: job.lease, value: text, signature });
      this.trace.mark(traced, 'reported');
    } catch (error) {
      const { code, message } = describeError(error, signal);
      job.state = code === 'ABORTED' ? LocalJobState.cancelled : LocalJobState.failed;
      job.error = message;
      if (code !== 'ABORTED') series.handler.send('failed', { series: series.id, lease: job.lease, code, message: message.slice(0, MAX_FAILURE_MESSAGE_CHARS) });
    }
  }

  /** Keeps a result to leave with the next ones: when nothing else runs, at once; else within RESULT_BATCH_MS. */
  private batch(series: Series, lease: string, text: string): void {
    series.pending.push([lease, text]);
    // This job's own slot is still counted as running until its result is on its way.
    const othersRunning = series.running.size > 1;
    if (!othersRunning || series.pending.length >= MAX_BATCH_JOBS) this.flushResults(series);
    else series.flush ??= setTimeout(() => this.flushResults(series), RESULT_BATCH_MS);
  }

  private flushResults(series: Series): void {
    clearTimeout(series.flush);
    series.flush = undefined;
    const entries = series.pending.splice(0);
    if (entries.length === 0) return;
    const words = entries.flat();
    void sign(this.deps.identity()!, resultsMessage(series.id, formatList(words))).then((signature) => {
      for (const [lease] of entries) this.trace.mark(`${series.id}/${lease}`, 'signed');
      series.handler.sendAny('results', { series: series.id, entries: words, signature });
      for (const [lease] of entries) this.trace.mark(`${series.id}/${lease}`, 'reported');
    });
  }

  /** Jobs came for the oldest pull not yet answered: its round trip goes into the estimate. */
  private answered(series: Series): void {
    const sentMs = series.pulls.shift();
    if (sentMs === undefined) return;
    series.pullMs = movingAverage(series.pullMs, performance.now() - sentMs);
  }

  /**
   * Sends a job's log line to its client (/3 links; older clients never asked for them), at most
   * LOG_LINES_PER_S a second a series after a burst of LOG_BURST: a job printing in a loop must not
   * flood the link. Lines over the rate are counted and the next line sent says how many.
   */
  private relayLog(series: Series, lease: string, level: LogLevel, text: string): void {
    if (!series.handler.can('log')) return;
    const { log } = series;
    if (!log.limit.take()) {
      log.dropped += 1;
      return;
    }
    if (log.dropped > 0) {
      series.handler.sendAny('log', { series: series.id, lease, level: 'warn', text: `${log.dropped} log lines dropped (at most ${LOG_LINES_PER_S} a second)` });
      log.dropped = 0;
    }
    series.handler.sendAny('log', { series: series.id, lease, level, text });
  }

  /** Folds a job's run time into the series' estimate, which sizes the prefetch. */
  private timed(series: Series, ms: number): void {
    series.jobMs = movingAverage(series.jobMs, ms);
  }

  private progressSender(series: Series, job: LocalJob): (fraction: number) => void {
    let lastMs = -Infinity;
    return (fraction) => {
      job.progress = Math.min(1, Math.max(0, fraction));
      const nowMs = this.clock();
      if (nowMs - lastMs < 1000 / PROGRESS_PER_S) return;
      lastMs = nowMs;
      series.handler.send('progress', { series: series.id, lease: job.lease, fraction: job.progress });
      this.deps.onChange();
    };
  }

  /** Jobs to keep in hand beyond the free slots: PREFETCH_WORK_MS of work at the measured job time. */
  private prefetch(series: Series): number {
    // Under a CPU limit a slot rests after each job: jobs kept waiting would run in its rest.
    if (this.cpuShare() < 1) return 0;
    if (!series.batched) return FIRST_PREFETCH_JOBS;
    if (series.jobMs === undefined) return Math.max(FIRST_PREFETCH_JOBS, this.deps.slots());
    const workMs = Math.max(PREFETCH_WORK_MS, 2 * (series.pullMs ?? 0));
    const jobs = Math.ceil((this.deps.slots() * workMs) / Math.max(series.jobMs, 0.05));
    return Math.min(MAX_PREFETCH_JOBS, Math.max(FIRST_PREFETCH_JOBS, jobs));
  }

  private pull(series: Series): void {
    if (this.deps.paused() || !this.series.has(seriesKey(series.handler, series.id))) return;
    const target = this.deps.slots() + this.prefetch(series);
    const wanted = Math.min(MAX_BATCH_JOBS, target - this.running - this.requested());
    // On /2, one pull for half of what is kept in hand, not one a job: small jobs should not
    // cost a frame each way. A worker with nothing in hand and nothing asked for always asks.
    const starving = this.running === 0 && this.requested() === 0;
    const worth = series.batched ? Math.max(1, Math.floor(target / 2)) : 1;
    if (wanted <= 0 || (wanted < worth && !starving)) return;
    series.requested += wanted;
    // A pull the client could not fill stays unanswered: only recent ones are timed.
    if (series.pulls.length >= TIMED_PULLS) series.pulls.shift();
    series.pulls.push(performance.now());
    series.handler.send('pull', { series: series.id, count: wanted });
  }

  private requested(): number {
    return [...this.series.values()].reduce((sum, s) => sum + s.requested, 0);
  }

  private close(handler: ClientLink, id: string, pullOthers = true): void {
    const key = seriesKey(handler, id);
    const series = this.series.get(key);
    if (!series) return;
    this.series.delete(key);
    this.flushResults(series);
    for (const controller of series.running.values()) controller.abort();
    // Its unanswered pulls counted against every series: one opened meanwhile (a reloaded client's)
    // held back its first pull for them, and would otherwise wait for ever.
    if (pullOthers) this.pullAll();
  }

  private find(handler: ClientLink, id: string): Series {
    const series = this.series.get(seriesKey(handler, id));
    if (!series) throw new CommandError(ErrorCode.BAD_VALUE, `no series "${id}" on this link: send "series" first`);
    return series;
  }

  private remember(job: LocalJob): void {
    this.jobs = [job, ...this.jobs].slice(0, HISTORY_JOBS);
    this.deps.onChange();
  }
}

/**
 * A series is known by its link, not only by its client: a reloaded client tab (same identity) may
 * reuse a series id while its closed tab's link, not yet seen to be dead, still holds the old one.
 */
function seriesKey(handler: ClientLink, id: string): string {
  let number = linkNumbers.get(handler);
  if (number === undefined) linkNumbers.set(handler, (number = ++linksSeen));
  return `${handler.link.remote}#${number}/${id}`;
}

const linkNumbers = new WeakMap<ClientLink, number>();
let linksSeen = 0;

function describeError(error: unknown, signal: AbortSignal): { code: string; message: string } {
  if (signal.aborted) return { code: 'ABORTED', message: 'cancelled by the client' };
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return { code: typeof code === 'string' && /^[A-Z_]{1,32}$/.test(code) ? code : 'JOB_FAILED', message };
}

function parseInput(input: string): unknown {
  try {
    return JSON.parse(input) as unknown;
  } catch (error) {
    throw Object.assign(new Error(`input is not JSON: ${(error as Error).message}`), { code: 'BAD_INPUT' });
  }
}

/** A JSON option of a command, refused as the command's bad value when it is not JSON. */
function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CommandError(ErrorCode.BAD_VALUE, `${what} is not JSON: ${(error as Error).message}`);
  }
}
