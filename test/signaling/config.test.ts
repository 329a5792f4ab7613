import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../signaling/config.ts';
import { freePort } from '../helpers/authority-process.ts';

const run = promisify(execFile);

describe('readConfig', () => {
  it('defaults to localhost:8080 with ./data', () => {
    const config = readConfig([], {}, '/srv/farm');
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8080, dataDir: '/srv/farm/data', distDir: '/srv/farm/dist' });
  });

  it('reads PORT, HOST and DATA_DIR from the environment', () => {
    expect(readConfig([], { PORT: '9000', HOST: '::1', DATA_DIR: '/var/lib/pf' }, '/x'))
      .toMatchObject({ port: 9000, host: '::1', dataDir: '/var/lib/pf' });
  });

  it('lets flags win over the environment, in both --flag value and --flag=value forms', () => {
    expect(readConfig(['--port', '1234', '--host=0.0.0.0'], { PORT: '9000' }, '/x')).toMatchObject({ port: 1234, host: '0.0.0.0' });
  });

  it('collects --option overrides', () => {
    expect(readConfig(['--option', 'max_peer_connections=6', '--option=ice_servers=stun:a b'], {}).options)
      .toEqual({ max_peer_connections: '6', ice_servers: 'stun:a b' });
  });

  it('keeps the ledger in SQLite unless --database-url or DATABASE_URL names a PostgreSQL database', () => {
    expect(readConfig([], {}).databaseUrl).toBeUndefined();
    expect(readConfig([], { DATABASE_URL: 'postgres://farm@db:5432/ledger' }).databaseUrl).toBe('postgres://farm@db:5432/ledger');
    expect(readConfig(['--database-url', 'postgresql://a@b/c'], { DATABASE_URL: 'postgres://x@y/z' }).databaseUrl).toBe('postgresql://a@b/c');
  });

  it.each([
    [['--port', 'http'], 'port must be a whole number from 0 to 65535, got "http"'],
    [['--port', '70000'], 'port must be a whole number from 0 to 65535, got "70000"'],
    [['--host', 'example.com'], 'host must be an IP address or "localhost", got "example.com"'],
    [['--data-dir', ' '], 'data folder must not be empty'],
    [['--option', 'Bad'], '--option wants key=value with a lower-case key, got "Bad"'],
    [['--port'], '--port needs a value'],
    [['--database-url', 'mysql://farm:secret@db/ledger'],
      '--database-url (DATABASE_URL) must be a URL such as postgres://user@host:5432/peerfarm, got "mysql://farm@db/ledger"'],
    [['--database-url', 'db:5432'], '--database-url (DATABASE_URL) must be a URL such as postgres://user@host:5432/peerfarm, got "db:5432"'],
    [['--database-url', 'ledger'], '--database-url (DATABASE_URL) must be a URL such as postgres://user@host:5432/peerfarm, got not a URL'],
  ])('refuses %j with a clear message', (argv, message) => {
    expect(() => readConfig(argv, {})).toThrow(new ConfigError(message));
  });

  it('reads the federation from repeated flags or PEER_AUTHORITIES, FEDERATION_SECRET and PUBLIC_URL', () => {
    const secret = 'sixteen chars at least';
    expect(readConfig(['--peer-authority', 'ws://10.0.0.2:8080/ws', '--peer-authority=wss://b.example.org/ws',
      '--federation-secret', secret, '--public-url', 'ws://10.0.0.1:8080/ws'], {}).federation).toEqual({
      seeds: ['ws://10.0.0.2:8080/ws', 'wss://b.example.org/ws'], secret, publicUrl: 'ws://10.0.0.1:8080/ws',
    });
    expect(readConfig([], { PEER_AUTHORITIES: 'ws://a:1/ws, ws://b:2/ws', FEDERATION_SECRET: secret }).federation)
      .toEqual({ seeds: ['ws://a:1/ws', 'ws://b:2/ws'], secret, publicUrl: undefined });
  });

  it.each([
    [['--peer-authority', 'http://a:1/ws', '--federation-secret', 'x'.repeat(16)],
      '--peer-authority and --public-url take ws:// or wss:// URLs such as ws://10.0.0.2:8080/ws, got "http://a:1/ws"'],
    [['--peer-authority', 'ws://a:1/ws'], '--peer-authority needs --federation-secret (or FEDERATION_SECRET): members prove it to each other'],
    [['--federation-secret', 'short'], '--federation-secret must have 16 characters at least'],
    [['--federation-secret', 'x'.repeat(16), '--host', '0.0.0.0'],
      '--federation-secret with --host 0.0.0.0 needs --public-url: the address peers and other authorities reach this one at'],
  ])('refuses the federation settings %j', (argv, message) => {
    expect(() => readConfig(argv, {})).toThrow(new ConfigError(message));
  });

  it('refuses an unknown argument and shows the usage', () => {
    expect(() => readConfig(['--prot', '1'], {})).toThrow(/^unknown argument "--prot"\nusage: npm start/);
  });
});

describe('the authority command', () => {
  // Node and tsx directly, as npm start runs them, without npx resolving itself first: that took
  // past the 30 s default on 2 cores loaded by the browser tests. The bound stays generous.
  it('prints one line, not a stack trace, for a wrong value', async () => {
    const failure = await run(process.execPath, ['--import', 'tsx', 'signaling/main.ts'], { env: { ...process.env, PORT: 'eighty' } })
      .then(() => undefined, (error: { code: number; stderr: string }) => error);
    expect(failure?.code).toBe(1);
    expect(failure?.stderr.trim().split('\n')).toEqual([
      'peerfarm: port must be a whole number from 0 to 65535, got "eighty"',
    ]);
  }, 90_000);

  it('prints one line, not a stack trace, when the ledger database cannot be reached', async () => {
    const port = await freePort(); // nothing listens there
    const url = `postgres://farm:secret@127.0.0.1:${port}/ledger`;
    const failure = await run(process.execPath, ['--import', 'tsx', 'signaling/main.ts', '--port', '0', '--database-url', url], { env: process.env })
      .then(() => undefined, (error: { code: number; stderr: string }) => error);
    expect(failure?.code).toBe(1);
    expect(failure?.stderr.trim().split('\n')).toEqual([
      `peerfarm: cannot reach the ledger database at postgres://farm@127.0.0.1:${port}/ledger: connect ECONNREFUSED 127.0.0.1:${port}`,
    ]);
  }, 90_000);
});
