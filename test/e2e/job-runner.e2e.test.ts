// The job runner in Debian Chromium: jobs run in workers inside an opaque-origin sandbox iframe
// whose document is served by URL (sandbox.html). Results, progress, the thread pool, every error
// code, the heartbeat, and isolation: a job reaches no network (the test server counts what
// arrives), no storage, no page. The test page and the sandbox document are built with Vite's JS
// API into a temp dir and served by test/e2e/pages/job-runner.server.ts.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newContext } from '../helpers/chromium.ts';
import type { JobRunnerTestApi, RunRequest, TestOutcome } from './pages/job-runner.ts';
import { PAGE_PATH, startJobRunnerServer, type JobRunnerServer } from './pages/job-runner.server.ts';
import { SANDBOX_SILENCE_LIMIT_MS } from '../../workers/sandbox/heartbeat.ts';
import { SANDBOX_PATH } from '../../workers/sandbox/sandbox-csp.ts';
import { PROGRESS_MIN_INTERVAL_MS } from '../../workers/sandbox/sandbox-protocol.ts';

let server: JobRunnerServer;
let origin: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startJobRunnerServer();
  origin = server.origin;
  browser = await launchChromium();
  page = await (await newContext(browser, origin)).newPage();
  await page.goto(`${origin}${PAGE_PATH}`);
  await page.waitForFunction('window.jobRunnerTest !== undefined');
  await page.evaluate(() => window.jobRunnerTest.open(2));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The page's `window` as seen from functions that page.evaluate sends into it. */
declare const window: { jobRunnerTest: JobRunnerTestApi };

function run(request: RunRequest): Promise<TestOutcome> {
  return page.evaluate((r) => window.jobRunnerTest.run(r), request);
}

function runAll(requests: RunRequest[]): Promise<TestOutcome[]> {
  return page.evaluate((r) => window.jobRunnerTest.runAll(r), requests);
}

async function value(request: RunRequest): Promise<unknown> {
  const outcome = await run(request);
  if (!outcome.ok) throw new Error(`job failed: ${outcome.code}: ${outcome.message}`);
  return outcome.value;
}

let markers = 0;

/**
 * Returns once the server answered a request the page sent after the job had settled. A request
 * of the job's would have left the browser before that one (the job awaited its attempt), and on
 * loopback to one server it arrives first: so the counts read after this are final.
 */
async function requestsIn(): Promise<void> {
  const name = `m${(markers += 1)}`;
  await page.evaluate((n) => window.jobRunnerTest.marker(n), name);
  expect(server.seen.markers.has(name)).toBe(true);
}

const SUM = 'export default (input) => input.a + input.b;';
const SLEEP = `export default async (ms) => {
  const start = Date.now();
  await new Promise((done) => setTimeout(done, ms));
  return { start, end: Date.now() };
};`;

interface Span { start: number; end: number }

