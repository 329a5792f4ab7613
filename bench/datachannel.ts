// Benchmark: data-channel throughput and small-message latency between two Chromium pages (two
// browser contexts) through our link layer (RtcLink: simple-peer, 16 KiB binary pieces, backpressure)
// against a bare RTCDataChannel with the same chunk size and backpressure, and against a PeerJS
// DataConnection signaled by a local PeerJS server. All three alternate in rounds (order rotated) so
// machine noise hits each alike. Everything stays on loopback (test/helpers/chromium.ts, plus candidate
// filtering in the pages). Run with `npm run bench -- datachannel`; the last line printed is the JSON
// summary (docs/BENCHMARKS.md).
//
// Link setup: our link made and closed SETUPS times between the same two pages, timed from its first
// signal (the offer) to an open data channel; then, when root, between two Chromiums in two network
// namespaces on a bridge (test/helpers/netns.ts: no route out), with host candidates of the bridge's
// subnet as across machines. Those pages are served by playwright's request routing from the build
// folder, so nothing listens in the namespaces and no request reaches any network.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PeerServer } from 'peer';
import type { BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { launchChromium, newContext } from '../test/helpers/chromium.ts';
import { netnsUnavailable, TestNetwork, type NetHost } from '../test/helpers/netns.ts';
import type { BenchPageApi, CandidatePair, OpenResult, PeerjsServerOptions, TransportName } from './pages/api.ts';
import { PAGE_API, SIGNAL_OUT } from './pages/api.ts';

const MIB = 1024 * 1024;
const PAYLOAD_BYTES = 32 * MIB;
const FRAME_BYTES = 1 * MIB;
const ROUNDS = 5;
const PINGS = 500;
const WARMUP_BYTES = 4 * MIB;
const WARMUP_PINGS = 50;
/** Bound of any one step (a connection, one transfer, one ping series). */
const STEP_TIMEOUT_MS = 20_000;
/** The whole bench gives up after this (DESIGN.md: under 2 minutes; bench/run.ts kills at 150 s). */
const DEADLINE_MS = 110_000;
const PEERJS_PATH = '/bench';
const HOST = '127.0.0.1';
/** Links made and closed, one after the other, to time link setup on each network. */
const SETUPS = 15;

/** The transports measured for throughput and round trips (`setup` only times link setup). */
type Measured = Exclude<TransportName, 'setup'>;

interface Variant {
  readonly key: 'ours' | 'ours_one_frame' | 'raw' | 'peerjs';
  readonly label: string;
  readonly transport: Measured;
  readonly frameBytes: number;
}

const VARIANTS: readonly Variant[] = [
  { key: 'ours', label: 'ours: RtcLink, 32 frames of 1 MiB', transport: 'ours', frameBytes: FRAME_BYTES },
  { key: 'raw', label: 'raw RTCDataChannel, 16 KiB chunks', transport: 'raw', frameBytes: 16 * 1024 },
  { key: 'peerjs', label: 'PeerJS binary, 32 frames of 1 MiB', transport: 'peerjs', frameBytes: FRAME_BYTES },
  { key: 'ours_one_frame', label: 'ours: RtcLink, 1 frame of 32 MiB', transport: 'ours', frameBytes: PAYLOAD_BYTES },
];
const TRANSPORTS: readonly Measured[] = ['ours', 'raw', 'peerjs'];

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const startedMs = Date.now();
const cleanups: (() => Promise<unknown>)[] = [];

function log(line: string): void {
  console.log(line);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

type ApiMethod = keyof BenchPageApi;
type ApiArgs<K extends ApiMethod> = Parameters<NonNullable<BenchPageApi[K]>>;
type ApiResult<K extends ApiMethod> = Awaited<ReturnType<NonNullable<BenchPageApi[K]>>>;

/** Calls `window[PAGE_API][method](...args)` in the page, bounded in time. */
function call<K extends ApiMethod>(page: Page, method: K, args: ApiArgs<K>, timeoutMs = STEP_TIMEOUT_MS): Promise<ApiResult<K>> {
  const evaluation = page.evaluate(
    ([api, name, values]) => {
      const target = (window as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>)[api];
      const fn = target?.[name];
      if (!fn) throw new Error(`page has no ${api}.${name}`);
      return fn(...values);
    },
    [PAGE_API, method, args as unknown[]] as const,
  ) as Promise<ApiResult<K>>;
  // The page bounds its own waits; this bound only catches a page that stopped answering.
  return withTimeout(evaluation, timeoutMs + 2000, `${method}(${JSON.stringify(args).slice(0, 60)})`);
}

async function buildPages(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'peerfarm-bench-datachannel-'));
  cleanups.push(() => rm(outDir, { recursive: true, force: true }));
  await build({ configFile: join(benchDir, 'vite.bench.config.ts'), build: { outDir } });
  return outDir;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Serves the built pages on 127.0.0.1. Cross-origin isolation gives the pages a 5 µs clock, not 100 µs. */
async function serveStatic(root: string): Promise<string> {
  const server = createServer((request, response) => {
    if (request.url === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    const file = join(root, path);
    if (!file.startsWith(root + sep)) {
      response.writeHead(403).end();
      return;
    }
    readFile(file).then((body) => {
      response.writeHead(200, {
        'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
        'cache-control': 'no-store',
      });
      response.end(body);
    }, () => response.writeHead(404).end());
  });
  const port = await listen(server);
  cleanups.push(() => closeServer(server));
  return `http://${HOST}:${port}`;
}

async function startPeerServer(): Promise<number> {
  const server = await new Promise<Server>((resolve, reject) => {
    const app = PeerServer({ host: HOST, port: 0, path: PEERJS_PATH, allow_discovery: false }, (listening) => resolve(listening as Server));
    app.on('error', reject);
  });
  cleanups.push(() => closeServer(server));
  return (server.address() as AddressInfo).port;
}

/** Forwards each page's outgoing signals to the other page, in order. */
async function wireSignals(a: Page, b: Page): Promise<void> {
  const relay = (to: Page) => {
    let chain = Promise.resolve();
    return (name: TransportName, json: string): void => {
      chain = chain.then(() => call(to, 'signal', [name, json]).then(() => undefined)).catch((error: unknown) => {
        console.error(`signal relay (${name}): ${error instanceof Error ? error.message : String(error)}`);
      });
    };
  };
  await a.exposeFunction(SIGNAL_OUT, relay(b));
  await b.exposeFunction(SIGNAL_OUT, relay(a));
}

async function newPage(context: BrowserContext, label: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${label}] page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') console.error(`[${label}] ${message.text()}`);
  });
  return page;
}

