// The tabs of the farm benches (farm, scale): worker tabs and one client tab, each in a browser
// context of its own as separate people's browsers are, and the client tab's main-thread CPU.
import type { Browser, Page } from 'playwright-core';
import type { ClientRole } from '../src/peer/client-role.ts';
import type { WorkerRole } from '../src/peer/worker-role.ts';
import { newContext } from '../test/helpers/chromium.ts';
import { waitInPage } from '../test/helpers/pages.ts';

/** Bounds the knitting of the overlay; a bench that cannot start fails instead of hanging. */
const JOIN_TIMEOUT_MS = 60_000;

export async function openWorkerTabs(browser: Browser, origin: string, count: number, threads?: number): Promise<Page[]> {
  const query = threads === undefined ? '' : `&threads=${threads}`;
  return Promise.all(Array.from({ length: count }, async () => {
    const page = await (await newContext(browser, origin)).newPage();
    await page.goto(`${origin}/?ephemeral&join&trace${query}`);
    await waitInPage(page, () => (window.peerfarm as WorkerRole | undefined)?.neighbours.length, undefined, { timeout: JOIN_TIMEOUT_MS });
    return page;
  }));
}

/**
 * A submit page that has bids from all `workers` tabs (the overlay may still be knitting). Ephemeral,
 * so it keeps no series, unless PEERFARM_BENCH_KEPT=1: then it keeps them in IndexedDB as a person's
 * tab does (series-store.ts), to measure what that costs.
 */
export async function openClientTab(browser: Browser, origin: string, workers: number): Promise<Page> {
  const client = await (await newContext(browser, origin)).newPage();
  await client.goto(`${origin}/submit.html?${process.env['PEERFARM_BENCH_KEPT'] === '1' ? '' : 'ephemeral&'}trace`);
  // Joined with a first peer to ask; solicit then floods the overlay for the rest.
  await waitInPage(client, () => (window.peerfarm as ClientRole).workers.length > 0, undefined, { timeout: JOIN_TIMEOUT_MS });
  const deadline = Date.now() + JOIN_TIMEOUT_MS;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    if ((await client.evaluate(() => (window.peerfarm as ClientRole).solicit())).length >= workers) return client;
    await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 250 * (attempt + 1))));
  }
  throw new Error(`fewer than ${workers} bids after ${JOIN_TIMEOUT_MS / 1000} s`);
}

/**
 * The page's main-thread busy time so far, in ms (Chromium's TaskDuration): what the tab's own
 * JavaScript, style, layout and paint cost, apart from the other tabs sharing the machine.
 */
export async function cpuMeter(page: Page): Promise<() => Promise<number>> {
  const session = await page.context().newCDPSession(page);
  await session.send('Performance.enable', { timeDomain: 'threadTicks' });
  return async () => {
    const { metrics } = await session.send('Performance.getMetrics');
    return (metrics.find((metric) => metric.name === 'TaskDuration')?.value ?? NaN) * 1000;
  };
}
