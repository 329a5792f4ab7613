// The `peerfarm` command as a real child process against a real authority and worker tabs in
// Chromium: its NDJSON output is what the job module computes locally, a tab closed mid-series
// changes nothing in it, and a bad job file, an unreachable authority and a series the client
// cannot pay for each end with one line on stderr and a non-zero exit status.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newContext } from '../helpers/chromium.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { freePort } from '../helpers/authority-process.ts';
import { runCli, type CliRun } from '../helpers/cli.ts';
import { openWorkerTabs, waitForWorker, workerSnapshot } from '../helpers/pages.ts';

/** A job that takes a few milliseconds, so a series of 200 is still running when a tab closes. */
const JOB = `// digits of a slow hash
export default (n, ctx) => {
  let x = n;
  for (let i = 0; i < 200000; i++) x = (x * 31 + i) % 1000003;
  ctx.progress(1);
  return { n, x, scaled: n * (ctx.args?.factor ?? 1) };
};
`;

interface Line {
  readonly index: number;
  readonly value: unknown;
  readonly worker: string;
}

let authority: TestAuthority;
/** An authority that grants a new client too few points for the series it asks. */
let poor: TestAuthority;
let browser: Browser;
let context: BrowserContext;
let tabs: Page[] = [];
let dir: string;
let jobPath: string;

const wsUrl = (server: TestAuthority) => `${server.url.replace(/^http/, 'ws')}/ws`;

/** `peerfarm run` with a fresh identity and store of its own, against `server`. */
function run(args: readonly string[], server = authority, onLine?: (line: string, count: number) => void): Promise<CliRun> {
  const home = mkdtempSync(join(dir, 'client-'));
  return runCli(['run', ...args, '--authority', wsUrl(server), '--key', join(home, 'key.json'), '--store', join(home, 'series')], { ...(onLine && { onLine }) });
}

async function openTabs(count: number, server = authority): Promise<Page[]> {
  const pages = await openWorkerTabs(context, server.url, count);
  await Promise.all(pages.map((page) => waitForWorker(page, (s) => s.neighbours.length > 0 || s.peers.length === 0, null, 30_000)));
  return pages;
}

/** What the job module computes for `inputs` when Node imports it and calls it. */
async function local(inputs: readonly number[], args?: unknown): Promise<unknown[]> {
  const job = (await import(pathToFileURL(jobPath).href)) as { default: (input: unknown, ctx: unknown) => unknown };
  const ctx = { progress: () => undefined, log: () => undefined, args };
  return inputs.map((input) => JSON.parse(JSON.stringify(job.default(input, ctx))) as unknown);
}

function parsed(lines: readonly string[]): Line[] {
  return lines.map((line) => JSON.parse(line) as Line).sort((a, b) => a.index - b.index);
}