async function load(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction((api) => api in window, PAGE_API, { timeout: STEP_TIMEOUT_MS });
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? NaN;
}

function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const round3 = (value: number) => Math.round(value * 1000) / 1000;
const mbPerS = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    console.error(`datachannel: not done after ${DEADLINE_MS} ms, giving up`);
    void cleanup().finally(() => process.exit(1));
  }, DEADLINE_MS);

  const outDir = await buildPages();
  const origin = await serveStatic(outDir);
  const peerjsPort = await startPeerServer();
  log(`datachannel: pages built in ${Date.now() - startedMs} ms, served at ${origin}; PeerJS server on ${HOST}:${peerjsPort}${PEERJS_PATH}`);

  const browser = await launchChromium();
  cleanups.push(() => browser.close());
  log(`chromium ${browser.version()}`);
  // Context A holds the sending pages, context B the receiving ones (two "browsers" as far as WebRTC goes).
  const contextA = await newContext(browser, origin);
  const contextB = await newContext(browser, origin);
  const linkA = await newPage(contextA, 'A link');
  const linkB = await newPage(contextB, 'B link');
  const peerjsPageA = await newPage(contextA, 'A peerjs');
  const peerjsPageB = await newPage(contextB, 'B peerjs');
  // Every request and WebSocket of the pages must go to 127.0.0.1 (the page server or the PeerJS server).
  const offHost: string[] = [];
  const watch = (url: string) => {
    if (new URL(url).hostname !== HOST) offHost.push(url);
  };
  for (const context of [contextA, contextB]) context.on('request', (request) => watch(request.url()));
  for (const page of [linkA, linkB, peerjsPageA, peerjsPageB]) page.on('websocket', (socket) => watch(socket.url()));
  await wireSignals(linkA, linkB);
  await wireSignals(peerjsPageA, peerjsPageB);
  await Promise.all([
    load(linkA, `${origin}/link.html`), load(linkB, `${origin}/link.html`),
    load(peerjsPageA, `${origin}/peerjs.html`), load(peerjsPageB, `${origin}/peerjs.html`),
  ]);
  const isolated = await linkA.evaluate(() => crossOriginIsolated);
  const sender: Record<Measured, Page> = { ours: linkA, raw: linkA, peerjs: peerjsPageA };
  const receiver: Record<Measured, Page> = { ours: linkB, raw: linkB, peerjs: peerjsPageB };

  // Connect each transport once; the responder is prepared first so it hears the initiator's first signal.
  const opened = {} as Record<Measured, OpenResult>;
  for (const transport of TRANSPORTS) {
    const peerjs = (id: string, remoteId: string): PeerjsServerOptions => ({ host: HOST, port: peerjsPort, path: PEERJS_PATH, id, remoteId });
    await call(receiver[transport], 'prepare', [transport, { initiator: false, ...(transport === 'peerjs' ? { peerjs: peerjs('bench-b', 'bench-a') } : {}) }]);
    await call(sender[transport], 'prepare', [transport, { initiator: true, ...(transport === 'peerjs' ? { peerjs: peerjs('bench-a', 'bench-b') } : {}) }]);
    const [a, b] = await Promise.all([
      call(sender[transport], 'open', [transport, STEP_TIMEOUT_MS]),
      call(receiver[transport], 'open', [transport, STEP_TIMEOUT_MS]),
    ]);
    opened[transport] = a;
    const counts = await call(sender[transport], 'candidates', [transport]);
    log(`connect  ${transport.padEnd(7)} ${a.connectMs.toFixed(1).padStart(7)} ms  pair A ${a.pair.local} -> ${a.pair.remote}; B ${b.pair.local} -> ${b.pair.remote}` +
      `  (A gathered ${counts.gathered} candidates, signaled ${counts.signaled})`);
    checkOnThisHost(transport, [a.pair, b.pair]);
  }
  log(`page clock: ${isolated ? 'cross-origin isolated (5 µs resolution)' : 'not isolated (100 µs resolution)'}`);

  const throughputOnce = async (variant: Variant, totalBytes: number): Promise<number> => {
    await Promise.all([sender, receiver].map((side) =>
      call(side[variant.transport], 'preparePayload', [variant.transport, totalBytes, variant.frameBytes, side === sender])));
    return call(sender[variant.transport], 'throughput', [variant.transport, totalBytes, variant.frameBytes, STEP_TIMEOUT_MS]);
  };
  const pings = (transport: Measured, count: number): Promise<number[]> =>
    call(sender[transport], 'rtt', [transport, count, STEP_TIMEOUT_MS]);

  // Warm-up: every path once (JIT, SCTP congestion window), payload caches built, nothing recorded.
  for (const variant of VARIANTS) await throughputOnce(variant, Math.max(WARMUP_BYTES, Math.min(variant.frameBytes, PAYLOAD_BYTES)));
  for (const transport of TRANSPORTS) await pings(transport, WARMUP_PINGS);
  log(`warm-up done at ${((Date.now() - startedMs) / 1000).toFixed(1)} s`);

  const speeds = Object.fromEntries(VARIANTS.map((v) => [v.key, [] as number[]])) as Record<Variant['key'], number[]>;
  const rtts = Object.fromEntries(TRANSPORTS.map((t) => [t, [] as number[]])) as Record<Measured, number[]>;
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order each round so no method always runs first (or right after another).
    const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]!);
    for (const variant of order) {
      const ms = await throughputOnce(variant, PAYLOAD_BYTES);
      const speed = mbPerS(PAYLOAD_BYTES, ms);
      speeds[variant.key].push(speed);
      log(`round ${round + 1}  ${variant.label.padEnd(36)} ${speed.toFixed(1).padStart(6)} MB/s  (${ms.toFixed(0)} ms for 32 MiB)`);
    }
    const transports = TRANSPORTS.map((_, i) => TRANSPORTS[(i + round) % TRANSPORTS.length]!);
    for (const transport of transports) {
      const times = await pings(transport, PINGS);
      rtts[transport].push(...times);
      log(`round ${round + 1}  ${`${transport} round trip, ${PINGS} pings of 32 B`.padEnd(36)} p50 ${median(times).toFixed(3)} ms  p99 ${percentile(times, 0.99).toFixed(3)} ms`);
    }
  }

  // Where our link layer spends its time: split and reassemble in one page, no channel.
  const chunking = {
    one_mib: await call(linkA, 'chunkingCost', [FRAME_BYTES, 20]),
    thirty_two_mib: await call(linkA, 'chunkingCost', [PAYLOAD_BYTES, 2]),
  };
  log(`chunking 1 MiB frame:  split ${chunking.one_mib.splitMs.toFixed(2)} ms, reassemble ${chunking.one_mib.reassembleMs.toFixed(2)} ms` +
    ` (${mbPerS(FRAME_BYTES, chunking.one_mib.splitMs + chunking.one_mib.reassembleMs).toFixed(0)} MB/s both, one core)`);
  log(`chunking 32 MiB frame: split ${chunking.thirty_two_mib.splitMs.toFixed(1)} ms, reassemble ${chunking.thirty_two_mib.reassembleMs.toFixed(1)} ms`);

  // Candidate bookkeeping of each page: only loopback candidates were signaled, none had to be dropped on arrival.
  const counts = await Promise.all(TRANSPORTS.map(async (t) => {
    const [a, b] = await Promise.all([call(sender[t], 'candidates', [t]), call(receiver[t], 'candidates', [t])]);
    return `${t} A ${a.signaled}/${a.gathered} B ${b.signaled}/${b.gathered}` +
      (t === 'peerjs' ? ` (${a.constructed + b.constructed} RTCPeerConnections built through the loopback wrapper)` : '');
  }));
  log(`ICE candidates signaled/gathered: ${counts.join('; ')}`);

  // Link setup on loopback: the same two pages (two contexts), our link with loopbackOnly as in tests.
  const setupLoopback = await timeSetups(linkA, linkB, { loopbackOnly: true }, (pairs) => checkOnThisHost('setup', pairs));
  if (offHost.length > 0) throw new Error(`pages reached beyond ${HOST}: ${offHost.join(', ')}`);
  await Promise.all([linkA, linkB, peerjsPageA, peerjsPageB].map((page) => page.close()));
  const setupNetwork = await networkSetups(outDir);
  log(`link setup, signal -> open: loopback p50 ${median(setupLoopback).toFixed(1)} ms, p95 ${percentile(setupLoopback, 0.95).toFixed(1)} ms` +
    ` (${setupLoopback.map((ms) => ms.toFixed(0)).join(' ')})`);
  log('skipped' in setupNetwork
    ? `link setup, signal -> open: test network skipped (${setupNetwork.skipped})`
    : `link setup, signal -> open: test network (two Chromiums, two namespaces, host candidates ${setupNetwork.pair}) p50 ` +
      `${median(setupNetwork.times).toFixed(1)} ms, p95 ${percentile(setupNetwork.times, 0.95).toFixed(1)} ms (${setupNetwork.times.map((ms) => ms.toFixed(0)).join(' ')})`);
  if (!('skipped' in setupNetwork)) {
    log(`link setup, signal -> open: test network, LAN candidates only (no 127.0.0.1 signaled) p50 ${median(setupNetwork.lanOnly).toFixed(1)} ms,` +
      ` p95 ${percentile(setupNetwork.lanOnly, 0.95).toFixed(1)} ms (${setupNetwork.lanOnly.map((ms) => ms.toFixed(0)).join(' ')})`);
  }

  const figure = (key: Variant['key']) => median(speeds[key]);
  log('');
  log(`${'method'.padEnd(36)} ${'MB/s'.padStart(7)} ${'rounds'.padStart(34)} ${'rtt p50'.padStart(9)} ${'rtt p99'.padStart(9)} ${'connect'.padStart(9)}`);
  for (const variant of VARIANTS) {
    const isMain = variant.key !== 'ours_one_frame';
    const times = rtts[variant.transport];
    log(`${variant.label.padEnd(36)} ${figure(variant.key).toFixed(1).padStart(7)} ${speeds[variant.key].map((s) => s.toFixed(1)).join(' / ').padStart(34)}` +
      (isMain ? ` ${`${percentile(times, 0.5).toFixed(3)} ms`.padStart(9)} ${`${percentile(times, 0.99).toFixed(3)} ms`.padStart(9)} ${`${opened[variant.transport].connectMs.toFixed(0)} ms`.padStart(9)}` : ''));
  }
  log(`(MB = 10^6 bytes; throughput: median of ${ROUNDS} rounds of 32 MiB, send start to receiver's acknowledgement; rtt: ${ROUNDS * PINGS} pings pooled;`);
  log(` connect: one attempt each, for information only: ours and raw are signaled through playwright, PeerJS through its server)`);
  log(`whole bench ${((Date.now() - startedMs) / 1000).toFixed(1)} s`);

  const summary = {
    bench: 'datachannel',
    payload_bytes: PAYLOAD_BYTES,
    rounds: ROUNDS,
    ours_mb_s: round2(figure('ours')),
    ours_one_frame_mb_s: round2(figure('ours_one_frame')),
    raw_mb_s: round2(figure('raw')),
    peerjs_mb_s: round2(figure('peerjs')),
    setup_loopback_p50_ms: round2(median(setupLoopback)),
    setup_loopback_p95_ms: round2(percentile(setupLoopback, 0.95)),
    setup_network_p50_ms: 'skipped' in setupNetwork ? null : round2(median(setupNetwork.times)),
    setup_network_p95_ms: 'skipped' in setupNetwork ? null : round2(percentile(setupNetwork.times, 0.95)),
    setup_network_lan_only_p50_ms: 'skipped' in setupNetwork ? null : round2(median(setupNetwork.lanOnly)),
    ours_rtt_p50_ms: round3(percentile(rtts.ours, 0.5)),
    ours_rtt_p99_ms: round3(percentile(rtts.ours, 0.99)),
    raw_rtt_p50_ms: round3(percentile(rtts.raw, 0.5)),
    raw_rtt_p99_ms: round3(percentile(rtts.raw, 0.99)),
    peerjs_rtt_p50_ms: round3(percentile(rtts.peerjs, 0.5)),
    peerjs_rtt_p99_ms: round3(percentile(rtts.peerjs, 0.99)),
    ratios: {
      vs_raw: round3(figure('ours') / figure('raw')),
      vs_peerjs: round3(figure('ours') / figure('peerjs')),
    },
  };
  clearTimeout(deadline);
  await cleanup();
  log(JSON.stringify(summary));
}

