// The README's default run, driven through the submit page's own controls in Debian Chromium: an
// authority with default settings (three grants per address and day), three worker tabs and the
// submit page on one machine; the Mandelbrot example picked from the menu and started with Run
// farms 256 tiles to the workers, and the page draws the picture on its canvas as they come back.
// Bad inputs are refused in the form, before any series.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientRole } from '../../src/peer/client-role.ts';
import { launchChromium, newContext } from '../helpers/chromium.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { waitForWorker, waitInPage } from '../helpers/pages.ts';

const TILES = 256;
/** Where the screenshot artifact goes (test-results/ is kept by CI). */
const SCREENSHOT = 'test-results/submit-page-mandelbrot.png';

let authority: TestAuthority;
let browser: Browser;
let context: BrowserContext;
let client: Page;

/** Pixels of the Mandelbrot canvas, read inside the page (it sits three shadow roots deep). */
function readCanvas(page: Page, points: ReadonlyArray<readonly [number, number]>) {
  return page.evaluate((at) => {
    const root = document.querySelector('pf-submit-page')!.shadowRoot!;
    const view = root.querySelector('pf-series-card')!.shadowRoot!.querySelector('pf-mandelbrot-view')!;
    const canvas = view.shadowRoot!.querySelector('canvas')!;
    const ctx = canvas.getContext('2d')!;
    return at.map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data));
  }, points);
}

beforeAll(async () => {
  if (!existsSync('dist/index.html')) throw new Error('pages not built: run "npm run build" first (npm test does)');
  // Default settings: the test helper's lifted per-address grant limit is set back to the default.
  authority = await startTestAuthority(['--grants-per-ip-per-day', '3']);
  browser = await launchChromium();
  context = await newContext(browser, authority.url);
  // One after another, as people open them: each new tab sees the earlier ones in its peer list.
  for (let n = 0; n < 3; n++) {
    const page = await context.newPage();
    await page.goto(`${authority.url}/?ephemeral&join`);
    await waitForWorker(page, (s, first) => s.state === 'joined' && (first || s.neighbours.length > 0), n === 0, 30_000);
  }
  client = await context.newPage();
  await client.setViewportSize({ width: 1280, height: 1000 });
  await client.goto(`${authority.url}/submit.html?ephemeral`);
  await waitInPage(client, () => window.peerfarm !== undefined && (window.peerfarm as ClientRole).workers.length >= 3,
    undefined, { timeout: 20_000 });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await authority?.close();
});

describe('the submit page', () => {
  it('runs the Mandelbrot example chosen in the menu and draws every tile on the canvas', async () => {
    await client.locator('pf-series-form select#example').selectOption('mandelbrot');
    await client.locator('pf-series-form button.primary', { hasText: 'Run' }).click();
    await waitInPage(client, () => ['done', 'failed'].includes((window.peerfarm as ClientRole).seriesState),
      undefined, { timeout: 90_000 });

    const series = await client.evaluate(() => {
      const role = window.peerfarm as ClientRole;
      const result = role.seriesResult;
      return {
        state: role.seriesState, error: role.seriesError,
        jobs: result?.jobs.map((job) => job.state) ?? [],
        tiles: result?.results.filter((tile) => typeof tile === 'string' && atob(tile).length === 128 * 128).length,
      };
    });
    expect(series.state, series.error).toBe('done');
    expect(series.jobs).toEqual(Array(TILES).fill('done'));
    expect(series.tiles).toBe(TILES);

    // The centre of every fifth tile in both directions (16 tiles spread over the image) is painted.
    const centres = [0, 5, 10, 15].flatMap((ty) => [0, 5, 10, 15].map((tx) => [tx * 128 + 64, ty * 128 + 64] as const));
    await expect.poll(async () => (await readCanvas(client, centres)).filter(([, , , alpha]) => alpha === 255).length,
      { timeout: 5_000 }).toBe(centres.length);

    // And it is the Mandelbrot set: c = -0.2 (pixel 1280, 1024) is inside (dark), c = -2.17 + 1.57i far outside (pale).
    const [inside, outside] = await readCanvas(client, [[1280, 1024], [16, 16]]);
    const brightness = (pixel: number[]) => pixel[0]! + pixel[1]! + pixel[2]!;
    expect(brightness(inside!)).toBeLessThan(150);
    expect(brightness(outside!)).toBeGreaterThan(450);

    mkdirSync('test-results', { recursive: true });
    await client.locator('pf-series-card').screenshot({ path: SCREENSHOT, animations: 'disabled' });

    // The results download as NDJSON (a line a tile) and CSV (a row a tile, the base64 in `value`).
    const saved = async (format: string) => {
      const [download] = await Promise.all([client.waitForEvent('download'), client.locator('pf-series-card .downloads button', { hasText: new RegExp(`^${format}$`) }).click()]);
      expect(download.suggestedFilename()).toMatch(new RegExp(`^peerfarm-series-.*\\.${format.toLowerCase()}$`));
      return readFileSync((await download.path())!, 'utf8');
    };
    const lines = (await saved('NDJSON')).trimEnd().split('\n').map((line) => JSON.parse(line) as { index: number; value: string });
    expect(lines.map((line) => line.index)).toEqual(Array.from({ length: TILES }, (_, i) => i));
    expect(lines.every((line) => atob(line.value).length === 128 * 128)).toBe(true);
    const rows = (await saved('CSV')).trimEnd().split('\r\n');
    expect(rows[0]).toBe('index,state,worker,value');
    expect(rows.length).toBe(TILES + 1);
    expect(rows[1]).toMatch(/^0,done,[^,]+,[A-Za-z0-9+/=]+$/);
  }, 120_000);

  it('runs the WebAssembly example, its .wasm sent once per worker as args, and finds the longest Collatz chain below a million', async () => {
    await client.locator('pf-series-form select#example').selectOption('collatz');
    await client.locator('pf-series-form button.primary', { hasText: 'Run' }).click();
    await waitInPage(client, () => ['done', 'failed'].includes((window.peerfarm as ClientRole).seriesState),
      undefined, { timeout: 90_000 });
    const state = await client.evaluate(() => ({ state: (window.peerfarm as ClientRole).seriesState, error: (window.peerfarm as ClientRole).seriesError }));
    expect(state.state, state.error).toBe('done');
    // 837,799 has the longest chain below a million: 524 steps.
    await expect.poll(() => client.locator('pf-series-card pf-series-readout .value').textContent()).toBe('837,799: 524 steps');
  }, 120_000);

  it('refuses inputs that are not a JSON array in the form, without starting a series', async () => {
    const before = await client.evaluate(() => (window.peerfarm as ClientRole).seriesState);
    await client.locator('pf-series-form pf-inputs-editor textarea').fill('[1, 2');
    await client.locator('pf-series-form button.primary', { hasText: 'Run' }).click();
    await expect.poll(() => client.locator('pf-series-form .notice-error').textContent()).toContain('Not valid JSON');
    expect(await client.evaluate(() => (window.peerfarm as ClientRole).seriesState)).toBe(before);
  });
});
