// Runs jobs (ES module source text exporting `default (input, ctx) => result`) in a sandbox: a
// pool of Web Workers inside an opaque-origin iframe whose CSP forbids every network connection
// (workers/sandbox/). This side queues runs, keeps at most `threads` of them in the sandbox, and
// turns outcomes into results or JobErrors.
//
// Consecutive jobs of the same code and series run on one warm worker that imported the module
// once (worker-pool.js): a worker start costs more than a small job. Such jobs may see each
// other's leftovers; jobs of other code or another series never share a worker.
//
// Enforced: the per-job time limit (the worker is terminated and replaced), the result size
// (RESULT_MAX_BYTES), no network, storage, cookies or page access for job code. Not enforced:
// memory. Browsers give no per-worker heap cap, so a job that allocates without bound crashes the
// renderer process it runs in. The sandbox document is served by URL (SANDBOX_PATH, or another
// site's copy) so that this is the frame's own process where the browser isolates frames
// (Chromium does for sandboxed frames, Firefox for cross-site ones; docs/ARCHITECTURE.md): the
// runner notices the silence (heartbeat.ts), fails the runs of that frame with SANDBOX_CRASHED and
// opens a fresh frame for the rest. Inputs are not bounded here: the caller chose them.
import type { Remote } from 'comlink';
import { SANDBOX_PATH } from '../../workers/sandbox/sandbox-csp.ts';
import { openSandboxFrame, type SandboxFrame } from '../../workers/sandbox/sandbox-frame.ts';
import { MAX_THREADS, type JobOutcome, type LogLevel, type SandboxApi } from '../../workers/sandbox/sandbox-protocol.ts';

export { MAX_THREADS };
import { JobError, isJobErrorCode, type JobErrorCode } from './job-errors.ts';

/** Past a run's own time limit, how long the sandbox may take to answer before it counts as failed. */
export const SANDBOX_ANSWER_GRACE_MS = 5_000;

export const SANDBOX_CRASHED_MESSAGE = "the job's sandbox process crashed (most likely the job ran out of memory)";

export interface JobRunnerOptions {
  /** Jobs that run at once, 1..MAX_THREADS (pages default to navigator.hardwareConcurrency). */
  threads: number;
  /** Where the sandbox iframe goes (appended to its body); the global document by default. */
  document?: Document;
  /**
   * The sandbox document, an http(s) URL; by default SANDBOX_PATH on the page's own origin. Pages
   * pass the authority's `sandbox_url` option (a copy on another site); '' means the default.
   */
  sandboxUrl?: string | URL;
}

export interface JobRunOptions {
  /** The job's time limit, from when it starts (not while it waits in the queue). */
  timeoutMs: number;
  /** Called with the fractions the job reports (0..1), throttled, until the run settles. */
  onProgress?: (fraction: number) => void;
  /** Called with each line the job logs (ctx.log, console.*): at most LOG_LINES_PER_RUN, then one saying how many were dropped. */
  onLog?: (level: LogLevel, text: string) => void;
  /** What the job gets as `ctx.args` (structured-cloned into the sandbox with each run). */
  args?: unknown;
  /** Called when the job leaves the queue for a sandbox thread. */
  onStart?: () => void;
  /** Called with how long a job that succeeded ran on its thread, timed in the sandbox. */
  onRan?: (ms: number) => void;
  signal?: AbortSignal;
  /**
   * Who the job is for, e.g. the client and its series id. Jobs share a warm worker only when
   * both their code and their series are equal, so pass it whenever code comes from more than one
   * party: two clients may submit byte-identical code. Without it, equal code is enough.
   */
  series?: string;
}

