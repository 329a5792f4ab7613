// Faults in Chromium (docs/RELIABILITY.md): the authority killed with SIGKILL mid-series and
// started again; a worker tab whose main thread stops mid-series; the client tab reloaded
// mid-series. Each time nothing acknowledged is lost: the series completes with every result
// right and every accepted job paid once, or the points held for it come back.
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClientRole } from '../../src/peer/client-role.ts';
import type { SubmitRequest } from '../../src/peer/farm/submit-request.ts';
import type { SeriesResult } from '../../src/peer/farm/foreman.ts';
import { openLedger } from '../../signaling/ledger/database.ts';
import { Ledger } from '../../signaling/ledger/ledger.ts';
import { launchChromium, newContext } from '../helpers/chromium.ts';
import { startAuthorityProcess, type AuthorityProcess } from '../helpers/authority-process.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { jobsDone, openWorkerTabs, waitInPage } from '../helpers/pages.ts';
import { until } from '../helpers/until.ts';

/** Each job waits a little, so a series is still running when the fault strikes. */
const SLOW_DOUBLE = 'export default async (n) => { await new Promise((r) => setTimeout(r, 30)); return n * 2; };';
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

declare global {
  interface Window { faultRun?: Promise<{ ok: true; result: SeriesResult } | { ok: false; error: string }> }
}

let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  if (!existsSync('dist/index.html')) throw new Error('pages not built: run "npm run build" first (npm test does)');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  await context?.close();
});

function openWorkers(url: string, count: number): Promise<Page[]> {
  return openWorkerTabs(context, url, count);
}

/** Solicits until `count` workers bid, then starts the series on them without waiting for it. */
async function startSeries(client: Page, count: number, request: SubmitRequest): Promise<void> {
  await waitInPage(client, (n) => (window.peerfarm as ClientRole).workers.length >= n, count, { timeout: 30_000 });
  await expect.poll(async () => (await client.evaluate(() => (window.peerfarm as ClientRole).solicit())).length,
    { timeout: 30_000, interval: 300 }).toBe(count);
  await client.evaluate((r) => {
    const role = window.peerfarm as ClientRole;
    window.faultRun = role.submit({ ...r, workers: role.bids.map((bid) => bid.id) })
      .then((result) => ({ ok: true as const, result }), (error: unknown) => ({ ok: false as const, error: String(error) }));
  }, request);
}

async function seriesOutcome(client: Page): Promise<SeriesResult> {
  const outcome = await client.evaluate(() => window.faultRun!);
  if (!outcome.ok) throw new Error(`the series failed: ${outcome.error}`);
  return outcome.result;
}

