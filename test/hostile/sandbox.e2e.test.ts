// Hostile jobs against the sandbox in Debian Chromium: the frame runs in a renderer process of its
// own, a job that exhausts memory kills only that process (its runs fail with SANDBOX_CRASHED, the
// page lives on, a fresh frame runs the next job), a typed-array bomb and an endless loop fail
// cleanly, and a sandbox document framed with a forged fragment refuses to start.
//
// Once the sandbox's process has crashed, playwright marks the whole page "crashed" and refuses
// page.evaluate, although the page's own process is alive: tests that crash it talk to the page
// through a raw CDP session (Runtime.evaluate) opened before.
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newContext } from '../helpers/chromium.ts';
import type { RunRequest, TestOutcome } from '../e2e/pages/job-runner.ts';
import { PAGE_PATH, startJobRunnerServer, type JobRunnerServer } from '../e2e/pages/job-runner.server.ts';
import { SANDBOX_CRASHED_MESSAGE } from '../../src/peer/job-runner.ts';
import { SANDBOX_PATH } from '../../workers/sandbox/sandbox-csp.ts';

let server: JobRunnerServer;
let browser: Browser;
let context: BrowserContext | undefined;

beforeAll(async () => {
  server = await startJobRunnerServer();
  browser = await launchChromium();
}, 60_000);