/** Numbers every timed link of the run, so no late signal reaches a later link. */
let setupGeneration = 0;

/**
 * Makes our link SETUPS times between page `a` (the initiator) and `b`, one after the other, and
 * returns each one's time from the offer sent to the channel open at `a` (signaled through
 * playwright, in place of the authority). One more link first warms up, untimed. Each link's
 * selected candidate pairs go to `check`.
 */
async function timeSetups(a: Page, b: Page, ice: { loopbackOnly: boolean; dropLoopback?: boolean }, check: (pairs: CandidatePair[]) => void): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i <= SETUPS; i++) {
    const generation = ++setupGeneration;
    await call(b, 'prepare', ['setup', { initiator: false, ...ice, generation }]);
    await call(a, 'prepare', ['setup', { initiator: true, ...ice, generation }]);
    const [opened, answered] = await Promise.all([call(a, 'open', ['setup', STEP_TIMEOUT_MS]), call(b, 'open', ['setup', STEP_TIMEOUT_MS])]);
    check([opened.pair, answered.pair]);
    if (i > 0) times.push(opened.connectMs);
    await Promise.all([call(a, 'close', ['setup']), call(b, 'close', ['setup'])]);
  }
  return times;
}

/**
 * Link setup between two hosts of a test network: two namespaces on a bridge (no route out), one
 * Chromium in each, its page served by request routing from the build folder. Skipped with the
 * reason when namespaces cannot be made (not root).
 */
