// A series outlives its tab (docs/JOBS.md): the submit tab is closed a third of the way through a
// 300-job series, the page is opened again, lists the series as unfinished, and Resume on the list
// finishes it. Checked: every result right; the jobs kept by the closed tab not run again; in the
// ledger, each job paid exactly once (by its transfer id) and the client charged exactly 300 with
// nothing left held, its old escrow released rather than counted twice.
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClientRole, SavedSeries } from '../../src/peer/client-role.ts';
import { launchChromium, newContext } from '../helpers/chromium.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { openWorkerTabs, waitInPage } from '../helpers/pages.ts';
import { until } from '../helpers/until.ts';

const JOBS = 300;
/** Each job waits a little, so the series is still running when its tab closes. */
const SLOW_DOUBLE = '// doubles n, slowly\nexport default async (n) => { await new Promise((r) => setTimeout(r, 40)); return n * 2; };';
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

let browser: Browser;
let context: BrowserContext;
let authority: TestAuthority;

beforeAll(async () => {
  if (!existsSync('dist/index.html')) throw new Error('pages not built: run "npm run build" first (npm test does)');
  authority = await startTestAuthority(['--option', 'time_between_authority_checks=1000', '--grant-points', '1000']);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await authority?.close();
});

afterEach(async () => {
  await context?.close();
});

