// Peer farm across hosts (DESIGN.md section 8, "Across machines"), on a network the test builds
// from namespaces (test/helpers/netns.ts): a bridge on 10.233.0.0/24 with no route out, the real
// authority on HTTPS in one host with coturn beside it, two worker hosts and a client host, each
// its own Chromium. Workers on different hosts form the overlay and the client farms a series over
// LAN host candidates; then a worker behind a NAT that lets only the authority and the TURN server
// through farms a series over a TURN relay. Every link's selected candidate pair is read with
// getStats, and the ledger is checked after each series. Skipped, with the reason, when not root
// or when `ip netns` cannot be used.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientRole } from '../../src/peer/client-role.ts';
import type { SeriesResult } from '../../src/peer/farm/foreman.ts';
import type { SubmitRequest } from '../../src/peer/farm/submit-request.ts';
import type { WorkerRole } from '../../src/peer/worker-role.ts';
import { openLedger } from '../../signaling/ledger/database.ts';
import { Ledger } from '../../signaling/ledger/ledger.ts';
import { launchChromium, newContext } from '../helpers/chromium.ts';
import { netnsUnavailable, TestNetwork, type NetHost } from '../helpers/netns.ts';
import {
  AUTHORITY_PORT, makeTestCertificate, recordPeerConnections, selectedPairs, startCoturn, startNetAuthority, TURN_PORT,
  type Coturn, type NetAuthority, type SelectedPair, type TestCertificate,
} from '../helpers/net-services.ts';
import { waitForWorker, waitInPage, workerSnapshot } from '../helpers/pages.ts';

/** Each job waits a little, so a series is still running when its links are looked at. */
const SLOW_DOUBLE = 'export default async (n) => { await new Promise((r) => setTimeout(r, 40)); return n * 2; };';
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** A fresh secret per run, shared by coturn and the authority only. */
const TURN_SECRET = randomBytes(24).toString('base64url');

declare global {
  interface Window { hostsRun?: Promise<{ ok: true; result: SeriesResult } | { ok: false; error: string }> }
}

interface Tab {
  readonly host: NetHost;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
}

const unavailable = netnsUnavailable();
if (unavailable !== undefined) console.warn(`hosts.e2e: skipped: ${unavailable}`);

