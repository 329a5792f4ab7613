// A series of 100,000 trivial jobs, started on the submit page and farmed to two worker tabs (each
// in its own browser context, as separate people's browsers are): it runs to the end, every result
// right and every job paid, while the page keeps showing its progress.
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientRole } from '../../src/peer/client-role.ts';
import { launchChromium, newContext } from '../helpers/chromium.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { waitForWorker, waitInPage } from '../helpers/pages.ts';

const JOBS = 100_000;
const DOUBLE = 'export default (n) => n * 2;';

let authority: TestAuthority;
let browser: Browser;
let workers: Page[];
let client: Page;

beforeAll(async () => {
  if (!existsSync('dist/index.html')) throw new Error('pages not built: run "npm run build" first (npm test does)');
  authority = await startTestAuthority(['--option', 'time_between_authority_checks=1000', '--grant-points', '1000000']);
  browser = await launchChromium();
  workers = await Promise.all([0, 1].map(async () => {
    const page = await (await newContext(browser, authority.url)).newPage();
    await page.goto(`${authority.url}/?ephemeral&join`);
    await waitForWorker(page, (s) => s.state === 'joined' && s.neighbours.length > 0, null, 30_000);
    return page;
  }));
  client = await (await newContext(browser, authority.url)).newPage();
  await client.goto(`${authority.url}/submit.html?ephemeral`);
  await waitInPage(client, () => (window.peerfarm as ClientRole).workers.length > 0, undefined, { timeout: 30_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await authority?.close();
});

/** The count the page's progress bar shows, read from the DOM as a person would see it. */
async function shownDone(): Promise<number> {
  const text = await client.locator('[role=progressbar][aria-label="Jobs done"]').getAttribute('aria-valuenow', { timeout: 5_000 }).catch(() => null);
  return Number(text ?? 0);
}

describe('a series of 100,000 jobs on the submit page', () => {
  it('runs to the end with every result right and every job paid, the page showing its progress as it goes', async () => {
    await expect.poll(() => client.evaluate(async () => (await (window.peerfarm as ClientRole).solicit()).length),
      { timeout: 30_000, interval: 250 }).toBe(2);
    await client.evaluate(({ code, jobs }) => {
      const role = window.peerfarm as ClientRole;
      const inputs = Array.from({ length: jobs }, (_, i) => i);
      const outcome = role.submit({ code, inputs, workers: role.bids.map((bid) => bid.id) }).then(
        (result) => ({
          right: result.results.every((value, i) => value === 2 * i),
          done: result.jobs.filter((job) => job.state === 'done').length,
          paid: result.paid,
        }),
        (error: unknown) => ({ error: String(error) }),
      );
      (window as unknown as { outcome: Promise<unknown> }).outcome = outcome;
    }, { code: DOUBLE, jobs: JOBS });

    // While it runs, the page keeps redrawing its progress: several different counts are seen.
    const seen = new Set<number>();
    await expect.poll(async () => {
      const done = await shownDone();
      if (done > 0 && done < JOBS) seen.add(done);
      return seen.size >= 5 || done === JOBS;
    }, { timeout: 300_000, interval: 200 }).toBe(true);
    expect(seen.size).toBeGreaterThanOrEqual(5);

    const outcome = await client.evaluate(() => (window as unknown as { outcome: Promise<unknown> }).outcome);
    expect(outcome).toEqual({ right: true, done: JOBS, paid: JOBS });
    await expect.poll(shownDone, { timeout: 10_000 }).toBe(JOBS);
    await authority.points.checkInvariant();
  }, 600_000);
});