export interface JobRunner {
  /**
   * Runs `code` on `input` (structured-cloned into the sandbox) once a thread is free; resolves
   * with the job's result, rejects with a JobError. A non-cloneable input rejects with the
   * browser's DataCloneError: that is the caller's mistake, not the job's.
   */
  run(code: string, input: unknown, options: JobRunOptions): Promise<unknown>;
  /**
   * As `run`, resolving with the result as JSON text (`undefined` as `null`), stringified in the
   * sandbox: what a result sent over the network needs, at a fraction of `run`'s cost for big
   * results (SandboxApi.run). A result JSON cannot hold (a BigInt, a cycle) rejects with
   * RESULT_NOT_CLONEABLE.
   */
  runJson(code: string, input: unknown, options: JobRunOptions): Promise<string>;
  /** Changes the pool size; a running job is never killed, extra workers retire when idle. */
  setThreads(threads: number): void;
  /** Jobs running now. */
  readonly busy: number;
  /** Jobs waiting for a thread. */
  readonly queued: number;
  readonly threads: number;
  /** Workers the current sandbox started so far, spares included; tests read it to see workers reused. */
  workersStarted(): Promise<number>;
  /** The sandbox frame's state: `opening` (the first or a replacement), `ready`, or `down` (not open). */
  readonly sandbox: SandboxState;
  /** Sandbox frames opened so far: 1, plus one per replacement of a crashed or failed frame. */
  readonly sandboxesOpened: number;
  /** Aborts every queued and running job and removes the sandbox. */
  close(): void;
}

/**
 * `down`: no frame and none opening: a replacement failed to open (its queued runs failed with
 * the reason) or the runner is closed. The next run opens one again.
 */
export const SandboxState = { OPENING: 'opening', READY: 'ready', DOWN: 'down' } as const;
export type SandboxState = (typeof SandboxState)[keyof typeof SandboxState];

const RunState = { QUEUED: 'queued', RUNNING: 'running', SETTLED: 'settled' } as const;
type RunState = (typeof RunState)[keyof typeof RunState];

interface Run {
  readonly id: number;
  readonly code: string;
  readonly input: unknown;
  /** The result is wanted as JSON text (runJson). */
  readonly asJson: boolean;
  readonly options: JobRunOptions;
  state: RunState;
  /** The frame a running run was sent to. */
  frame?: SandboxFrame;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  watchdog?: ReturnType<typeof setTimeout>;
  onAbort?: () => void;
}

function checkThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new RangeError(`threads must be an integer from 1 to ${MAX_THREADS}, got ${threads}`);
  }
}

/** How a run ends: a result for the caller, or what to reject with. */
type Settlement = { value: unknown } | { error: unknown };

const failed = (code: JobErrorCode, message: string): Settlement => ({ error: new JobError(code, message) });

const utf8 = new TextDecoder();

/**
 * An outcome from the sandbox, checked: the frame is ours, but its answers cross a realm boundary.
 * A run that asked for JSON gets text, also from a sandbox copy (sandbox_url) too old to send it.
 */
function toSettlement(outcome: JobOutcome | undefined, asJson: boolean): Settlement {
  if (typeof outcome !== 'object' || outcome === null) return failed('SANDBOX_FAILED', 'the sandbox sent no outcome');
  if (outcome.ok === true && 'json' in outcome) {
    if (!asJson || !(outcome.json instanceof Uint8Array)) return failed('SANDBOX_FAILED', 'the sandbox sent an outcome of the wrong shape');
    return { value: utf8.decode(outcome.json) };
  }
  if (outcome.ok === true) return asJson ? jsonOf(outcome.value) : { value: outcome.value };
  if (isJobErrorCode(outcome.code)) return failed(outcome.code, String(outcome.message));
  return failed('SANDBOX_FAILED', 'the sandbox sent an unknown error code');
}

function jsonOf(value: unknown): Settlement {
  try {
    return { value: JSON.stringify(value === undefined ? null : value) };
  } catch (error) {
    return failed('RESULT_NOT_CLONEABLE', `the job returned a value that cannot be sent as JSON: ${error}`);
  }
}