describe.skipIf(unavailable !== undefined)(`a farm across hosts on a test network${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let network: TestNetwork;
  let authorityHost: NetHost;
  let certDir: string;
  let cert: TestCertificate;
  let coturn: Coturn;
  let authority: NetAuthority;
  const tabs: Tab[] = [];
  let workers: Tab[] = [];
  let client: Tab;

  async function openTab(host: NetHost, path: string): Promise<Tab> {
    const browser = await launchChromium({ netns: host.ns, trustSpki: [cert.spki], reach: [authorityHost.address] });
    // The microphone grant makes Chromium gather on every interface: a namespace has no default route.
    const context = await newContext(browser, authority.url);
    await recordPeerConnections(context);
    const page = await context.newPage();
    const tab = { host, browser, context, page };
    tabs.push(tab);
    await page.goto(`${authority.url}${path}`);
    return tab;
  }

  async function openWorker(host: NetHost): Promise<Tab> {
    const tab = await openTab(host, '/?ephemeral&join');
    await waitForWorker(tab.page, (s) => s.state === 'joined' && s.neighbours.length > 0, null, 40_000);
    return tab;
  }

  /** Solicits until `expected` workers bid, starts the series on `pick` of them, and returns their ids. */
  async function startSeries(expected: number, request: SubmitRequest, pick: (ids: string[]) => string[] = (ids) => ids): Promise<string[]> {
    // Asks for the list of listening workers again each time it looks (the periodic refresh is 60 s).
    await waitInPage(client.page, (n) => {
      const role = window.peerfarm as ClientRole;
      role.refresh();
      return role.workers.length >= n;
    }, expected, { timeout: 30_000 });
    await expect.poll(async () => (await client.page.evaluate(() => (window.peerfarm as ClientRole).solicit())).length,
      { timeout: 40_000, interval: 300 }).toBe(expected);
    const ids = pick(await client.page.evaluate(() => (window.peerfarm as ClientRole).bids.map((bid) => bid.id)));
    await client.page.evaluate(([r, hired]) => {
      window.hostsRun = (window.peerfarm as ClientRole).submit({ ...r, workers: hired })
        .then((result) => ({ ok: true as const, result }), (error: unknown) => ({ ok: false as const, error: String(error) }));
    }, [request, ids] as const);
    return ids;
  }

  /** Waits until `count` jobs are done: every hired worker's link is up and carrying jobs. */
  async function jobsDone(count: number): Promise<void> {
    await waitInPage(client.page, (n) => ((window.peerfarm as ClientRole).foreman?.queue.jobs.filter((job) => job.state === 'done').length ?? 0) >= n,
      count, { timeout: 30_000 });
  }

  async function seriesOutcome(): Promise<SeriesResult> {
    const outcome = await client.page.evaluate(() => window.hostsRun!);
    if (!outcome.ok) throw new Error(`the series failed: ${outcome.error}`);
    return outcome.result;
  }

  /** Reads the authority's ledger file (SQLite in WAL mode: a second reader is fine). */
  function withLedger<T>(use: (ledger: Ledger) => T): T {
    const db = openLedger(authority.dataDir);
    try {
      return use(new Ledger({ db }));
    } finally {
      db.close();
    }
  }

  beforeAll(async () => {
    network = TestNetwork.create();
    authorityHost = network.addHost('authority');
    const workerHosts = [network.addHost('worker1'), network.addHost('worker2')];
    const clientHost = network.addHost('client');
    certDir = mkdtempSync(join(tmpdir(), 'peerfarm-hosts-cert-'));
    cert = await makeTestCertificate(certDir, [authorityHost.address]);
    coturn = await startCoturn(network, authorityHost, TURN_SECRET);
    authority = await startNetAuthority(network, authorityHost, cert, [
      '--turn-url', coturn.url, '--turn-secret', TURN_SECRET, '--grant-points', '10000',
    ]);
    workers = await Promise.all(workerHosts.map(openWorker));
    client = await openTab(clientHost, '/submit.html?ephemeral');
    await waitInPage(client.page, () => (window.peerfarm as ClientRole).connectionState === 'joined', undefined, { timeout: 30_000 });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(tabs.map((tab) => tab.browser.close().catch(() => undefined)));
    await coturn?.close();
    await network?.close();
    if (authority) rmSync(authority.dataDir, { recursive: true, force: true });
    if (certDir) rmSync(certDir, { recursive: true, force: true });
    const left = network?.existing() ?? [];
    if (left.length > 0) throw new Error(`namespaces left behind: ${left.join(', ')}`);
  }, 60_000);

  it('serves the pages over HTTPS from the authority host, and pushes ICE beyond loopback with TURN credentials', async () => {
    expect(authority.url).toBe(`https://${authorityHost.address}:${AUTHORITY_PORT}`);
    const options = await workers[0]!.page.evaluate(() => (window.peerfarm as WorkerRole).options.snapshot());
    expect(options.ice_loopback_only).toBe(0);
    expect(options.ice_servers).toBe(`turn:${authorityHost.address}:${TURN_PORT}?transport=udp`);
    expect(options.turn_username).toMatch(/^\d+:[0-9a-f]+$/);
    expect(options.turn_credential).not.toBe('');
    expect(await workers[0]!.page.evaluate(() => isSecureContext)).toBe(true);
  });

  it('says in plain words why a page opened over plain HTTP from another host cannot join, and what to do', async () => {
    const plain = await startNetAuthority(network, authorityHost, undefined, [], AUTHORITY_PORT + 1);
    try {
      expect(plain.url).toBe(`http://${authorityHost.address}:${AUTHORITY_PORT + 1}`);
      const page = await client.context.newPage();
      await page.goto(`${plain.url}/?ephemeral&join`);
      expect(await page.evaluate(() => isSecureContext)).toBe(false);
      await waitInPage(page, () => (window.peerfarm as WorkerRole | undefined)?.error !== undefined, undefined, { timeout: 20_000 });
      const shown = await page.evaluate(() => ({ state: (window.peerfarm as WorkerRole).state, error: (window.peerfarm as WorkerRole).error }));
      expect(shown.state).toBe('idle');
      expect(shown.error).toContain(`This page (${plain.url}) was opened over plain HTTP from another machine`);
      expect(shown.error).toContain('Open it over HTTPS (start the authority with --tls self-signed, or --tls-cert and --tls-key)');
      await expect.poll(() => page.getByText(/was opened over plain HTTP from another machine/).count(), { timeout: 10_000 }).toBeGreaterThan(0);
      await page.close();
    } finally {
      await network.stop(plain.process);
      rmSync(plain.dataDir, { recursive: true, force: true });
    }
  });

  it('farms a series across two worker hosts over LAN host candidates, and the ledger pays each worker', async () => {
    const workerIds = await Promise.all(workers.map(async (tab) => (await workerSnapshot(tab.page)).id!));
    // The overlay spans the hosts: each worker's neighbour is the other host's worker.
    await Promise.all(workers.map((tab, i) =>
      waitForWorker(tab.page, (s, other) => s.neighbours.some((n) => n.id === other), workerIds[1 - i]!, 30_000)));
    const clientId = await client.page.evaluate(() => (window.peerfarm as ClientRole).id!);
    const before = withLedger((ledger) => new Map([clientId, ...workerIds].map((id) => [id, ledger.balance(id) ?? 0])));
    const inputs = range(60);
    expect(new Set(await startSeries(2, { code: SLOW_DOUBLE, inputs }))).toEqual(new Set(workerIds));
    await jobsDone(6);
    const pairs = new Map<Tab, SelectedPair[]>();
    for (const tab of [client, ...workers]) pairs.set(tab, await selectedPairs(tab.page));
    const result = await seriesOutcome();

    expect(result.results).toEqual(inputs.map((n) => n * 2));
    expect(result.paid).toBe(inputs.length);
    expect(result.workers.map((w) => w.id).sort()).toEqual([...workerIds].sort());
    expect(result.workers.every((w) => w.done > 0), JSON.stringify(result.workers)).toBe(true);
    // Links from the client host to both worker hosts, each on host candidates of the bridge's subnet.
    const workerAddresses = workers.map((tab) => tab.host.address);
    const clientPairs = pairs.get(client)!;
    expect(clientPairs.length, JSON.stringify(clientPairs)).toBeGreaterThanOrEqual(2);
    for (const pair of clientPairs) {
      expect(pair.local, JSON.stringify(pair)).toMatchObject({ address: client.host.address, type: 'host', protocol: 'udp' });
      if (pair.remote.address !== '') expect(workerAddresses).toContain(pair.remote.address);
    }
    // Each worker's links, the overlay link to the other worker host among them, on host candidates too.
    for (const [i, tab] of workers.entries()) {
      const own = pairs.get(tab)!;
      for (const pair of own) expect(pair.local, JSON.stringify(own)).toMatchObject({ address: tab.host.address, type: 'host' });
      expect(own.map((pair) => pair.remote.address), JSON.stringify(own)).toEqual(expect.arrayContaining([client.host.address, workers[1 - i]!.host.address]));
      expect(own.map((pair) => pair.remote.type)).not.toContain('relay');
    }

    withLedger((ledger) => {
      ledger.checkInvariant();
      expect(ledger.balance(clientId)).toBe(before.get(clientId)! - inputs.length);
      for (const stats of result.workers) expect(ledger.balance(stats.id)).toBe(before.get(stats.id)! + stats.done);
      expect(ledger.holds(clientId)).toEqual([]);
      expect(ledger.escrows(clientId)).toEqual([]);
    });
  }, 90_000);

  it('farms a series on a worker behind a NAT that only a TURN relay gets through, and pays it', async () => {
    const { host: hiddenHost } = network.addNatHost('hidden', [
      { address: authorityHost.address, protocol: 'tcp', port: AUTHORITY_PORT },
      { address: authorityHost.address, protocol: 'udp', port: TURN_PORT },
    ]);
    const hidden = await openWorker(hiddenHost);
    workers.push(hidden);
    const hiddenId = (await workerSnapshot(hidden.page)).id!;
    const clientId = await client.page.evaluate(() => (window.peerfarm as ClientRole).id!);
    const before = withLedger((ledger) => ({ client: ledger.balance(clientId)!, hidden: ledger.balance(hiddenId) ?? 0 }));
    const inputs = range(30);
    expect(await startSeries(3, { code: SLOW_DOUBLE, inputs }, (ids) => ids.filter((id) => id === hiddenId))).toEqual([hiddenId]);
    await jobsDone(3);
    const hiddenPairs = await selectedPairs(hidden.page);
    const clientPairs = await selectedPairs(client.page);
    const result = await seriesOutcome();

    expect(result.results).toEqual(inputs.map((n) => n * 2));
    expect(result.paid).toBe(inputs.length);
    expect(result.workers).toEqual([expect.objectContaining({ id: hiddenId, done: inputs.length })]);
    // Every link of the hidden worker (overlay and client) runs through a relay on coturn's address.
    expect(hiddenPairs.length, JSON.stringify(hiddenPairs)).toBeGreaterThanOrEqual(2);
    for (const pair of hiddenPairs) {
      expect(pair.local, JSON.stringify(hiddenPairs)).toMatchObject({ type: 'relay', address: authorityHost.address });
    }
    // The client reaches it at coturn's relay address, from its own host candidate.
    expect(clientPairs.some((pair) => pair.remote.address === authorityHost.address && pair.local.type === 'host'), JSON.stringify(clientPairs)).toBe(true);
    // coturn allocated relays for credentials the authority minted: `<expiry>:<link token>`.
    expect(coturn.log()).toMatch(/user <\d+:[0-9a-f]+>: incoming packet ALLOCATE processed, success/);

    withLedger((ledger) => {
      ledger.checkInvariant();
      expect(ledger.balance(clientId)).toBe(before.client - inputs.length);
      expect(ledger.balance(hiddenId)).toBe(before.hidden + inputs.length);
      expect(ledger.holds(clientId)).toEqual([]);
      expect(ledger.escrows(clientId)).toEqual([]);
    });
  }, 90_000);
});
