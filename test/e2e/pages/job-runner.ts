// Test-only page for test/e2e/job-runner.e2e.test.ts and test/hostile/sandbox.e2e.test.ts: one
// job runner, driven from playwright (or raw CDP, once a crashed sandbox made playwright give the
// page up) through `window.jobRunnerTest`. Outcomes come back as plain data, since a JobError
// cannot cross page.evaluate.
import { createJobRunner, type JobRunner } from '../../../src/peer/job-runner.ts';
import { JobError } from '../../../src/peer/job-errors.ts';

/** `logs` (as `level: text`) only when the job logged something. */
export type TestOutcome =
  | { ok: true; value: unknown; progress: number[]; logs?: string[] }
  | { ok: false; code: string; message: string; progress: number[]; logs?: string[] };

export interface RunRequest {
  code: string;
  input?: unknown;
  timeoutMs?: number;
  /** Aborts the run this long after it is submitted. */
  abortAfterMs?: number;
  series?: string;
  /** Runs with runJson: the value is the result's JSON text. */
  json?: boolean;
}

let runner: JobRunner | undefined;
/** Messages the page received that did not come from comlink or the runtime (an escaping job's). */
let strayMessages = 0;

addEventListener('message', (event: MessageEvent) => {
  if (typeof event.data === 'string' && event.data.startsWith('escape')) strayMessages += 1;
});

function opened(): JobRunner {
  if (runner === undefined) throw new Error('call open(threads) first');
  return runner;
}

async function run(request: RunRequest): Promise<TestOutcome> {
  const progress: number[] = [];
  const logs: string[] = [];
  const controller = new AbortController();
  if (request.abortAfterMs !== undefined) setTimeout(() => controller.abort(), request.abortAfterMs);
  try {
    const options = {
      timeoutMs: request.timeoutMs ?? 5_000,
      onProgress: (fraction: number) => progress.push(fraction),
      onLog: (level: string, text: string) => logs.push(`${level}: ${text}`),
      signal: controller.signal,
      ...(request.series === undefined ? {} : { series: request.series }),
    };
    const runner = opened();
    const value = request.json ? await runner.runJson(request.code, request.input, options) : await runner.run(request.code, request.input, options);
    return { ok: true, value, progress, ...(logs.length > 0 && { logs }) };
  } catch (error) {
    if (error instanceof JobError) return { ok: false, code: error.code, message: error.message, progress, ...(logs.length > 0 && { logs }) };
    return { ok: false, code: 'NOT_A_JOB_ERROR', message: String(error), progress, ...(logs.length > 0 && { logs }) };
  }
}

const api = {
  /** A fresh runner; `sandboxUrl` as the pages pass the authority's `sandbox_url` ('' = default). */
  async open(threads: number, sandboxUrl = ''): Promise<void> {
    runner?.close();
    runner = await createJobRunner({ threads, sandboxUrl });
  },
  run,
  runAll: (requests: RunRequest[]) => Promise.all(requests.map(run)),
  /** Runs all requests (at once, queued by the runner): how long it took and how many workers started. */
  async timedRunAll(requests: RunRequest[]): Promise<{ ms: number; workers: number; failed: number }> {
    const before = await opened().workersStarted();
    const started = performance.now();
    const outcomes = await Promise.all(requests.map(run));
    const ms = performance.now() - started;
    const workers = (await opened().workersStarted()) - before;
    return { ms, workers, failed: outcomes.filter((outcome) => !outcome.ok).length };
  },
  setThreads: (threads: number) => opened().setThreads(threads),
  state: () => ({ busy: opened().busy, queued: opened().queued, threads: opened().threads }),
  sandbox: () => ({ state: opened().sandbox, opened: opened().sandboxesOpened }),
  strayMessages: () => strayMessages,
  frame: () => {
    const frame = document.querySelector('iframe');
    if (frame === null) return null;
    return { sandbox: frame.getAttribute('sandbox'), hidden: frame.hidden, contentDocument: frame.contentDocument === null ? null : 'reachable' };
  },
  /** The sandbox iframes' URLs (one, unless a replacement is under way). */
  frameUrls: () => [...document.querySelectorAll('iframe')].map((frame) => frame.src),
  /**
   * Asks the test server for /marker/<name> and resolves once it answered, so the server has seen
   * every request the browser sent to it before this one.
   */
  marker: async (name: string) => {
    await fetch(`/marker/${encodeURIComponent(name)}`);
  },
  close: () => opened().close(),
};

export type JobRunnerTestApi = typeof api;
(window as unknown as { jobRunnerTest: JobRunnerTestApi }).jobRunnerTest = api;