/** Opens the submit page as this browser's lasting client (no ?ephemeral: its identity and series are kept). */
async function openClient(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${authority.url}/submit.html?join`);
  await waitInPage(page, () => (window.peerfarm as ClientRole).connectionState === 'joined', undefined, { timeout: 30_000 });
  return page;
}

/** Worker tabs and this browser's client tab, joined and seeing them all; the ids, and the client's balance before it spends. */
async function farmWith(count: number) {
  context = await newContext(browser, authority.url);
  const workers = await openWorkerTabs(context, authority.url, count);
  const client = await openClient();
  const clientId = await client.evaluate(() => (window.peerfarm as ClientRole).id!);
  const workerIds = await Promise.all(workers.map((page) => page.evaluate(() => (window.peerfarm as ClientRole).id!)));
  await until(async () => (await authority.points.balance(clientId)) !== null);
  await waitInPage(client, (n) => (window.peerfarm as ClientRole).workers.length >= n, count, { timeout: 30_000 });
  return { workers, client, clientId, workerIds, before: (await authority.points.balance(clientId))! };
}

function kept(page: Page): Promise<SavedSeries[]> {
  return page.evaluate(() => (window.peerfarm as ClientRole).series());
}

/** Starts a series of JOBS slow doublings without waiting for it; returns once `computed` are kept, then closes the tab. */
async function closeMidSeries(client: Page, computed: number): Promise<void> {
  await client.evaluate(({ code, jobs }) => {
    void (window.peerfarm as ClientRole).submit({ code, inputs: { start: 0, end: jobs - 1 }, timeoutMs: 20_000 }).catch(() => undefined);
  }, { code: SLOW_DOUBLE, jobs: JOBS });
  // Written down in IndexedDB (not only decided in memory), then the tab goes.
  await expect.poll(async () => (await kept(client))[0]?.computed ?? 0, { timeout: 120_000, interval: 100 }).toBeGreaterThanOrEqual(computed);
  await client.close();
}

/** Points each job of `series` was paid, from the workers' ledger entries (transfer ids name the job). */
async function paidByJob(series: string, workers: readonly string[]): Promise<Map<number, number>> {
  const paid = new Map<number, number>();
  for (const worker of workers) {
    for (const entry of await authority.points.history(worker, 1000)) {
      const job = new RegExp(`^p-${series}-(\\d+)-`).exec(entry.transferId ?? '')?.[1];
      if (entry.kind === 'post' && job !== undefined) paid.set(Number(job), (paid.get(Number(job)) ?? 0) + entry.amount);
    }
  }
  return paid;
}

describe('a series outlives its tab', () => {
  it('the client tab closed at a third: reopened, resumed from the list, all results right, no job run again or paid twice', async () => {
    const { workers, clientId, workerIds, before, ...opened } = await farmWith(3);
    let { client } = opened;

    await closeMidSeries(client, JOBS / 3);

    client = await openClient();
    const [series] = await kept(client);
    expect(series).toMatchObject({ state: 'unfinished', total: JOBS, label: 'doubles n, slowly' });
    expect(series!.running).toBeUndefined();
    expect(series!.computed).toBeGreaterThanOrEqual(JOBS / 3);
    expect(series!.computed).toBeLessThan(JOBS);
    const keptJobs = series!.computed;
    // The closed tab's escrow is still held: resume must release it, not hold the budget twice.
    expect((await authority.points.escrows(clientId)).length).toBeGreaterThan(0);

    // The list on the page shows it; its Resume button finishes it.
    const row = client.locator(`pf-saved-series tr[data-id="${series!.id}"]`);
    await expect.poll(() => row.locator('pf-status-badge').getAttribute('label'), { timeout: 10_000 }).toBe('Unfinished');
    await waitInPage(client, (n) => (window.peerfarm as ClientRole).workers.length >= n, workers.length, { timeout: 30_000 });
    await row.getByRole('button', { name: 'Resume' }).click();
    await waitInPage(client, () => ['done', 'failed'].includes((window.peerfarm as ClientRole).seriesState), undefined, { timeout: 180_000 });
    const outcome = await client.evaluate(() => {
      const role = window.peerfarm as ClientRole;
      return { state: role.seriesState, error: role.seriesError, result: role.seriesResult,
        workers: [...(role.foreman?.workers.values() ?? [])].map((w) => `${w.id.slice(0, 8)} ${w.state} ${w.error ?? ''}`) };
    });
    expect(outcome.error, `workers: ${outcome.workers.join('; ')}`).toBeUndefined();
    expect(outcome.state).toBe('done');
    expect(outcome.result!.results).toEqual(range(JOBS).map((n) => n * 2));
    expect(outcome.result!.restored).toBe(keptJobs);
    // Only the jobs the closed tab had not kept ran again.
    expect(outcome.result!.workers.reduce((sum, worker) => sum + worker.done, 0)).toBe(JOBS - keptJobs);
    await expect.poll(async () => (await kept(client)).find((s) => s.id === series!.id), { timeout: 10_000 })
      .toMatchObject({ state: 'done', computed: JOBS, paid: JOBS });
    await expect.poll(() => row.locator('pf-status-badge').getAttribute('label'), { timeout: 10_000 }).toBe('Done');

    // The ledger: every job paid once, by its own transfer id; the client charged exactly that.
    await until(async () => (await authority.points.escrows(clientId)).length === 0, 30_000);
    const paidJobs = await paidByJob(series!.id, workerIds);
    expect([...paidJobs.keys()].sort((a, b) => a - b)).toEqual(range(JOBS));
    expect([...paidJobs.values()].every((amount) => amount === 1)).toBe(true);
    expect(await authority.points.balance(clientId)).toBe(before - JOBS);
    expect(await authority.points.heldBy(clientId)).toBe(0);
    await authority.points.checkInvariant();
  }, 420_000);

  it('an interrupted series cancelled from the list: what its tab owed is paid once, its escrow released; then deleted', async () => {
    const { workers, clientId, workerIds, before, ...opened } = await farmWith(2);
    let { client } = opened;
    await closeMidSeries(client, 20);

    client = await openClient();
    const series = (await kept(client)).find((s) => s.state === 'unfinished')!;
    expect(series).toBeDefined();
    const row = client.locator(`pf-saved-series tr[data-id="${series.id}"]`);
    await row.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => row.locator('pf-status-badge').getAttribute('label'), { timeout: 30_000 }).toBe('Cancelled');
    expect(await row.getByRole('button', { name: 'Resume' }).count()).toBe(0);
    const cancelled = (await kept(client)).find((s) => s.id === series.id)!;
    expect(cancelled.computed).toBeGreaterThanOrEqual(20);
    // Each kept job paid once, and nothing else: no escrow left, the client charged what the workers got.
    const paidJobs = await paidByJob(series.id, workerIds);
    expect([...paidJobs.values()].every((amount) => amount === 1)).toBe(true);
    expect(paidJobs.size).toBe(cancelled.paid);
    expect(paidJobs.size).toBe(cancelled.computed);
    expect(await authority.points.escrows(clientId)).toEqual([]);
    expect(await authority.points.heldBy(clientId)).toBe(0);
    expect(await authority.points.balance(clientId)).toBe(before - paidJobs.size);

    await row.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(0);
    expect((await kept(client)).some((s) => s.id === series.id)).toBe(false);
    await authority.points.checkInvariant();
  }, 300_000);
});