afterEach(async () => {
  await context?.close();
  context = undefined;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh tab on the test page, with a raw CDP session to it that outlives a crashed frame. */
async function openPage(): Promise<{ page: Page; cdp: CDPSession }> {
  context = await newContext(browser, server.origin);
  const page = await context.newPage();
  await page.goto(`${server.origin}${PAGE_PATH}`);
  await page.waitForFunction('window.jobRunnerTest !== undefined');
  return { page, cdp: await context.newCDPSession(page) };
}

/** Evaluates `expression` in the page over raw CDP, awaiting a promise; the value comes back as JSON. */
async function evaluate<T>(cdp: CDPSession, expression: string): Promise<T> {
  const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
  if (exceptionDetails !== undefined) throw new Error(`page threw: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
  return result.value as T;
}

const run = (cdp: CDPSession, request: RunRequest) =>
  evaluate<TestOutcome>(cdp, `window.jobRunnerTest.run(${JSON.stringify(request)})`);

/** Renderer processes of the whole browser, as the browser reports them. */
async function rendererCount(): Promise<number> {
  const session = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = await session.send('SystemInfo.getProcessInfo');
    return processInfo.filter((process) => process.type === 'renderer').length;
  } finally {
    await session.detach();
  }
}

const SUM = 'export default ({ a, b }) => a + b;';
/** Grows the JS heap without bound: V8 aborts the whole renderer process when it runs out. */
const BOMB = 'export default () => { const a = []; for (;;) a.push(new Array(1e6).fill(Math.random())); };';

describe('the sandbox against hostile jobs', () => {
  it('puts the sandbox frame in a renderer process of its own', async () => {
    const { cdp } = await openPage();
    const before = await rendererCount();
    await evaluate(cdp, 'window.jobRunnerTest.open(1)');
    const after = await rendererCount();
    const session = await browser.newBrowserCDPSession();
    const { targetInfos } = await session.send('Target.getTargets');
    await session.detach();
    console.log(`renderer processes: ${before} before the sandbox frame, ${after} with it`);
    // An out-of-process frame is a target of its own, of type iframe; an in-process one is not.
    const frames = targetInfos.filter((target) => target.type === 'iframe');
    expect(frames.map((target) => new URL(target.url).pathname)).toContain(SANDBOX_PATH);
  });

  it('fails a job that exhausts memory with SANDBOX_CRASHED; the page survives and the next job runs', async () => {
    const { page, cdp } = await openPage();
    await evaluate(cdp, 'window.jobRunnerTest.open(1)');
    let crashedAt: number | undefined;
    page.on('crash', () => (crashedAt ??= Date.now()));
    const started = Date.now();
    expect(await run(cdp, { code: BOMB, timeoutMs: 120_000 }))
      .toEqual({ ok: false, code: 'SANDBOX_CRASHED', message: SANDBOX_CRASHED_MESSAGE, progress: [] });
    const failedAt = Date.now();
    const died = crashedAt === undefined ? 'unseen' : `${crashedAt - started} ms`;
    console.log(`out-of-memory job: its process died after ${died}, the run failed after ${failedAt - started} ms`);
    expect(await evaluate(cdp, '1 + 1')).toBe(2);
    expect(await run(cdp, { code: SUM, input: { a: 40, b: 2 } })).toEqual({ ok: true, value: 42, progress: [] });
    expect(await evaluate(cdp, 'window.jobRunnerTest.sandbox()')).toEqual({ state: 'ready', opened: 2 });
    expect(await evaluate<string[]>(cdp, 'window.jobRunnerTest.frameUrls()')).toHaveLength(1);
  }, 90_000);

  it('fails every run of a crashed frame, and runs the queued ones on its replacement', async () => {
    const { cdp } = await openPage();
    await evaluate(cdp, 'window.jobRunnerTest.open(2)');
    const sleep = 'export default (ms) => new Promise((done) => setTimeout(() => done("slept"), ms));';
    const outcomes = await evaluate<TestOutcome[]>(cdp, `window.jobRunnerTest.runAll(${JSON.stringify([
      { code: BOMB, timeoutMs: 120_000 },
      { code: sleep, input: 60_000, timeoutMs: 120_000 },
      { code: SUM, input: { a: 1, b: 2 } },
    ])})`);
    expect(outcomes.map((outcome) => (outcome.ok ? outcome.value : outcome.code))).toEqual(['SANDBOX_CRASHED', 'SANDBOX_CRASHED', 3]);
  }, 90_000);

  it('caps what a job logs, through console and forged messages alike, at 100 lines and one that says so', async () => {
    const { cdp } = await openPage();
    await evaluate(cdp, 'window.jobRunnerTest.open(1)');
    const flood = `export default () => {
  for (let i = 0; i < 10000; i++) console.log('line', i, 'x'.repeat(5000));
  for (let i = 0; i < 10000; i++) postMessage({ type: 'peerfarm-job-log', level: 'error', text: 'forged ' + i });
  postMessage({ type: 'peerfarm-job-log', level: 'evil', text: 'bad level' });
  return 'flooded';
};`;
    const outcome = await run(cdp, { code: flood });
    expect(outcome).toMatchObject({ ok: true, value: 'flooded' });
    const logs = outcome.logs ?? [];
    expect(logs.length).toBeLessThanOrEqual(101);
    expect(logs[0]).toMatch(/^log: line 0 x{993}$/);
    expect(logs.filter((line) => line.startsWith('log: line')).length).toBeLessThanOrEqual(100);
    expect(logs.some((line) => line.includes('bad level'))).toBe(false);
    expect(await run(cdp, { code: SUM, input: { a: 2, b: 3 } })).toEqual({ ok: true, value: 5, progress: [] });
  });

  it('fails a typed-array bomb with JOB_THREW (RangeError), killing nothing', async () => {
    const { cdp } = await openPage();
    await evaluate(cdp, 'window.jobRunnerTest.open(1)');
    for (const allocation of ['new ArrayBuffer(2 ** 40)', 'new Float64Array(2 ** 37)', 'new Uint8Array(2 ** 53)']) {
      const outcome = await run(cdp, { code: `export default () => ${allocation}.byteLength;` });
      expect(outcome).toMatchObject({ ok: false, code: 'JOB_THREW' });
      expect(outcome.ok || outcome.message).toMatch(/^the job threw RangeError: /);
    }
    expect(await run(cdp, { code: SUM, input: { a: 2, b: 3 } })).toMatchObject({ ok: true, value: 5 });
    expect(await evaluate(cdp, 'window.jobRunnerTest.sandbox()')).toEqual({ state: 'ready', opened: 1 });
  });

  it('fails an endless job with TIMEOUT, and the next job runs in the same frame', async () => {
    const { cdp } = await openPage();
    await evaluate(cdp, 'window.jobRunnerTest.open(1)');
    expect(await run(cdp, { code: 'export default () => { for (;;) {} };', timeoutMs: 1_000 }))
      .toMatchObject({ ok: false, code: 'TIMEOUT', message: 'job exceeded 1000 ms' });
    expect(await run(cdp, { code: SUM, input: { a: 3, b: 4 } })).toMatchObject({ ok: true, value: 7 });
    expect(await evaluate(cdp, 'window.jobRunnerTest.sandbox()')).toEqual({ state: 'ready', opened: 1 });
  });

  it('refuses to start when framed with a fragment that names no page origin or too many threads', async () => {
    const { page } = await openPage();
    const fragments = [
      'parent=*&threads=1',
      `parent=${encodeURIComponent('javascript:alert(1)')}&threads=1`,
      `parent=${encodeURIComponent(`${server.origin}/path`)}&threads=1`,
      `parent=${encodeURIComponent(server.origin)}&threads=100000`,
      `parent=${encodeURIComponent(server.origin)}&threads=1e1`,
      '',
    ];
    const answers = await page.evaluate((urls) => Promise.all(urls.map((url) => new Promise((answer) => {
      const frame = document.createElement('iframe');
      frame.setAttribute('sandbox', 'allow-scripts');
      addEventListener('message', (event) => {
        if (event.source === frame.contentWindow) answer(event.data);
      });
      frame.src = url;
      document.body.append(frame);
    }))), fragments.map((fragment) => `${SANDBOX_PATH}#${fragment}`));
    expect(answers.map((answer) => (answer as { type: string }).type)).toEqual(fragments.map(() => 'peerfarm-sandbox-failed'));
    expect((answers[0] as { message: string }).message).toBe("the sandbox's URL fragment is not valid: parent must be the http(s) origin of the page");
    expect((answers[3] as { message: string }).message).toMatch(/^the sandbox's URL fragment is not valid: threads must be a whole number from 1 to \d+$/);
  });
});
