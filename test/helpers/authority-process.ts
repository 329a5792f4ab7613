// An authority in a child process (`signaling/main.ts`, as `npm start` runs it), for fault tests
// that kill it with SIGKILL and start it again on the same port and data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from './until.ts';

/** Node, tsx and the ledger start in about a second here; this catches one that hangs. */
const START_TIMEOUT_MS = 30_000;

export interface AuthorityProcess {
  readonly url: string;
  readonly wsUrl: string;
  readonly port: number;
  readonly dataDir: string;
  /** Its PID while it runs. */
  readonly pid: number | undefined;
  /** SIGKILLs this process (ours, by PID) and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data folder. */
  restart(): Promise<void>;
  /** Kills it if it runs and removes the data folder. */
  close(): Promise<void>;
}

/** A port that was free a moment ago (the authority must come back on the same one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A member of a federation: the secret every member shares and the authorities it dials at start. */
export interface FederationOptions {
  readonly secret: string;
  readonly peers?: readonly string[];
}

/** The flags of a federation member (signaling/federation), for `startAuthorityProcess` or an in-process authority. */
export function federationArgs({ secret, peers = [] }: FederationOptions): string[] {
  return ['--federation-secret', secret, ...peers.flatMap((url) => ['--peer-authority', url])];
}

export async function startAuthorityProcess(args: readonly string[] = [], federation?: FederationOptions): Promise<AuthorityProcess> {
  if (federation) args = [...args, ...federationArgs(federation)];
  const dataDir = mkdtempSync(join(tmpdir(), 'peerfarm-process-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';

  const start = async (): Promise<void> => {
    output = '';
    const started = spawn(process.execPath, ['--import', 'tsx', 'signaling/main.ts', '--host', '127.0.0.1', '--port', String(port),
      '--data-dir', dataDir, '--grants-per-ip-per-day', '1000', '--log-level', 'warn', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000); };
    started.stdout!.on('data', keep);
    started.stderr!.on('data', keep);
    let healthy = false;
    let asking = false;
    await until(() => {
      if (started.exitCode !== null) throw new Error(`the authority exited (${started.exitCode}): ${output}`);
      if (!asking) {
        asking = true;
        void fetch(`${url}/api/health`).then((response) => { healthy = response.ok; }, () => undefined).finally(() => { asking = false; });
      }
      return healthy;
    }, START_TIMEOUT_MS, 100);
  };

  const kill = async (): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    url, wsUrl: `ws://127.0.0.1:${port}/ws`, port, dataDir,
    get pid() { return child?.pid; },
    kill,
    restart: start,
    close: async () => {
      await kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