/** Opens the first sandbox frame; rejects with a JobError (SANDBOX_FAILED) when it does not start. */
export async function createJobRunner(options: JobRunnerOptions): Promise<JobRunner> {
  const document = options.document ?? globalThis.document;
  const view = document.defaultView;
  if (view === null) throw new TypeError('createJobRunner: the document has no window');
  checkThreads(options.threads);
  const runner = new SandboxJobRunner(document, sandboxUrl(options.sandboxUrl, view), options.threads, view);
  await runner.opened;
  return runner;
}

/** The sandbox document's URL; `sandbox_url` comes from the authority, so a bad one is a job failure. */
function sandboxUrl(given: string | URL | undefined, view: Window): URL {
  try {
    return new URL(given || SANDBOX_PATH, view.location.href);
  } catch {
    throw new JobError('SANDBOX_FAILED', `the sandbox URL is not a URL: ${String(given).slice(0, 200)}`);
  }
}

/** Calls a run's progress or log callback while it runs; a throwing callback is the caller's bug, reported without disturbing the run. */
function report(run: Run | undefined, call: (options: JobRunOptions) => void): void {
  if (run?.state !== RunState.RUNNING) return;
  try {
    call(run.options);
  } catch (error) {
    reportError(error);
  }
}

class SandboxJobRunner implements JobRunner {
  /** The current frame once it is ready. */
  private frame: SandboxFrame | undefined;
  private opening = false;
  private opens = 0;
  private readonly runs = new Map<number, Run>();
  private readonly queue: Run[] = [];
  private running = 0;
  private nextId = 1;
  private closed = false;
  /** The first frame's opening, for createJobRunner. */
  readonly opened: Promise<void>;

  constructor(
    private readonly document: Document,
    private readonly url: URL,
    private threadCount: number,
    private readonly view: Window,
  ) {
    this.opened = this.openFrame();
  }

  get busy(): number { return this.running; }
  get queued(): number { return this.queue.length; }
  get threads(): number { return this.threadCount; }
  get sandboxesOpened(): number { return this.opens; }

  get sandbox(): SandboxState {
    if (this.frame !== undefined) return SandboxState.READY;
    return this.opening ? SandboxState.OPENING : SandboxState.DOWN;
  }

  run(code: string, input: unknown, options: JobRunOptions): Promise<unknown> {
    return this.enqueue(code, input, options, false);
  }

  runJson(code: string, input: unknown, options: JobRunOptions): Promise<string> {
    return this.enqueue(code, input, options, true) as Promise<string>;
  }

  private enqueue(code: string, input: unknown, options: JobRunOptions, asJson: boolean): Promise<unknown> {
    if (!(options.timeoutMs > 0 && Number.isFinite(options.timeoutMs))) {
      return Promise.reject(new RangeError(`timeoutMs must be a positive number of ms, got ${options.timeoutMs}`));
    }
    if (this.closed) return Promise.reject(new JobError('ABORTED', 'the job runner is closed'));
    if (options.signal?.aborted) return Promise.reject(new JobError('ABORTED', 'the job was aborted'));
    return new Promise((resolve, reject) => {
      const run: Run = { id: this.nextId++, code, input, asJson, options, state: RunState.QUEUED, resolve, reject };
      this.watchAbort(run);
      this.runs.set(run.id, run);
      this.queue.push(run);
      this.pump();
    });
  }

  setThreads(threads: number): void {
    checkThreads(threads);
    this.threadCount = threads;
    void this.frame?.api.setThreads(threads).catch(() => undefined);
    this.pump();
  }

