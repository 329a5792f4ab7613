// Reading the worker page's role (`window.peerfarm`) from playwright.
import type { Page } from 'playwright-core';
import type { WorkerRole } from '../../src/peer/worker-role.ts';

export type WorkerSnapshot = ReturnType<WorkerRole['snapshot']>;

export function workerSnapshot(page: Page): Promise<WorkerSnapshot> {
  return page.evaluate(() => (window.peerfarm as WorkerRole).snapshot());
}

/** Waits until the worker page's snapshot satisfies `predicate(snapshot, arg)`, evaluated in the page. */
export async function waitForWorker<A>(
  page: Page, predicate: (snapshot: WorkerSnapshot, arg: A) => boolean, arg: A, timeoutMs = 10_000,
): Promise<void> {
  // Playwright cannot send a closure into the page, so the predicate travels as source text.
  const expression = `window.peerfarm !== undefined && (${predicate.toString()})(window.peerfarm.snapshot(), ${JSON.stringify(arg)})`;
  await page.waitForFunction(expression, undefined, { timeout: timeoutMs });
}
