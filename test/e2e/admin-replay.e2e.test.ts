// The admin page's demo and network replay in Debian Chromium: "Start demo" spawns five worker tabs
// in frames, the client panel gets bids and spends points through a client frame, and the replay
// steps through the solicit and proffer traffic, marks an exception red, and shows the overlay the
// workers reported. Tested through what the views say they drew (`drawn`), not through pixels.
import { existsSync, mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminRole } from '../../src/peer/admin-role.ts';
import type { ClientRole } from '../../src/peer/client-role.ts';
import type { NetEvent } from '../../src/protocol/events.ts';
import type { Drawn } from '../../src/ui/admin/pf-replay-view.ts';
import { launchChromium, newContext } from '../helpers/chromium.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { isConnected, undirectedEdges, type ApiPeer } from '../helpers/graph.ts';

const WORKERS = 5;
const POINTS = 10;
const SHOTS = 'test-results';

let authority: TestAuthority;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  if (!existsSync('dist/admin.html')) throw new Error('pages not built: run "npm run build" first (npm test does)');
  mkdirSync(SHOTS, { recursive: true });
  authority = await startTestAuthority(['--option', 'time_between_authority_checks=1000']);
  browser = await launchChromium();
  context = await newContext(browser, authority.url);
  page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.goto(`${authority.url}/admin.html`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await authority?.close();
});

async function apiWorkers(): Promise<ApiPeer[]> {
  const body = await (await fetch(`${authority.url}/api/peers`)).json() as { peers: ApiPeer[] };
  return body.peers.filter((peer) => peer.role === 'worker');
}

function loadedEvents(): Promise<NetEvent[]> {
  return page.evaluate(() => (window.peerfarm as AdminRole).events);
}

/** What the replay view drew in its next frame. */
function drawn(): Promise<Drawn> {
  return page.locator('pf-replay-view').evaluate((view: HTMLElement & { drawn?: Drawn }) => new Promise<Drawn>((resolve) => {
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(view.drawn!)));
  }));
}

/** Moves the replay's slider to `time` (ms since 1970); releasing it snaps onward to the next event. */
async function seek(time: number): Promise<void> {
  const start = (await loadedEvents())[0]!.t;
  await page.getByRole('slider', { name: 'Replay time' }).fill(String(Math.max(0, time - start)));
}

/** The edges each worker last reported in its `overlay` events. */
function reportedEdges(events: readonly NetEvent[], workers: readonly ApiPeer[]): string[] {
  const latest = new Map<string, readonly string[]>();
  for (const event of events) if (event.kind === 'overlay') latest.set(event.node, event.ids ?? []);
  return undirectedEdges(workers.map((worker) => ({ ...worker, neighbours: [...(latest.get(worker.id) ?? [])] })));
}

function clientFrame(): Frame {
  const frame = page.frames().find((candidate) => candidate.url().includes('/submit.html'));
  if (!frame) throw new Error('no client frame');
  return frame;
}

