// Four worker tabs and a client in Debian Chromium farm job series over WebRTC: every result
// correct, ranges and products expanded job by job, a tab closed mid-series loses nothing, a
// throwing job is poisoned, and with k=3 a lying worker is outvoted and flagged.
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientRole } from '../../src/peer/client-role.ts';
import type { SubmitRequest } from '../../src/peer/farm/submit-request.ts';
import type { SeriesResult } from '../../src/peer/farm/foreman.ts';
import type { WorkerRole } from '../../src/peer/worker-role.ts';
import { launchChromium, newContext } from '../helpers/chromium.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { waitForWorker, waitInPage, workerSnapshot } from '../helpers/pages.ts';

const SUM_OF_SQUARES = `export default (n, ctx) => {
  let sum = 0;
  for (let i = 0; i <= n; i++) sum += i * i;
  ctx.progress(1);
  return { n, sum };
}`;
const sumOfSquares = (n: number) => ({ n, sum: Array.from({ length: n + 1 }, (_, i) => i * i).reduce((a, b) => a + b, 0) });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

let authority: TestAuthority;
let browser: Browser;
let context: BrowserContext;
let workers: Page[] = [];
let client: Page;

async function openWorker(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${authority.url}/?ephemeral&join`);
  await waitForWorker(page, (s) => s.state === 'joined' && s.neighbours.length > 0, null, 30_000);
  return page;
}

async function waitForWorkers(count: number): Promise<void> {
  await waitInPage(client, (n) => (window.peerfarm as ClientRole).workers.length >= n, count, { timeout: 20_000 });
}

/** Solicits until every live worker has bid (the overlay may still be knitting), then submits to them all. */
async function submit(request: SubmitRequest): Promise<SeriesResult> {
  const expected = workers.length;
  await expect.poll(async () => (await client.evaluate(() => (window.peerfarm as ClientRole).solicit())).length,
    { timeout: 30_000, interval: 200 }).toBe(expected);
  return client.evaluate((r) => {
    const role = window.peerfarm as ClientRole;
    return role.submit({ ...r, workers: role.bids.map((bid) => bid.id) });
  }, request);
}

beforeAll(async () => {
  if (!existsSync('dist/index.html')) throw new Error('pages not built: run "npm run build" first (npm test does)');
  authority = await startTestAuthority(['--option', 'time_between_authority_checks=1000', '--grant-points', '100000']);
  browser = await launchChromium();
  context = await newContext(browser, authority.url);
  workers = await Promise.all(range(4).map(openWorker));
  client = await context.newPage();
  await client.goto(`${authority.url}/submit.html?ephemeral`);
  await waitForWorkers(4);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await authority?.close();
});

describe('farming a job series across worker tabs', () => {
  it('runs 200 jobs on 4 tabs and every result is what the same code computes locally', async () => {
    const inputs = range(200).map((i) => i * 50);
    const result = await submit({ code: SUM_OF_SQUARES, inputs });
    expect(result.results).toEqual(inputs.map(sumOfSquares));
    expect(result.jobs.every((job) => job.state === 'done')).toBe(true);
    expect(result.workers.filter((w) => w.done > 0).length).toBeGreaterThanOrEqual(2);
    expect(result.workers.reduce((sum, w) => sum + w.done, 0)).toBe(200);
    const doneInTabs = await Promise.all(workers.map(async (page) => (await workerSnapshot(page)).jobs.filter((j) => j.state === 'done').length));
    expect(doneInTabs.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(200);
  }, 60_000);

  it('farms a 1,000,000-input range in groups of 1,000: each job sums its slice, and the slices add up', async () => {
    const sumSlice = 'export default (slice) => slice.reduce((sum, x) => sum + x, 0);';
    const result = await submit({ code: sumSlice, inputs: { start: 0, end: 999_999, step: 1 }, group: 1000 });
    expect(result.results.length).toBe(1000);
    expect(result.results[1]).toBe(Array.from({ length: 1000 }, (_, i) => 1000 + i).reduce((a, b) => a + b, 0));
    expect((result.results as number[]).reduce((a, b) => a + b, 0)).toBe((999_999 * 1_000_000) / 2);
  }, 60_000);

  it('streams every result once, as decided, to a listener and an iterator, and counts them in its status', async () => {
    await expect.poll(async () => (await client.evaluate(() => (window.peerfarm as ClientRole).solicit())).length,
      { timeout: 30_000, interval: 200 }).toBe(workers.length);
    const seen = await client.evaluate(async (code) => {
      const role = window.peerfarm as ClientRole;
      const series = role.submit({ code, inputs: { start: 0, end: 59 }, workers: role.bids.map((bid) => bid.id) });
      const heard: number[] = [];
      series.on('result', (event) => heard.push(event.index));
      const iterated: { index: number; value: unknown }[] = [];
      for await (const { index, value } of series) iterated.push({ index, value });
      const result = await series;
      return { heard, iterated, status: series.status, results: series.results, same: result.results === series.results };
    }, SUM_OF_SQUARES);
    expect([...seen.heard].sort((a, b) => a - b)).toEqual(range(60));
    expect(seen.iterated.map((r) => r.index)).toEqual(seen.heard);
    for (const { index, value } of seen.iterated) expect(value).toEqual(sumOfSquares(index));
    expect(seen.status).toEqual({ total: 60, distributed: 60, computed: 60, failed: 0 });
    expect(seen.results).toEqual(range(60).map(sumOfSquares));
    expect(seen.same).toBe(true);
  }, 60_000);

  it('hands every job the series\' args, relays its console and ctx.log lines, and reports a throw with the job\'s own stack', async () => {
    await expect.poll(async () => (await client.evaluate(() => (window.peerfarm as ClientRole).solicit())).length,
      { timeout: 30_000, interval: 200 }).toBe(workers.length);
    const code = `const check = (x) => {
  if (x === 3) throw new RangeError('three is out');
};
export default (x, ctx) => {
  console.log('job', x, { squared: x * x });
  if (x === 1) console.warn('one is odd');
  ctx.log('scaled by', ctx.args.factor);
  check(x);
  return x * ctx.args.factor;
};`;
    const seen = await client.evaluate(async (code) => {
      const role = window.peerfarm as ClientRole;
      const series = role.submit({ code, inputs: [0, 1, 2, 3, 4], args: { factor: 10 }, poisonAfter: 1, workers: role.bids.map((bid) => bid.id) });
      const lines: { index: number; level: string; text: string }[] = [];
      series.on('log', ({ index, level, text }) => lines.push({ index, level, text }));
      const result = await series;
      const failure = role.foreman!.queue.jobs[3]!.failures[0]?.message;
      return { results: result.results, states: result.jobs.map((job) => job.state), lines, failure, kept: role.foreman!.logs.length };
    }, code);
    expect(seen.results).toEqual([0, 10, 20, undefined, 40]);
    expect(seen.states).toEqual(['done', 'done', 'done', 'poisoned', 'done']);
    for (const x of [0, 1, 2, 4]) {
      expect(seen.lines).toContainEqual({ index: x, level: 'log', text: `job ${x} {"squared":${x * x}}` });
      expect(seen.lines).toContainEqual({ index: x, level: 'log', text: 'scaled by 10' });
    }
    expect(seen.lines).toContainEqual({ index: 1, level: 'warn', text: 'one is odd' });
    expect(seen.kept).toBe(seen.lines.length);
    // Name, message, then only the frames of the job's own module, named job.js.
    expect(seen.failure).toMatch(/^the job threw RangeError: three is out\n {4}at check \(job\.js:2:\d+\)\n {4}at Module.default \(job\.js:8:\d+\)/);
    expect(seen.failure).not.toMatch(/blob:|comlink|job-worker/);
    // The series card lists the lines.
    await expect.poll(() => client.locator('pf-series-card .log-lines li').count()).toBeGreaterThanOrEqual(9);
  }, 60_000);

  it('hires only workers that meet a series\' requirements, and refuses clearly when none does', async () => {
    await expect.poll(async () => (await client.evaluate(() => (window.peerfarm as ClientRole).solicit())).length,
      { timeout: 30_000, interval: 200 }).toBe(workers.length);
    // Chromium's tabs here have WebAssembly SIMD and are not cross-origin isolated.
    const caps = await client.evaluate(() => (window.peerfarm as ClientRole).bids.map((bid) => bid.caps));
    expect(caps.every((c) => c.includes('wasm-simd') && !c.includes('sharedArrayBuffer'))).toBe(true);
    const simd = await submit({ code: SUM_OF_SQUARES, inputs: range(8), requires: { caps: ['wasm-simd'] } });
    expect(simd.results).toEqual(range(8).map(sumOfSquares));
    const refused = await client.evaluate(() => {
      const role = window.peerfarm as ClientRole;
      return role.submit({ code: 'export default (x) => x;', inputs: [1], requires: { caps: ['sharedArrayBuffer'] }, workers: role.bids.map((bid) => bid.id) })
        .then(() => undefined, (error: Error) => ({ message: error.message, leftOut: role.leftOut.map((left) => left.reason) }));
    });
    expect(refused?.message).toBe(`submit: no worker meets the series' requirements: no sharedArrayBuffer (${workers.length} workers)`);
    expect(refused?.leftOut).toEqual(Array(workers.length).fill('no sharedArrayBuffer'));
    await expect.poll(() => client.locator('pf-series-card .left-out').textContent()).toMatch(/^Left out for the series' requirements:.*no sharedArrayBuffer/s);
    const tooFew = await client.evaluate(() => {
      const role = window.peerfarm as ClientRole;
      return role.submit({ code: 'export default (x) => x;', inputs: [1], requires: { minSlots: 64 }, workers: role.bids.map((bid) => bid.id) })
        .then(() => 'accepted', (error: Error) => error.message);
    });
    expect(tooFew).toMatch(/^submit: no worker meets the series' requirements: \d+ slots, needs 64 \(/);
  }, 60_000);

  it('refuses args that JSON cannot hold before anything is sent', async () => {
    const error = await client.evaluate(() => (window.peerfarm as ClientRole).submit({ code: 'export default () => 1;', inputs: [1], args: { n: 1n } })
      .then(() => 'accepted', (e: Error) => e.message));
    expect(error).toMatch(/^submit: args must be JSON: /);
  });

  it('farms the product of a range and a list, one job a combination, in nested-loop order', async () => {
    const label = 'export default ({ size, shape }) => `${shape}-${size}`;';
    const result = await submit({ code: label, inputs: { product: { size: { start: 1, end: 3 }, shape: ['square', 'disc'] } } });
    expect(result.results).toEqual(['square-1', 'disc-1', 'square-2', 'disc-2', 'square-3', 'disc-3']);
  }, 60_000);

  it('stops with a clear error when the client cannot pay for the series, and leaves no hold behind', async () => {
    const clientId = await client.evaluate(() => (window.peerfarm as ClientRole).id!);
    const price = String(Math.ceil((await authority.points.balance(clientId))! / 2) + 1);
    const setPrice = (value: string) => Promise.all(workers.map((page) => page.evaluate((p) => {
      (window.peerfarm as WorkerRole).options.apply({ price_per_job: p });
    }, value)));
    await setPrice(price);
    try {
      await expect(submit({ code: SUM_OF_SQUARES, inputs: range(6) })).rejects.toThrow(/not enough points to pay for a job/);
    } finally {
      await setPrice('1');
    }
    expect(await authority.points.holds(clientId)).toEqual([]);
    expect(await authority.points.escrows(clientId)).toEqual([]);
    await authority.points.checkInvariant();
  }, 60_000);

  it('moves exactly the accepted jobs\' prices from the client to the workers who did them', async () => {
    const clientId = await client.evaluate(() => (window.peerfarm as ClientRole).id!);
    const workerIds = await Promise.all(workers.map(async (page) => (await workerSnapshot(page)).id!));
    const before = new Map(await Promise.all([clientId, ...workerIds].map(async (id) => [id, (await authority.points.balance(id))!] as const)));
    const result = await submit({ code: SUM_OF_SQUARES, inputs: range(30) });
    expect(result.paid).toBe(30);
    expect(await authority.points.balance(clientId)).toBe(before.get(clientId)! - 30);
    for (const stats of result.workers) {
      expect(await authority.points.balance(stats.id)).toBe(before.get(stats.id)! + stats.done);
    }
    expect(await authority.points.holds(clientId)).toEqual([]);
    await authority.points.checkInvariant();
  }, 60_000);

  it('completes all 200 jobs when a worker tab closes mid-series, none lost or duplicated', async () => {
    const slowCode = `export default async (n) => { await new Promise((r) => setTimeout(r, 100)); return n * 3; }`;
    const running = submit({ code: slowCode, inputs: range(200) });
    await waitInPage(workers[0]!, () => (window.peerfarm as WorkerRole).jobs.running > 0, undefined, { timeout: 30_000 });
    await workers[0]!.close();
    workers = workers.slice(1);
    const result = await running;
    expect(result.results).toEqual(range(200).map((n) => n * 3));
    expect(result.workers.map((w) => w.state), JSON.stringify(result.workers)).toContain('left');
  }, 90_000);

  it('reports a job that always throws as poisoned after 3 tries and completes the rest', async () => {
    await waitForWorkers(3);
    const code = `export default (n) => { if (n === 7) throw new Error('seven is cursed'); return n; }`;
    const result = await submit({ code, inputs: range(20), poisonAfter: 3 });
    expect(result.jobs[7]).toMatchObject({ state: 'poisoned', failures: 3 });
    expect(result.results.filter((_, i) => i !== 7)).toEqual(range(20).filter((n) => n !== 7));
  }, 60_000);

  it('with k=3 takes the majority result and flags the tab patched to lie', async () => {
    workers.push(await openWorker());
    await waitForWorkers(4);
    const liar = workers[0]!;
    const liarId = (await workerSnapshot(liar)).id!;
    await liar.evaluate(() => {
      // Patch this tab's job service so every result is wrong.
      const service = (window.peerfarm as WorkerRole).jobs as unknown as { deps: Record<string, unknown> };
      service.deps = { ...service.deps, runner: async () => ({ runJson: async () => JSON.stringify({ n: -1, sum: -1 }) }) };
    });
    const inputs = range(40).map((i) => i * 10);
    const liarBalance = (await authority.points.balance(liarId));
    const result = await submit({ code: SUM_OF_SQUARES, inputs, redundancy: 3 });
    expect(await authority.points.balance(liarId)).toBe(liarBalance);
    expect((await authority.points.record(liarId)).rejected).toBeGreaterThan(0);
    await authority.points.checkInvariant();
    expect(result.results).toEqual(inputs.map(sumOfSquares));
    const byId = new Map(result.workers.map((w) => [w.id, w]));
    expect(byId.get(liarId)?.flagged).toBeGreaterThan(0);
    expect(result.workers.filter((w) => w.id !== liarId).every((w) => w.flagged === 0)).toBe(true);
  }, 90_000);
});