async function networkSetups(outDir: string): Promise<{ times: number[]; lanOnly: number[]; pair: string } | { skipped: string }> {
  const unavailable = netnsUnavailable();
  if (unavailable !== undefined) return { skipped: unavailable };
  const network = TestNetwork.create();
  cleanups.push(() => network.close());
  const hosts = [network.addHost('bench-a'), network.addHost('bench-b')] as const;
  const pages = await Promise.all(hosts.map(async (host) => {
    const browser = await launchChromium({ netns: host.ns, reach: [host.address] });
    cleanups.push(() => browser.close());
    const origin = `https://${host.address}`;
    // The microphone grant makes Chromium gather on every interface: a namespace has no default route.
    const context = await newContext(browser, origin);
    await serveByRouting(context, outDir, origin);
    const page = await newPage(context, `${host.ns} link`);
    return page;
  }));
  const [pageA, pageB] = pages as [Page, Page];
  await wireSignals(pageA, pageB);
  await Promise.all(pages.map((page, i) => load(page, `https://${hosts[i]!.address}/link.html`)));
  let seen = '';
  const check = (pairs: CandidatePair[]) => {
    checkOnBridge(pairs, hosts);
    seen = `${pairs[0]!.local} -> ${pairs[0]!.remote}`;
  };
  // As the farm runs there (ice_loopback_only 0), then without the 127.0.0.1 candidates that only the
  // tests' Chromium gathers: a browser across machines offers the LAN ones alone.
  const times = await timeSetups(pageA, pageB, { loopbackOnly: false }, check);
  const lanOnly = await timeSetups(pageA, pageB, { loopbackOnly: false, dropLoopback: true }, check);
  return { times, lanOnly, pair: seen };
}

