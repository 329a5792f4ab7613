// The authority's connection caps: 12,000 links in total and 64 per address by default (one
// authority holds 10,000 peers: docs/BENCHMARKS.md, authority-load), both settable, and refused
// with a status and one plain line. Sockets come from 127.0.0.2..127.0.0.9, all loopback.
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_MAX_CONNECTIONS, readConfig } from '../../signaling/config.ts';
import { MAX_CONNECTIONS_PER_ADDRESS } from '../../signaling/websocket.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';

let authority: TestAuthority | undefined;
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await authority?.close();
  authority = undefined;
});

/** Opens a WebSocket from `localAddress`: 'open', or the refusal's status and body. */
function connect(url: string, localAddress: string): Promise<'open' | { status: number; body: string }> {
  const socket = new WebSocket(url, { localAddress });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.on('open', () => resolve('open'));
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: body.trim() }));
    });
    socket.on('error', (error) => {
      if (!error.message.startsWith('Unexpected server response')) reject(error);
    });
  });
}

describe('connection cap settings', () => {
  it('default to 12,000 links and 64 per address', () => {
    expect(DEFAULT_MAX_CONNECTIONS).toBe(12_000);
    expect(MAX_CONNECTIONS_PER_ADDRESS).toBe(64);
    expect(readConfig([], {})).toMatchObject({ maxConnections: 12_000, maxConnectionsPerAddress: 64 });
  });

  it('read --max-connections-per-address, or MAX_CONNECTIONS_PER_ADDRESS from the environment', () => {
    expect(readConfig(['--max-connections-per-address', '10000'], {}).maxConnectionsPerAddress).toBe(10_000);
    expect(readConfig(['--max-connections-per-address=1'], {}).maxConnectionsPerAddress).toBe(1);
    expect(readConfig([], { MAX_CONNECTIONS_PER_ADDRESS: '500' }).maxConnectionsPerAddress).toBe(500);
    expect(readConfig(['--max-connections-per-address', '7'], { MAX_CONNECTIONS_PER_ADDRESS: '500' }).maxConnectionsPerAddress).toBe(7);
  });

  it.each([['0'], ['100001'], ['-3'], ['many'], ['1e3']])('refuses a per-address cap of %j with a clear message', (value) => {
    expect(() => readConfig(['--max-connections-per-address', value], {}))
      .toThrow(new ConfigError(`max connections per address must be a whole number from 1 to 100000, got "${value}"`));
  });

  it('names the new flag in the usage', () => {
    expect(() => readConfig(['--max-connections-per-adress', '3'], {})).toThrow(/\[--max-connections-per-address N\]/);
  });
});

describe('the caps at the WebSocket endpoint', () => {
  it('refuses a link past --max-connections-per-address with 429, and takes one from another address', async () => {
    authority = await startTestAuthority(['--max-connections-per-address', '3']);
    const url = authority.wsUrl;
    for (let i = 0; i < 3; i++) expect(await connect(url, '127.0.0.5')).toBe('open');
    expect(await connect(url, '127.0.0.5')).toEqual({ status: 429, body: '3 connections from your address are open, the limit per address' });
    expect(await connect(url, '127.0.0.6')).toBe('open');
  });

  it('lets an address past 64 links with the cap lifted', async () => {
    authority = await startTestAuthority(['--max-connections-per-address', '100']);
    const opened = await Promise.all(Array.from({ length: 80 }, () => connect(authority!.wsUrl, '127.0.0.7')));
    expect(opened.every((result) => result === 'open')).toBe(true);
  });

  it('refuses a link past --max-connections with 503 whatever its address', async () => {
    authority = await startTestAuthority(['--max-connections', '2']);
    expect(await connect(authority.wsUrl, '127.0.0.8')).toBe('open');
    expect(await connect(authority.wsUrl, '127.0.0.9')).toBe('open');
    expect(await connect(authority.wsUrl, '127.0.0.2')).toEqual({ status: 503, body: 'this authority is full (2 connections); try another or later' });
  });
});
