// Two worker tabs in Debian Chromium join a real authority and see each other; a closed tab
// disappears from the other's list.
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newContext } from '../helpers/chromium.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { waitForWorker, workerSnapshot as snapshot } from '../helpers/pages.ts';

let authority: TestAuthority;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync('dist/index.html')) throw new Error('pages not built: run "npm run build" first (npm test does)');
  authority = await startTestAuthority(['--peer-expiry-ms', '3000', '--option', 'time_between_authority_checks=300']);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await authority?.close();
});

async function openWorker(): Promise<Page> {
  const context = await newContext(browser, authority.url);
  const page = await context.newPage();
  await page.goto(`${authority.url}/?ephemeral&join`);
  await waitForWorker(page, (s) => s.state === 'joined', null);
  return page;
}

describe('worker tabs', () => {
  it('join, see each other, and lose a closed tab from the list', async () => {
    const [a, b] = [await openWorker(), await openWorker()];
    const [idA, idB] = [(await snapshot(a)).id!, (await snapshot(b)).id!];
    expect(idA).toMatch(/^[0-9a-f]{32}$/);
    expect(idB).not.toBe(idA);

    await waitForWorker(a, (s, id) => s.peers.includes(id), idB);
    await waitForWorker(b, (s, id) => s.peers.includes(id), idA);
    expect(await snapshot(a)).toMatchObject({ connection: 'joined', protocol: 'p2p:authority<-worker/2', address: '127.0.0.1' });
    await expect.poll(() => a.getByText(idB.slice(0, 8)).count()).toBeGreaterThan(0);

    const { peers } = await (await fetch(`${authority.url}/api/peers`)).json() as { peers: { id: string }[] };
    expect(peers.map((peer) => peer.id).sort()).toEqual([idA, idB].sort());

    await b.context().close();
    await waitForWorker(a, (s, id) => !s.peers.includes(id), idB);
    expect(authority.registry.get(idB)).toBeUndefined();
  });
});