/** The most spans open at once (an end at the same ms as a start closes first). */
function maxOverlap(spans: Span[]): number {
  const edges = spans.flatMap((s) => [[s.start, 1], [s.end, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let max = 0;
  for (const [, delta] of edges) max = Math.max(max, (open += delta));
  return max;
}

function span(outcome: TestOutcome): Span {
  if (!outcome.ok) throw new Error(`${outcome.code}: ${outcome.message}`);
  return outcome.value as Span;
}

async function spans(count: number, ms: number): Promise<Span[]> {
  return (await runAll(Array.from({ length: count }, () => ({ code: SLEEP, input: ms })))).map(span);
}

/** Waits until the runner reports this many jobs running and queued (its own count, not a clock). */
function waitForState(want: { busy: number; queued: number }): Promise<unknown> {
  return page.waitForFunction((w) => {
    const state = window.jobRunnerTest.state();
    return state.busy === w.busy && state.queued === w.queued;
  }, want);
}

/** Two threads are free: two jobs run at once and none waits. */
async function expectTwoAtOnce(): Promise<void> {
  const two = runAll([{ code: SLEEP, input: 200 }, { code: SLEEP, input: 200 }]);
  await waitForState({ busy: 2, queued: 0 });
  expect((await two).every((outcome) => outcome.ok)).toBe(true);
}

describe('job runner', () => {
  it('runs a sync job and an async job and returns their results', async () => {
    expect(await value({ code: SUM, input: { a: 2, b: 3 } })).toBe(5);
    const async = 'export default async (n) => { await new Promise((r) => setTimeout(r, 20)); return { doubled: n * 2, at: [n] }; };';
    expect(await value({ code: async, input: 21 })).toEqual({ doubled: 42, at: [21] });
  });

  it('reports progress, and throttles a job that reports in a tight loop to its latest value', async () => {
    const steps = `export default async (_, ctx) => {
      for (const f of [0.25, 0.5, 1]) { ctx.progress(f); await new Promise((r) => setTimeout(r, 120)); }
      return 'done';
    };`;
    expect(await run({ code: steps })).toEqual({ ok: true, value: 'done', progress: [0.25, 0.5, 1] });
    // The job times its own loop: the throttle lets through at most one report per interval at
    // each of its two stages (worker, iframe), whatever the machine's load made the loop take.
    const flood = `export default async (_, ctx) => {
      const start = performance.now();
      for (let i = 1; i <= 100000; i++) ctx.progress(i / 100000);
      const loopMs = performance.now() - start;
      await new Promise((r) => setTimeout(r, 200)); // the last value is delivered while the job still runs
      return loopMs;
    };`;
    const outcome = await run({ code: flood });
    if (!outcome.ok) throw new Error(`${outcome.code}: ${outcome.message}`);
    const loopMs = outcome.value as number;
    expect(outcome.progress.length).toBeLessThanOrEqual(2 * (Math.ceil(loopMs / PROGRESS_MIN_INTERVAL_MS) + 2));
    expect(outcome.progress.at(-1)).toBe(1);
  });

  it('runs jobs in parallel up to `threads` and queues the rest', async () => {
    const four = runAll(Array.from({ length: 4 }, () => ({ code: SLEEP, input: 300 })));
    await waitForState({ busy: 2, queued: 2 });
    const outcomes = await four;
    expect(maxOverlap(outcomes.map(span))).toBeLessThanOrEqual(2);
    expect(await page.evaluate(() => window.jobRunnerTest.state())).toEqual({ busy: 0, queued: 0, threads: 2 });
  });

  it('setThreads changes the pool size without killing running jobs', async () => {
    const running = runAll([{ code: SLEEP, input: 400 }, { code: SLEEP, input: 400 }]);
    await page.waitForFunction(() => window.jobRunnerTest.state().busy === 2);
    await page.evaluate(() => window.jobRunnerTest.setThreads(1));
    expect((await running).every((outcome) => outcome.ok)).toBe(true);
    expect(maxOverlap(await spans(3, 100))).toBe(1);
    await page.evaluate(() => window.jobRunnerTest.setThreads(2));
    await expectTwoAtOnce();
    const refused = await page.evaluate(() => [0, 33, 1.5].map((n) => {
      try { window.jobRunnerTest.setThreads(n); return 'accepted'; } catch (error) { return (error as Error).name; }
    }));
    expect(refused).toEqual(['RangeError', 'RangeError', 'RangeError']);
  });

  it('rejects with JOB_THREW and the job\'s message when the job throws', async () => {
    const outcome = await run({ code: 'export default () => { throw new TypeError("boom 42"); };' });
    expect(outcome).toMatchObject({ ok: false, code: 'JOB_THREW' });
    expect(outcome.ok || outcome.message).toContain('TypeError: boom 42');
  });

  it('rejects with NO_DEFAULT_EXPORT when the module has no default function', async () => {
    for (const code of ['export const x = 1;', 'export default 7;']) {
      expect(await run({ code })).toMatchObject({ ok: false, code: 'NO_DEFAULT_EXPORT', message: 'the job module does not export a default function' });
    }
  });

  it('rejects with SYNTAX_ERROR when the module does not parse', async () => {
    const outcome = await run({ code: 'export default () => {' });
    expect(outcome).toMatchObject({ ok: false, code: 'SYNTAX_ERROR' });
    expect(outcome.ok || outcome.message).toMatch(/^the job module failed to load: SyntaxError/);
  });

  it('times out an endless job, replaces its worker, and runs the next job', async () => {
    expect(await run({ code: 'export default () => { for (;;) {} };', timeoutMs: 500 }))
      .toMatchObject({ ok: false, code: 'TIMEOUT', message: 'job exceeded 500 ms' });
    expect(await value({ code: SUM, input: { a: 1, b: 1 } })).toBe(2);
    await expectTwoAtOnce();
  });

  it('rejects a result that cannot be cloned or is above 16 MiB', async () => {
    const fn = await run({ code: 'export default () => () => 1;' });
    expect(fn).toMatchObject({ ok: false, code: 'RESULT_NOT_CLONEABLE' });
    expect(fn.ok || fn.message).toMatch(/^the job returned a value that cannot be sent: DataCloneError/);
    expect(await run({ code: 'export default () => ({ data: new ArrayBuffer(17 * 1024 * 1024) });' }))
      .toMatchObject({ ok: false, code: 'RESULT_TOO_LARGE' });
    expect(await value({ code: 'export default () => new Uint8Array(1024).length;' })).toBe(1024);
  });

  it('returns a result as JSON text, stringified in the sandbox, whatever its size', async () => {
    const big = 'export default (n) => ({ rows: Array.from({ length: n }, (_, i) => String(i).repeat(16)) });';
    const text = await value({ code: big, input: 2000, json: true });
    expect(typeof text).toBe('string');
    expect((text as string).length).toBeGreaterThan(64 * 1024);
    expect(JSON.parse(text as string)).toEqual({ rows: Array.from({ length: 2000 }, (_, i) => String(i).repeat(16)) });
    expect(await value({ code: 'export default () => undefined;', json: true })).toBe('null');
    expect(await value({ code: 'export default (s) => s;', input: 'quote " and \\ and é', json: true })).toBe(JSON.stringify('quote " and \\ and é'));
    const bigint = await run({ code: 'export default () => 1n;', json: true });
    expect(bigint).toMatchObject({ ok: false, code: 'RESULT_NOT_CLONEABLE' });
    expect(bigint.ok || bigint.message).toMatch(/^the job returned a value that cannot be sent as JSON: TypeError/);
    expect(await run({ code: 'export default () => new Uint8Array(2 * 1024 * 1024);', json: true }))
      .toMatchObject({ ok: false, code: 'RESULT_TOO_LARGE' });
  });

  it('aborts a running job and a queued one through the signal', async () => {
    const outcomes = await runAll([
      { code: SLEEP, input: 3000, abortAfterMs: 100 },
      { code: SLEEP, input: 300 },
      { code: SLEEP, input: 300, abortAfterMs: 100 },
    ]);
    expect(outcomes.map((outcome) => outcome.ok || outcome.code)).toEqual(['ABORTED', true, 'ABORTED']);
    expect(await page.evaluate(() => window.jobRunnerTest.state())).toEqual({ busy: 0, queued: 0, threads: 2 });
  });

  it('close aborts running and queued jobs, removes the sandbox, and refuses new runs', async () => {
    const outcomes = await page.evaluate((code) => {
      const api = window.jobRunnerTest;
      const all = api.runAll([1, 2, 3].map(() => ({ code, input: 2000 })));
      api.close();
      return all;
    }, SLEEP);
    expect(outcomes.map((outcome) => outcome.ok || outcome.code)).toEqual(['ABORTED', 'ABORTED', 'ABORTED']);
    expect(await page.evaluate(() => window.jobRunnerTest.frame())).toBeNull();
    expect(await run({ code: SUM })).toMatchObject({ ok: false, code: 'ABORTED', message: 'the job runner is closed' });
    await page.evaluate(() => window.jobRunnerTest.open(2));
    expect(await value({ code: SUM, input: { a: 2, b: 2 } })).toBe(4);
  });

  it('gives different code a fresh worker: nothing one job leaves behind reaches the next', async () => {
    await value({ code: 'export default () => { globalThis.leak = "secret"; };' });
    expect(await value({ code: 'export default () => typeof globalThis.leak;' })).toBe('undefined');
  });
});

describe('warm workers', () => {
  /** A module-level counter and a global one: both grow only while jobs share a worker. */
  const counter = (tag: string) => `// ${tag}
let n = 0;
export default async ({ spin = false, sleepMs = 0 } = {}) => {
  n += 1;
  globalThis.runs = (globalThis.runs ?? 0) + 1;
  if (spin) for (;;) {}
  await new Promise((done) => setTimeout(done, sleepMs));
  return [n, globalThis.runs];
};`;
  const counts = async (requests: RunRequest[]) => {
    const outcomes = [];
    for (const request of requests) outcomes.push(await run(request));
    return outcomes.map((outcome) => (outcome.ok ? outcome.value : outcome.code));
  };

  beforeAll(() => page.evaluate(() => window.jobRunnerTest.setThreads(1)));
  afterAll(() => page.evaluate(() => window.jobRunnerTest.setThreads(2)));

  it('runs consecutive jobs of the same code on one worker that imported the module once', async () => {
    const code = counter('consecutive');
    expect(await counts([{ code }, { code }, { code }])).toEqual([[1, 1], [2, 2], [3, 3]]);
    const queued = await runAll(Array.from({ length: 4 }, () => ({ code })));
    expect(queued.map((outcome) => outcome.ok && (outcome.value as number[])[0])).toEqual([4, 5, 6, 7]);
  });

  it('never shows a job the module or globals of other code, or of the same code in another series', async () => {
    const code = counter('other code');
    const other = `${code}\n// another client's copy`;
    expect(await counts([{ code }, { code: other }, { code, series: 'client b' }])).toEqual([[1, 1], [1, 1], [1, 1]]);
    expect(await counts([{ code, series: 'client b' }, { code, series: 'client c' }])).toEqual([[2, 2], [1, 1]]);
  });

  it('replaces the worker of a timed-out or aborted job, and the next job of that code runs', async () => {
    const unique = counter('timeouts');
    expect(await counts([
      { code: unique },
      { code: unique, input: { spin: true }, timeoutMs: 300 },
      { code: unique },
      { code: unique, input: { sleepMs: 3000 }, abortAfterMs: 100 },
      { code: unique },
      { code: unique },
    ])).toEqual([[1, 1], 'TIMEOUT', [1, 1], 'ABORTED', [1, 1], [2, 2]]);
  });

  it('keeps a progress call left behind by one job from reaching the next job of its series', async () => {
    const code = `export default async (first, ctx) => {
      if (first) { setTimeout(() => ctx.progress(0.9), 50); return 'first'; }
      await new Promise((done) => setTimeout(done, 200));
      return 'second';
    };`;
    const [first, second] = [await run({ code, input: true }), await run({ code, input: false })];
    expect(first).toEqual({ ok: true, value: 'first', progress: [] });
    expect(second).toEqual({ ok: true, value: 'second', progress: [] });
  });

  it('starts no worker per job for one code and one per job for distinct codes', async () => {
    await page.evaluate(() => window.jobRunnerTest.setThreads(2));
    const tiny = 'export default (n) => n + 1;';
    const same = await page.evaluate((r) => window.jobRunnerTest.timedRunAll(r),
      Array.from({ length: 200 }, (_, i) => ({ code: tiny, input: i })));
    const distinct = await page.evaluate((r) => window.jobRunnerTest.timedRunAll(r),
      Array.from({ length: 200 }, (_, i) => ({ code: `${tiny}\n// job ${i}`, input: i })));
    console.log(`200 tiny jobs on 2 threads: same code ${same.ms.toFixed(0)} ms, ${same.workers} workers started;`
      + ` distinct code ${distinct.ms.toFixed(0)} ms, ${distinct.workers} workers started`);
    expect([same.failed, distinct.failed]).toEqual([0, 0]);
    expect(same.workers).toBeLessThanOrEqual(2);
    expect(distinct.workers).toBeGreaterThanOrEqual(200);
    await page.evaluate(() => window.jobRunnerTest.setThreads(1));
  });
});

describe('job isolation', () => {
  const port = () => server.port;

  it('puts the pool in a hidden allow-scripts iframe the page cannot reach into', async () => {
    expect(await page.evaluate(() => window.jobRunnerTest.frame())).toEqual({ sandbox: 'allow-scripts', hidden: true, contentDocument: null });
  });

  it('loads the sandbox document by URL, with the page\'s origin and threads in the fragment', async () => {
    const fragment = new URLSearchParams({ parent: origin, threads: '2' }).toString();
    expect(await page.evaluate(() => window.jobRunnerTest.frameUrls())).toEqual([`${origin}${SANDBOX_PATH}#${fragment}`]);
  });

  it('refuses fetch, and the server sees no request', async () => {
    const code = `export default async () => {
      try { const r = await fetch('http://127.0.0.1:${port()}/probe/x'); return 'reached ' + r.status; }
      catch (e) { return 'refused: ' + e.name; }
    };`;
    expect(await value({ code })).toMatch(/^refused/);
    await requestsIn();
    expect(server.seen.probes).toBe(0);
  });

  it('refuses a WebSocket, and the server sees no upgrade', async () => {
    const code = `export default () => new Promise((done) => {
      try { const ws = new WebSocket('ws://127.0.0.1:${port()}/probe'); ws.onopen = () => done('open'); ws.onerror = () => done('refused: error'); }
      catch (e) { done('refused: ' + e.name); }
    });`;
    expect(await value({ code })).toMatch(/^refused/);
    await requestsIn();
    expect(server.seen.upgrades).toBe(0);
  });

  it('refuses dynamic and static imports of http URLs, and the server sees no request', async () => {
    const dynamic = `export default async () => {
      try { await import('http://127.0.0.1:${port()}/probe/evil.js'); return 'imported'; }
      catch (e) { return 'refused: ' + e.name; }
    };`;
    expect(await value({ code: dynamic })).toMatch(/^refused/);
    const staticImport = `import evil from 'http://127.0.0.1:${port()}/probe/static.js'; export default () => evil;`;
    expect(await run({ code: staticImport })).toMatchObject({ ok: false, code: 'SYNTAX_ERROR' });
    await requestsIn();
    expect(server.seen.probes).toBe(0);
  });

  it('leaves no network, storage, cookie, nested-worker or page API within reach', async () => {
    const names = ['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'WebTransport', 'importScripts',
      'indexedDB', 'caches', 'cookieStore', 'localStorage', 'sessionStorage', 'BroadcastChannel', 'Worker',
      'SharedWorker', 'document', 'window', 'parent', 'top', 'opener', 'frames'];
    const code = `export default () => Object.fromEntries(${JSON.stringify(names)}.map((n) => [n, typeof self[n]]));`;
    expect(await value({ code })).toEqual(Object.fromEntries(names.map((name) => [name, 'undefined'])));
  });

  it('refuses origin-bound storage (the worker\'s origin is opaque)', async () => {
    const code = `export default async () => {
      const attempt = async (f) => { try { await f(); return 'opened'; } catch (e) { return 'refused: ' + e.name; } };
      return {
        opfs: await attempt(() => navigator.storage.getDirectory()),
        locks: await attempt(() => navigator.locks.request('x', () => 1)),
        origin: self.origin,
      };
    };`;
    expect(await value({ code })).toEqual({ opfs: expect.stringMatching(/^refused/), locks: expect.stringMatching(/^refused/), origin: 'null' });
  });

  it('cannot post to the page, and evaluates no strings (the CSP holds in the worker)', async () => {
    const code = `export default () => {
      self.postMessage('escape-self');
      try { parent.postMessage('escape-parent', '*'); } catch {}
      try { return new Function('return "evaluated"')(); } catch (e) { return 'refused: ' + e.name; }
    };`;
    expect(await value({ code })).toBe('refused: EvalError');
    // Anything the frame forwarded for the job would have been posted before the job's outcome,
    // from the same window, so it reached the page before the outcome did.
    expect(await page.evaluate(() => window.jobRunnerTest.strayMessages())).toBe(0);
  });

  it('still lets a job compile WebAssembly', async () => {
    const code = 'export default async () => WebAssembly.Module.exports(await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))).length;';
    expect(await value({ code })).toBe(0);
  });
});

describe('sandbox document and heartbeat', () => {
  const reopen = (sandboxUrl = '') => page.evaluate((url) => window.jobRunnerTest.open(2, url), sandboxUrl);
  afterAll(() => reopen());

  it('runs jobs in a sandbox served from another site (the --sandbox-origin set-up), still without network', async () => {
    // localhost and 127.0.0.1 are different sites: the frame is cross-site to the page.
    const elsewhere = `http://localhost:${server.port}${SANDBOX_PATH}`;
    await reopen(elsewhere);
    expect((await page.evaluate(() => window.jobRunnerTest.frameUrls()))[0]).toMatch(new RegExp(`^${elsewhere}#parent=`));
    expect(await value({ code: SUM, input: { a: 20, b: 22 } })).toBe(42);
    const code = `export default async () => {
      try { const r = await fetch('http://localhost:${server.port}/probe/cross-site'); return 'reached ' + r.status; }
      catch (e) { return 'refused: ' + e.name; }
    };`;
    expect(await value({ code })).toMatch(/^refused/);
    await requestsIn();
    expect(server.seen.probes).toBe(0);
  });

  it('refuses a sandbox URL that is not http(s) or not a URL, and a document that is not a sandbox', async () => {
    await expect(reopen('data:text/html,<p>no</p>')).rejects.toThrow(/the sandbox document must be at an http\(s\) URL/);
    await expect(reopen('http://[')).rejects.toThrow(/the sandbox URL is not a URL: http:\/\/\[/);
    await expect(reopen(`${origin}/not-a-sandbox.html`)).rejects.toThrow(/the sandbox frame did not start within/);
    await reopen();
    expect(await value({ code: SUM, input: { a: 1, b: 2 } })).toBe(3);
  }, 40_000);

  it('keeps a run whose worker is busy past the heartbeat\'s silence limit: the frame still answers', async () => {
    await reopen();
    const spinMs = SANDBOX_SILENCE_LIMIT_MS + 2_000;
    const spin = `export default (ms) => { const end = Date.now() + ms; while (Date.now() < end) {} return 'spun'; };`;
    expect(await run({ code: spin, input: spinMs, timeoutMs: 60_000 })).toMatchObject({ ok: true, value: 'spun' });
    expect(await page.evaluate(() => window.jobRunnerTest.sandbox())).toEqual({ state: 'ready', opened: 1 });
  }, 60_000);
});
