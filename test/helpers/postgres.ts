// A throw-away PostgreSQL cluster for tests (issue 13: the shared ledger): `initdb` in a temp folder
// and `pg_ctl` on a free loopback port, nothing else listening, stopped (by its own data folder, so
// only the server this started) and removed afterwards. initdb refuses to run as root, as CI does:
// then the folder belongs to the `postgres` user of Debian's package and the server runs as it.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './authority-process.ts';

const run = promisify(execFile);
/** initdb and a server start take 2-5 s here; past this something is wrong. */
const COMMAND_TIMEOUT_MS = 60_000;
const DATABASE_USER = 'peerfarm';
let databases = 0;

export interface TestPostgres {
  /** `postgres://peerfarm@127.0.0.1:<port>/postgres` (trust authentication, loopback only). */
  readonly url: string;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'peerfarm-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const [uid, gid] = await Promise.all([idOf('-u'), idOf('-g')]);
    chownSync(dir, uid, gid);
  }
  const pg = (command: string, args: string[]) => (asRoot
    ? run('runuser', ['-u', 'postgres', '--', join(bin, command), ...args], { timeout: COMMAND_TIMEOUT_MS })
    : run(join(bin, command), args, { timeout: COMMAND_TIMEOUT_MS }));
  try {
    await pg('initdb', ['-D', data, '-U', DATABASE_USER, '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
    const port = await freePort();
    // Loopback only, its socket in the test's own folder; no fsync: a test cluster need not survive a crash.
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    await pg('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start']);
    return {
      url: `postgres://${DATABASE_USER}@127.0.0.1:${port}/postgres`,
      stop: async () => {
        await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop']).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A fresh database on the cluster at `clusterUrl`, its schema made by the first ledger opened on it. */
export async function createTestDatabase(clusterUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `ledger_${process.pid}_${++databases}`;
  const admin = new pg.Client({ connectionString: clusterUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: clusterUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Where initdb and pg_ctl are: PATH first, then Debian's /usr/lib/postgresql/<newest>/bin. */
function postgresBin(): string {
  const onPath = (process.env['PATH'] ?? '').split(delimiter).find((dir) => dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (onPath) return onPath;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((version) => join(root, version, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
  if (!found) throw new Error('PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql): apt-get install postgresql (.ci/run does)');
  return found;
}

async function idOf(flag: '-u' | '-g'): Promise<number> {
  const { stdout } = await run('id', [flag, 'postgres'], { timeout: COMMAND_TIMEOUT_MS });
  return Number(stdout.trim());
}