describe('the authority is killed with SIGKILL mid-series and started again', () => {
  let authority: AuthorityProcess;

  afterAll(async () => {
    await authority?.close();
  });

  it('tabs rejoin by themselves, the series completes right, and every accepted job is paid exactly once', async () => {
    authority = await startAuthorityProcess(['--option', 'time_between_authority_checks=1000']);
    context = await newContext(browser, authority.url);
    const workers = await openWorkers(authority.url, 3);
    const client = await context.newPage();
    await client.goto(`${authority.url}/submit.html?ephemeral`);
    const inputs = range(150);
    await startSeries(client, workers.length, { code: SLOW_DOUBLE, inputs, timeoutMs: 5000 });
    await expect.poll(() => jobsDone(client), { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(20);
    await authority.kill();
    await waitInPage(client, () => (window.peerfarm as ClientRole).connectionState !== 'joined', undefined, { timeout: 30_000 });
    const doneAtKill = await jobsDone(client);
    await authority.restart();
    for (const page of [client, ...workers]) {
      await waitInPage(page, () => (window.peerfarm as ClientRole | undefined)?.connectionState === 'joined', undefined, { timeout: 60_000 });
    }
    const result = await seriesOutcome(client);
    expect(doneAtKill).toBeLessThan(inputs.length);
    expect(result.results).toEqual(inputs.map((n) => n * 2));
    expect(result.paid).toBe(inputs.length);
    const clientId = await client.evaluate(() => (window.peerfarm as ClientRole).id!);
    await authority.kill();
    const db = openLedger(authority.dataDir);
    try {
      const ledger = new Ledger({ db });
      ledger.checkInvariant();
      expect(ledger.holds(clientId)).toEqual([]);
      expect(ledger.escrows(clientId)).toEqual([]);
      const grant = ledger.history(clientId, 1000).find((entry) => entry.kind === 'grant')!.amount;
      expect(ledger.balance(clientId)).toBe(grant - inputs.length);
      const earned = result.workers.reduce((sum, w) => sum + (ledger.balance(w.id) ?? 0), 0);
      expect(earned).toBe(inputs.length);
    } finally {
      db.close();
    }
  }, 240_000);
});

describe('tab faults on one authority', () => {
  let authority: TestAuthority;

  beforeAll(async () => {
    authority = await startTestAuthority(['--option', 'time_between_authority_checks=1000']);
  });

  afterAll(async () => {
    await authority?.close();
  });

  it('a worker tab whose main thread stops mid-series: its jobs are reassigned and the series completes', async () => {
    context = await newContext(browser, authority.url);
    const workers = await openWorkers(authority.url, 3);
    const client = await context.newPage();
    await client.goto(`${authority.url}/submit.html?ephemeral`);
    const inputs = range(120);
    await startSeries(client, workers.length, { code: SLOW_DOUBLE, inputs, timeoutMs: 2000 });
    const frozen = workers[0]!;
    const frozenId = await frozen.evaluate(() => (window.peerfarm as ClientRole).id!);
    await waitInPage(client, (id) => {
      const lease = [...((window.peerfarm as ClientRole).foreman?.queue.leases.values() ?? [])];
      return lease.some((l) => l.worker === id);
    }, frozenId, { timeout: 60_000 });
    // The debugger stops the page's main thread, as a long blocking task does, without burning a core.
    const cdp = await context.newCDPSession(frozen);
    await cdp.send('Debugger.enable');
    await cdp.send('Debugger.pause');
    const result = await seriesOutcome(client);
    expect(result.results).toEqual(inputs.map((n) => n * 2));
    expect(result.jobs.some((job) => job.reassigned > 0)).toBe(true);
    await cdp.send('Debugger.resume').catch(() => undefined);
    await authority.points.checkInvariant();
  }, 180_000);

  it('the client tab reloads mid-series: the escrow it left expires and its balance comes back exactly', async () => {
    context = await newContext(browser, authority.url);
    const workers = await openWorkers(authority.url, 2);
    const client = await context.newPage();
    // No ?ephemeral: the identity is kept in IndexedDB, so the reloaded tab is the same client.
    await client.goto(`${authority.url}/submit.html?join`);
    await waitInPage(client, () => (window.peerfarm as ClientRole).connectionState === 'joined', undefined, { timeout: 30_000 });
    const clientId = await client.evaluate(() => (window.peerfarm as ClientRole).id!);
    await until(async () => (await authority.points.balance(clientId)) !== null);
    const before = (await authority.points.balance(clientId))!;
    const workerIds = await Promise.all(workers.map((page) => page.evaluate(() => (window.peerfarm as ClientRole).id!)));
    const paidSoFar = async () => (await Promise.all(workerIds.map(async (id) => (await authority.points.balance(id)) ?? 0))).reduce((sum, n) => sum + n, 0);
    await startSeries(client, workers.length, { code: SLOW_DOUBLE, inputs: range(400), timeoutMs: 2000 });
    await until(async () => (await authority.points.escrows(clientId)).length > 0, 60_000);
    // Reloaded once results were paid from the escrow (payments still in the tab when it goes are lost with it).
    await until(async () => (await paidSoFar()) > 0, 60_000, 100);
    await client.reload();
    await waitInPage(client, () => (window.peerfarm as ClientRole).id !== undefined, undefined, { timeout: 30_000 });
    expect(await client.evaluate(() => (window.peerfarm as ClientRole).id)).toBe(clientId);
    // An escrow lasts the lease (timeout + 10 s) plus margins (src/peer/farm/payroll.ts); the authority expires it by itself.
    await until(async () => (await authority.points.escrows(clientId)).length === 0 && (await authority.points.holds(clientId)).length === 0, 150_000, 500);
    // Workers start from nothing and only this client paid them: what they hold is what it paid.
    const paid = await paidSoFar();
    expect(paid).toBeGreaterThan(0);
    expect(await authority.points.balance(clientId)).toBe(before - paid);
    await authority.points.checkInvariant();
  }, 240_000);
});