/**
 * Answers every request of the context's pages from `root` for `origin`, and refuses the rest: the
 * pages of the test network load without any server and no request leaves the browser.
 */
async function serveByRouting(context: BrowserContext, root: string, origin: string): Promise<void> {
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== origin) return route.abort('blockedbyclient');
    const file = join(root, normalize(decodeURIComponent(url.pathname)));
    if (!file.startsWith(root + sep)) return route.fulfill({ status: 403 });
    const body = await readFile(file).catch(() => undefined);
    if (body === undefined) return route.fulfill({ status: 404 });
    return route.fulfill({ status: 200, body, contentType: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
  });
}

/** Both ends of every pair are host candidates on the bridge's subnet, at the two hosts' addresses. */
function checkOnBridge(pairs: readonly CandidatePair[], hosts: readonly NetHost[]): void {
  const addresses = new Set(hosts.map((host) => host.address));
  for (const pair of pairs) {
    if (!addresses.has(pair.localAddress) || !pair.local.endsWith('(host)') || !(pair.remoteAddress === '' || addresses.has(pair.remoteAddress))) {
      throw new Error(`setup: selected candidate pair ${pair.local} -> ${pair.remote} is not between the two hosts' bridge addresses`);
    }
  }
}

/**
 * Every address the two pages talk between must be loopback or one of this host's own addresses (the kernel
 * routes those through lo too: Chromium sometimes sends from its socket bound to the LAN address to the
 * other page's 127.0.0.1 candidate, see reference/browser-and-webrtc-notes.md section 2). A peer-reflexive
 * remote shows no address; it is the other side's local address, which is checked.
 */
function checkOnThisHost(transport: TransportName, pairs: readonly CandidatePair[]): void {
  const own = new Set(['127.0.0.1', '::1']);
  for (const addresses of Object.values(networkInterfaces())) {
    for (const info of addresses ?? []) own.add(info.address);
  }
  for (const pair of pairs) {
    if (!own.has(pair.localAddress) || !(pair.remoteAddress === '' || own.has(pair.remoteAddress))) {
      throw new Error(`${transport}: selected candidate pair ${pair.local} -> ${pair.remote} leaves this host`);
    }
  }
}

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) {
      await withTimeout(step(), 5000, 'cleanup').catch((error: unknown) => console.error(`cleanup: ${String(error)}`));
    }
  })();
  return cleaning;
}

try {
  await main();
} catch (error) {
  console.error(`datachannel: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  await cleanup();
  process.exitCode = 1;
}
// The PeerJS server keeps private timers running after its HTTP server closed; everything we started
// is closed above, so leave now.
process.exit();