  async workersStarted(): Promise<number> {
    return this.frame === undefined ? 0 : this.frame.api.workersStarted();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const run of [...this.runs.values()]) this.settle(run, failed('ABORTED', 'the job runner was closed'));
    this.frame?.close();
    this.frame = undefined;
  }

  /** Opens a frame for queued and later runs; a failure fails the runs that wait for it. */
  private async openFrame(): Promise<void> {
    this.opening = true;
    this.opens += 1;
    const threads = this.threadCount;
    let frame: SandboxFrame;
    try {
      frame = await openSandboxFrame({
        document: this.document,
        url: this.url,
        threads,
        onProgress: (runId, fraction) => report(this.runs.get(runId), (options) => options.onProgress?.(fraction)),
        onLog: (runId, level, text) => report(this.runs.get(runId), (options) => options.onLog?.(level, text)),
        onSilent: () => this.onCrash(frame),
      });
    } catch (error) {
      // Still `opening` while the waiting runs fail, so their settling does not reopen at once.
      for (const run of [...this.queue]) this.settle(run, { error });
      this.opening = false;
      throw error;
    }
    this.opening = false;
    if (this.closed) return frame.close();
    this.frame = frame;
    if (this.threadCount !== threads) void frame.api.setThreads(this.threadCount).catch(() => undefined);
    this.pump();
  }

  /**
   * The frame stopped answering while it had runs: its process is gone (a job out of memory). It
   * is removed, a fresh frame opens for the queued and later runs, and the runs it had fail.
   */
  private onCrash(frame: SandboxFrame): void {
    if (frame !== this.frame) return;
    this.frame = undefined;
    frame.close();
    this.openFrame().catch(() => undefined);
    for (const run of [...this.runs.values()]) {
      if (run.frame === frame) this.settle(run, failed('SANDBOX_CRASHED', SANDBOX_CRASHED_MESSAGE));
    }
  }

  private watchAbort(run: Run): void {
    const { signal } = run.options;
    if (signal === undefined) return;
    run.onAbort = () => {
      if (run.state === RunState.RUNNING) void run.frame?.api.cancel(run.id).catch(() => undefined);
      this.settle(run, failed('ABORTED', 'the job was aborted'));
    };
    signal.addEventListener('abort', run.onAbort, { once: true });
  }

  /** Starts queued runs while threads are free; reopens the sandbox when it is down. */
  private pump(): void {
    if (this.closed) return;
    if (this.frame === undefined) {
      if (!this.opening && this.queue.length > 0) this.openFrame().catch(() => undefined);
      return;
    }
    while (this.running < this.threadCount) {
      const run = this.queue.shift();
      if (run === undefined) break;
      this.start(run, this.frame);
    }
    this.frame.watch(this.running > 0);
  }

  private start(run: Run, frame: SandboxFrame): void {
    run.state = RunState.RUNNING;
    run.frame = frame;
    this.running += 1;
    run.options.onStart?.();
    const { timeoutMs } = run.options;
    run.watchdog = setTimeout(() => {
      void frame.api.cancel(run.id).catch(() => undefined);
      this.settle(run, failed('SANDBOX_FAILED', `the sandbox did not answer within ${timeoutMs + SANDBOX_ANSWER_GRACE_MS} ms`));
    }, timeoutMs + SANDBOX_ANSWER_GRACE_MS);
    frame.api.run(run.id, run.code, run.input, timeoutMs, run.options.series ?? null, run.asJson, run.options.args).then(
      (outcome) => {
        const ms = outcome?.ok === true ? outcome.ms : undefined;
        if (typeof ms === 'number' && ms >= 0 && ms < Infinity) run.options.onRan?.(ms);
        this.settle(run, toSettlement(outcome, run.asJson));
      },
      (error: unknown) => this.settle(run, { error }),
    );
  }

  /** Ends a run once: frees its thread, lets the next queued run start, then answers the caller. */
  private settle(run: Run, settlement: Settlement): void {
    if (run.state === RunState.SETTLED) return;
    if (run.state === RunState.RUNNING) this.running -= 1;
    else this.queue.splice(this.queue.indexOf(run), 1);
    run.state = RunState.SETTLED;
    this.runs.delete(run.id);
    clearTimeout(run.watchdog);
    if (run.onAbort !== undefined) run.options.signal?.removeEventListener('abort', run.onAbort);
    this.pump();
    if ('error' in settlement) run.reject(settlement.error);
    else run.resolve(settlement.value);
  }
}