describe('the admin page demo and network replay', () => {
  let workers: ApiPeer[] = [];

  it('starts five worker tabs in frames that form a connected overlay', async () => {
    await page.getByRole('spinbutton', { name: 'Workers' }).fill(String(WORKERS));
    await page.getByRole('button', { name: 'Start demo' }).click();
    await expect.poll(async () => {
      workers = await apiWorkers();
      return workers.length === WORKERS && isConnected(workers) && workers.every((worker) => worker.neighbours.length > 0);
    }, { timeout: 30_000, interval: 500 }).toBe(true);
    await expect.poll(() => page.locator('pf-demo-panel iframe').count()).toBe(WORKERS + 1);
  }, 40_000);

  it('gets a bid from every worker and spends points through the client frame', async () => {
    await expect.poll(async () => {
      await page.getByRole('button', { name: 'Get bids' }).click();
      await page.locator('pf-demo-panel p.bids').waitFor({ timeout: 15_000 });
      return page.locator('pf-demo-panel table.bid-list tbody tr').count();
    }, { timeout: 25_000, interval: 500 }).toBe(WORKERS);
    await page.getByRole('button', { name: `Spend ${POINTS} points` }).click();
    await expect(page.locator('pf-demo-panel .spent').textContent({ timeout: 30_000 })).resolves
      .toMatch(new RegExp(`Paid ${POINTS} points for ${POINTS} jobs`));
    expect(await page.locator('pf-demo-panel .results').textContent()).toContain('2, 4, 6, 8, 10');
    // One command a worker refuses, for the error list.
    const target = workers[0]!.id;
    await clientFrame().evaluate((id) => (window.peerfarm as ClientRole).exchange(id, ['frobnicate now'], 300), target);
  }, 60_000);

  it('loads the solicit and proffer lines and the overlay the workers reported', async () => {
    await expect.poll(async () => {
      const events = await loadedEvents();
      const texts = events.map((event) => event.text ?? '');
      return texts.some((text) => text.startsWith('solicit ')) && texts.some((text) => text.startsWith('proffer '))
        && events.some((event) => event.result === 'exception')
        && JSON.stringify(reportedEdges(events, workers)) === JSON.stringify(undirectedEdges(workers));
    }, { timeout: 20_000, interval: 500 }).toBe(true);
  }, 30_000);

  it('steps with > through the traffic and shows the solicit and the proffers', async () => {
    await page.getByRole('tab', { name: 'Replay' }).click();
    const events = await loadedEvents();
    const solicit = events.find((event) => event.kind === 'out' && event.text?.startsWith('solicit -job'))!;
    await seek(solicit.t - 1);
    const seen = new Set<string>();
    let before = (await drawn()).time;
    for (let step = 0; step < 120 && !(seen.has('solicit') && seen.has('proffer')); step++) {
      await page.getByRole('button', { name: 'Next event' }).click();
      const now = await drawn();
      expect(now.view).toBe('traffic');
      expect(now.time).toBeGreaterThan(before);
      before = now.time;
      for (const arrow of now.arrows) {
        const command = arrow.text.split(' ')[0]!;
        if ((command === 'solicit' || command === 'proffer') && now.nodes.includes(arrow.from) && now.nodes.includes(arrow.to)) seen.add(command);
      }
      if (seen.has('solicit') && seen.has('proffer')) {
        const proffer = now.arrows.find((arrow) => arrow.text.startsWith('proffer '))!;
        expect(workers.map((worker) => worker.id)).toContain(proffer.from);
        await page.locator('pf-replay-view').screenshot({ path: `${SHOTS}/replay-traffic.png` });
      }
    }
    expect([...seen].sort()).toEqual(['proffer', 'solicit']);
  }, 30_000);

  it('lists the refused command as an error, red in the traffic view', async () => {
    await page.locator('pf-replay-errors button.row').first().click();
    const now = await drawn();
    const refused = now.arrows.find((arrow) => arrow.text === 'frobnicate now');
    expect(refused).toMatchObject({ error: true, to: workers[0]!.id });
    // The worker's exception reply may leave a moment later: step on until it is drawn.
    let reply = now.arrows.find((arrow) => arrow.text.startsWith('exception {bad command'));
    for (let step = 0; step < 10 && !reply; step++) {
      await page.getByRole('button', { name: 'Next event' }).click();
      reply = (await drawn()).arrows.find((arrow) => arrow.text.startsWith('exception {bad command'));
    }
    expect(reply).toMatchObject({ error: true, from: workers[0]!.id });
  }, 15_000);

  it('shows the overlay links the workers reported, with a ring where they changed', async () => {
    await page.getByRole('button', { name: 'P2P network' }).click();
    const events = await loadedEvents();
    const firstLinks = events.find((event) => event.kind === 'overlay' && (event.ids?.length ?? 0) > 0)!;
    await seek(firstLinks.t);
    const changed = await drawn();
    expect(changed.time).toBe(firstLinks.t);
    expect(changed.rings).toContain(firstLinks.node);

    const slider = page.getByRole('slider', { name: 'Replay time' });
    await slider.fill((await slider.getAttribute('max'))!);
    const end = await drawn();
    expect(end.view).toBe('overlay');
    const live = await apiWorkers();
    expect(end.edges).toEqual(undirectedEdges(live));
    for (const worker of live) expect(end.nodes).toContain(worker.id);
    await page.locator('pf-replay-view').screenshot({ path: `${SHOTS}/replay-overlay.png` });
  }, 15_000);

  it('plays at 20× to the end; a dragged node stays where it was put', async () => {
    await page.getByRole('button', { name: 'Network traffic' }).click();
    const events = await loadedEvents();
    await seek(events[0]!.t);
    const slider = page.getByRole('slider', { name: 'Replay time' });
    const end = events[0]!.t + Number(await slider.getAttribute('max'));
    await page.getByRole('button', { name: '20×' }).click();
    await page.getByRole('button', { name: 'Play' }).click();
    // The demo's timeline is a few seconds: at 20× it plays through at once, and stops at the end.
    await expect.poll(async () => (await drawn()).time, { timeout: 10_000 }).toBeGreaterThanOrEqual(end);
    await page.getByRole('button', { name: 'Play' }).waitFor();

    const worker = workers[1]!.id;
    const from = (await drawn()).positions[worker]!;
    const box = (await page.locator('pf-replay-view canvas').boundingBox())!;
    await page.mouse.move(box.x + from.x, box.y + from.y);
    await page.mouse.down();
    await page.mouse.move(box.x + from.x - 80, box.y + from.y + 40, { steps: 4 });
    await page.mouse.up();
    await page.getByRole('button', { name: 'Previous event' }).click();
    const moved = (await drawn()).positions[worker]!;
    // Positions are whole pixels; the canvas may sit at a fraction of one.
    expect(Math.abs(moved.x - (from.x - 80))).toBeLessThanOrEqual(2);
    expect(Math.abs(moved.y - (from.y + 40))).toBeLessThanOrEqual(2);
    await page.getByRole('button', { name: 'Reset layout' }).click();
    expect((await drawn()).positions[worker]).toEqual(from);
  }, 20_000);

  it('stops the demo: the frames go and the authority forgets them', async () => {
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.locator('pf-demo-panel iframe').count()).toBe(0);
    await expect.poll(async () => (await apiWorkers()).length, { timeout: 15_000, interval: 500 }).toBe(0);
  }, 20_000);
});