beforeAll(async () => {
  if (!existsSync('dist/index.html')) throw new Error('pages not built: run "npx vite build" first (npm test does)');
  dir = mkdtempSync(join(tmpdir(), 'peerfarm-cli-'));
  jobPath = join(dir, 'job.mjs');
  writeFileSync(jobPath, JOB);
  authority = await startTestAuthority(['--option', 'time_between_authority_checks=1000', '--grant-points', '100000']);
  poor = await startTestAuthority(['--option', 'time_between_authority_checks=1000', '--grant-points', '20']);
  browser = await launchChromium();
  context = await newContext(browser, [authority.url, poor.url]);
  tabs = await openTabs(3);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await authority?.close();
  await poor?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('peerfarm run', () => {
  it('farms 200 jobs to three worker tabs and prints one JSON line per result, as the job computes locally', async () => {
    const inputsPath = join(dir, 'inputs.json');
    const inputs = Array.from({ length: 200 }, (_, i) => i * 3);
    writeFileSync(inputsPath, JSON.stringify(inputs));
    writeFileSync(join(dir, 'args.json'), JSON.stringify({ factor: 10 }));
    const { code, lines, stderr } = await run([jobPath, '--inputs', inputsPath, '--args', join(dir, 'args.json')]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const results = parsed(lines);
    expect(results.map((line) => line.index)).toEqual(inputs.map((_, i) => i));
    expect(results.map((line) => line.value)).toEqual(await local(inputs, { factor: 10 }));
    const ids = await Promise.all(tabs.map(async (page) => (await workerSnapshot(page)).id));
    expect(new Set(results.map((line) => line.worker)).size).toBeGreaterThanOrEqual(2);
    for (const { worker } of results) expect(ids).toContain(worker);
  }, 90_000);

  it('takes a range of numbers, and named ranges as every combination', async () => {
    const single = await run([jobPath, '--range', '5:14']);
    expect({ code: single.code, stderr: single.stderr }).toEqual({ code: 0, stderr: '' });
    expect(parsed(single.lines).map((line) => line.value)).toEqual(await local(Array.from({ length: 10 }, (_, i) => 5 + i)));
    const sweepJob = join(dir, 'sweep.mjs');
    writeFileSync(sweepJob, 'export default ({ a, b }) => a * 100 + b;\n');
    const sweep = await run([sweepJob, '--range', 'a=1:3', '--range', 'b=0:1:0.5']);
    expect({ code: sweep.code, stderr: sweep.stderr }).toEqual({ code: 0, stderr: '' });
    expect(parsed(sweep.lines).map((line) => line.value)).toEqual([100, 100.5, 101, 200, 200.5, 201, 300, 300.5, 301]);
  }, 90_000);

  it('prints the same results when a worker tab closes mid-series', async () => {
    const inputs = Array.from({ length: 200 }, (_, i) => i);
    const ids = await Promise.all(tabs.map(async (page) => (await workerSnapshot(page)).id));
    let closedAt: number | undefined;
    let closing: Promise<void> | undefined;
    const { code, lines, stderr } = await run([jobPath, '--range', '0:199'], authority, (line, count) => {
      if (closing) return;
      // Close a tab that is doing jobs of this series.
      const { worker } = JSON.parse(line) as Line;
      const victim = tabs[ids.indexOf(worker)];
      if (count < 20 || !victim) return;
      closedAt = count;
      closing = victim.close();
    });
    await closing;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(closedAt).toBeLessThan(200);
    const results = parsed(lines);
    expect(results.map((line) => line.index)).toEqual(inputs);
    expect(results.map((line) => line.value)).toEqual(await local(inputs));
    tabs = [...tabs.filter((page) => !page.isClosed()), ...(await openTabs(1))];
  }, 90_000);
});

describe('peerfarm run, when it cannot', () => {
  it('refuses a job file that does not parse, or has no default export, before asking the network', async () => {
    const broken = join(dir, 'broken.mjs');
    writeFileSync(broken, 'export default (x) => {\n  return x +* 2;\n};\n');
    const syntax = await run([broken, '--range', '0:9']);
    expect(syntax).toEqual({ code: 2, lines: [], stderr: `peerfarm: the job module ${broken} does not parse: SyntaxError: Unexpected token '*' (line 2)\n` });
    const plain = join(dir, 'plain.mjs');
    writeFileSync(plain, 'const f = (x) => x;\n');
    const noDefault = await run([plain, '--range', '0:9']);
    expect(noDefault.code).toBe(2);
    expect(noDefault.stderr).toBe('peerfarm: code must be an ES module source with `export default (input, ctx) => result`\n');
    const missing = await run([join(dir, 'nowhere.mjs'), '--range', '0:9']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`peerfarm: cannot read the job module ${join(dir, 'nowhere.mjs')}: ENOENT\n`);
  }, 60_000);

  it('says in one line that the authority cannot be reached', async () => {
    const port = await freePort();
    const home = mkdtempSync(join(dir, 'client-'));
    const { code, lines, stderr } = await runCli(['run', jobPath, '--range', '0:9', '--authority', `ws://127.0.0.1:${port}/ws`,
      '--key', join(home, 'key.json'), '--store', join(home, 'series')]);
    expect(code).toBe(1);
    expect(lines).toEqual([]);
    expect(stderr).toMatch(new RegExp(`^peerfarm: no authority reachable: cannot reach ws://127\\.0\\.0\\.1:${port}/ws: [^\\n]+\\n$`));
  }, 60_000);

  it('stops a series the client cannot pay for with one line that says so, and keeps it to resume', async () => {
    const poorTabs = await openTabs(1, poor);
    try {
      const { code, lines, stderr } = await run([jobPath, '--range', '0:99'], poor);
      expect(code).toBe(1);
      expect(lines.length).toBeLessThanOrEqual(20);
      expect(stderr).toMatch(/^peerfarm: not enough points to pay for a job of \w+ at 1: the escrow is used up \(insufficient_points\); kept, to finish it: peerfarm resume s[a-z0-9]+\n$/);
    } finally {
      await Promise.all(poorTabs.map((page) => page.close()));
    }
  }, 60_000);

  it('refuses a price limit no bid meets', async () => {
    const { code, lines, stderr } = await run([jobPath, '--range', '0:9', '--max-price', '0.5']);
    expect(code).toBe(1);
    expect(lines).toEqual([]);
    expect(stderr).toMatch(/^peerfarm: submit: no bid fits \(\d bids, max price 0\.5\)\n$/);
  }, 60_000);
});
