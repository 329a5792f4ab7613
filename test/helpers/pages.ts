// Reading the pages' roles (`window.peerfarm`) from playwright. The pages' CSP forbids evaluating
// strings, which playwright's waitForFunction does, so conditions are polled with evaluate (run
// over the DevTools protocol, which the CSP does not govern) and checked here.
import type { BrowserContext, Page } from 'playwright-core';
import type { ClientRole } from '../../src/peer/client-role.ts';
import type { WorkerRole } from '../../src/peer/worker-role.ts';

export type WorkerSnapshot = ReturnType<WorkerRole['snapshot']>;

/** Between two looks at a page: often enough to follow a series, rarely enough to cost nothing. */
const POLL_INTERVAL_MS = 100;

export function workerSnapshot(page: Page): Promise<WorkerSnapshot> {
  return page.evaluate(() => (window.peerfarm as WorkerRole).snapshot());
}

/** Waits until `condition(arg)`, run in the page, is truthy; bounded by `timeout`. */
export async function waitInPage<A>(page: Page, condition: (arg: A) => unknown, arg: A, { timeout = 10_000 } = {}): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await page.evaluate(condition as (arg: unknown) => unknown, arg)) return;
    if (Date.now() > deadline) throw new Error(`waitInPage: ${condition.toString().slice(0, 120)} not met within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/** Waits until the worker page's snapshot satisfies `predicate(snapshot, arg)`. */
export async function waitForWorker<A>(
  page: Page, predicate: (snapshot: WorkerSnapshot, arg: A) => boolean, arg: A, timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snapshot = await page.evaluate(() => (window.peerfarm as WorkerRole | undefined)?.snapshot());
    if (snapshot && predicate(snapshot, arg)) return;
    if (Date.now() > deadline) throw new Error(`waitForWorker: ${predicate.toString().slice(0, 120)} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/** Opens `count` worker tabs (ephemeral, joined at once) on `url` and waits until each has joined. */
export function openWorkerTabs(context: BrowserContext, url: string, count: number): Promise<Page[]> {
  return Promise.all(Array.from({ length: count }, async () => {
    const page = await context.newPage();
    await page.goto(`${url}/?ephemeral&join`);
    await waitForWorker(page, (s) => s.state === 'joined', null, 30_000);
    return page;
  }));
}

/** Jobs of the submit page's current series done so far (0 before it has one). */
export function jobsDone(client: Page): Promise<number> {
  return client.evaluate(() => (window.peerfarm as ClientRole).foreman?.queue.count('done') ?? 0);
}
