// `npm run demo -- --authorities 2`: a federation on one machine, as people run it to watch. The
// demo process starts its own PostgreSQL cluster, links its authorities, spreads its worker tabs
// over them, and at SIGTERM stops every part, the cluster included.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.ts';

let demo: ChildProcess | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'peerfarm-demo-'));

afterAll(() => {
  if (demo && demo.exitCode === null && demo.signalCode === null) demo.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

interface DemoLine { msg?: string; authorities?: string[]; database?: string }

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('npm run demo -- --authorities 2', () => {
  it('runs a linked federation sharing a throw-away PostgreSQL ledger, with tabs on each, and stops all of it', async () => {
    if (!existsSync('dist/index.html')) throw new Error('pages not built: run "npm run build" first (npm test does)');
    const started = spawn(process.execPath, ['--import', 'tsx', 'signaling/demo.ts', '--authorities', '2', '--workers', '2', '--port', '0', '--data-dir', dataDir],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    demo = started;
    const lines: DemoLine[] = [];
    let output = '';
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const complete = output.split('\n');
      output = complete.pop()!;
      for (const line of complete) if (line.startsWith('{')) lines.push(JSON.parse(line) as DemoLine);
    };
    started.stdout!.on('data', read);
    started.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    await until(() => {
      if (started.exitCode !== null) throw new Error(`the demo exited (${started.exitCode}): ${output}`);
      return lines.some((line) => line.authorities !== undefined);
    }, 120_000, 200);
    const urls = lines.find((line) => line.authorities !== undefined)!.authorities!.map((url) => url.replace('localhost', '127.0.0.1'));
    const databasePort = Number(new URL(lines.find((line) => line.database !== undefined)!.database!).port);
    expect(urls).toHaveLength(2);
    for (const url of urls) {
      await until(async () => {
        const health = await (await fetch(`${url}/api/health`)).json() as {
          peers: { workers: number }; federation: { authorities: { state: string; listed: number }[] };
        };
        return health.peers.workers === 1 && health.federation.authorities.length === 1
          && health.federation.authorities[0]!.state === 'linked' && health.federation.authorities[0]!.listed === 1;
      }, 60_000, 200);
    }
    expect(await accepts(databasePort)).toBe(true);

    const exited = new Promise<number | null>((resolve) => started.once('exit', (code) => resolve(code)));
    started.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const url of urls) expect(await accepts(Number(new URL(url).port))).toBe(false);
    expect(await accepts(databasePort)).toBe(false);
  }, 180_000);
});
