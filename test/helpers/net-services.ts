// Services on the test network of hosts (netns.ts): the real authority (`signaling/main.ts`) with
// HTTPS from a test certificate, coturn with REST credentials, and a look at which ICE candidate
// pair each RTCPeerConnection of a page selected.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { loadTls } from '../../signaling/tls.ts';
import type { NetHost, TestNetwork } from './netns.ts';
import { until } from './until.ts';

/** Node, tsx and the ledger start in about a second; a loaded 2-core machine may take several. */
const START_TIMEOUT_MS = 30_000;
/** coturn opens its listeners within a second. */
const TURN_START_TIMEOUT_MS = 10_000;
export const AUTHORITY_PORT = 8443;
export const TURN_PORT = 3478;
/** Relay ports coturn allocates from (a small range: a test holds a few dozen allocations at most). */
const RELAY_PORTS = { min: 49_152, max: 49_999 };

export interface TestCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  /** base64 SHA-256 of the public key, for launchChromium({ trustSpki }). */
  readonly spki: string;
}

/** A self-signed certificate naming `names`, written to `dir` (the authority's own maker, signaling/tls.ts). */
export async function makeTestCertificate(dir: string, names: readonly string[]): Promise<TestCertificate> {
  const material = await loadTls({ mode: 'self-signed', names }, dir);
  const certFile = join(dir, 'test-cert.pem');
  const keyFile = join(dir, 'test-key.pem');
  writeFileSync(certFile, material.cert);
  writeFileSync(keyFile, material.key, { mode: 0o600 });
  return { certFile, keyFile, spki: material.spki };
}

/** Keeps the last few KiB a process printed, for error messages. */
function tail(child: ChildProcess): () => string {
  let text = '';
  const keep = (chunk: Buffer) => { text = (text + chunk.toString()).slice(-8000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text;
}

export interface NetAuthority {
  /** https://<address>:<port> */
  readonly url: string;
  readonly dataDir: string;
  readonly process: ChildProcess;
}

/**
 * Starts `signaling/main.ts` in `host`'s namespace on HTTPS (plain HTTP without `cert`), as `npm
 * start` runs it, and waits for its start-up line (its address is not reachable from here, so no
 * health request).
 */
export async function startNetAuthority(network: TestNetwork, host: NetHost, cert: TestCertificate | undefined, args: readonly string[],
  port = AUTHORITY_PORT): Promise<NetAuthority> {
  const dataDir = mkdtempSync(join(tmpdir(), 'peerfarm-net-authority-'));
  const tls = cert ? ['--tls-cert', cert.certFile, '--tls-key', cert.keyFile] : [];
  const child = network.spawn(host, process.execPath, ['--import', 'tsx', 'signaling/main.ts',
    '--host', host.address, '--port', String(port), ...tls,
    '--data-dir', dataDir, '--grants-per-ip-per-day', '1000', '--log-level', 'info', ...args]);
  const output = tail(child);
  let url: string | undefined;
  child.stdout!.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.includes('"msg":"peer farm authority on ')) url = (JSON.parse(line) as { url: string }).url;
    }
  });
  try {
    await until(() => {
      if (child.exitCode !== null) throw new Error(`the authority exited (${child.exitCode}): ${output()}`);
      return url !== undefined;
    }, START_TIMEOUT_MS, 50);
  } catch (error) {
    await network.stop(child);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return { url: url!, dataDir, process: child };
}

export interface Coturn {
  /** turn:<address>:3478?transport=udp */
  readonly url: string;
  readonly process: ChildProcess;
  /** What coturn logged so far (-v: one line per allocation, with its username). */
  log(): string;
  /** Stops coturn and removes its folder. */
  close(): Promise<void>;
}

/**
 * coturn in the foreground (its PID is ours), on `host`'s address only: REST credentials from
 * `secret` (use-auth-secret), UDP and TCP on 3478, no TLS, no DTLS, no CLI, a log file in a temporary folder.
 */
export async function startCoturn(network: TestNetwork, host: NetHost, secret: string): Promise<Coturn> {
  const dir = mkdtempSync(join(tmpdir(), 'peerfarm-coturn-'));
  const logFile = join(dir, 'turn.log');
  writeFileSync(logFile, '');
  const child = network.spawn(host, 'turnserver', ['-n', '-v',
    `--listening-ip=${host.address}`, `--relay-ip=${host.address}`, `--listening-port=${TURN_PORT}`,
    `--min-port=${RELAY_PORTS.min}`, `--max-port=${RELAY_PORTS.max}`,
    '--use-auth-secret', `--static-auth-secret=${secret}`, '--realm=peerfarm.test',
    '--no-cli', '--no-tls', '--no-dtls', '--no-multicast-peers',
    `--log-file=${logFile}`, '--simple-log', `--pidfile=${join(dir, 'turn.pid')}`, `--userdb=${join(dir, 'turndb')}`]);
  const output = tail(child);
  const log = () => readFileSync(logFile, 'utf8');
  const close = async () => {
    await network.stop(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(() => {
      if (child.exitCode !== null) throw new Error(`coturn exited (${child.exitCode}): ${output()}\n${log()}`);
      return log().includes(`UDP listener opened on: ${host.address}:${TURN_PORT}`);
    }, TURN_START_TIMEOUT_MS, 50);
  } catch (error) {
    await close();
    throw error;
  }
  return { url: `turn:${host.address}:${TURN_PORT}?transport=udp`, process: child, log, close };
}

/** One end of a selected ICE candidate pair, as getStats reports it. */
export interface PairEnd {
  readonly address: string;
  readonly port: number;
  readonly type: string;
  readonly protocol: string;
}

export interface SelectedPair {
  readonly local: PairEnd;
  readonly remote: PairEnd;
}

declare global {
  interface Window { peerConnections?: RTCPeerConnection[] }
}

/**
 * Makes every page of `context` record its RTCPeerConnections (before any script of the page
 * runs). A string, so no transpiler helper can slip into what runs in the page.
 */
export async function recordPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(`(() => {
    const Native = window.RTCPeerConnection;
    const made = [];
    window.peerConnections = made;
    window.RTCPeerConnection = class extends Native {
      constructor(...args) {
        super(...args);
        made.push(this);
      }
    };
  })();`);
}

interface StatsEntry { type: string; selectedCandidatePairId?: string; localCandidateId?: string; remoteCandidateId?: string;
  address?: string; port?: number; candidateType?: string; protocol?: string }

/** The selected candidate pair of every connected RTCPeerConnection of the page. */
export function selectedPairs(page: Page): Promise<SelectedPair[]> {
  return page.evaluate(async () => {
    const pairs: SelectedPair[] = [];
    for (const pc of window.peerConnections ?? []) {
      if (pc.connectionState !== 'connected') continue;
      const stats = await pc.getStats();
      let pair: StatsEntry | undefined;
      stats.forEach((entry: StatsEntry) => {
        if (entry.type === 'transport' && entry.selectedCandidatePairId) pair = stats.get(entry.selectedCandidatePairId) as StatsEntry;
      });
      if (!pair) continue;
      const [local, remote] = [pair.localCandidateId, pair.remoteCandidateId].map((id) => (id ? stats.get(id) : undefined) as StatsEntry | undefined)
        .map((c) => ({ address: c?.address ?? '', port: c?.port ?? 0, type: c?.candidateType ?? '', protocol: c?.protocol ?? '' }));
      pairs.push({ local: local!, remote: remote! });
    }
    return pairs;
  });
}
