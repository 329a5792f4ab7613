import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { joinAs } from '../helpers/ws-peer.ts';
import type { AuthorityConnection } from '../../src/peer/authority-connection.ts';
import { MAX_PEERS_LISTED } from '../../signaling/api.ts';
import type { AuthorityLink } from '../../signaling/registry.ts';

let authority: TestAuthority;
let worker: AuthorityConnection;

beforeAll(async () => {
  authority = await startTestAuthority();
  worker = await joinAs('worker', authority.wsUrl);
});

afterAll(async () => {
  worker.stop();
  await authority.close();
});

describe('HTTP API', () => {
  it('reports health with peer counts and installed protocols', async () => {
    const response = await fetch(`${authority.url}/api/health`);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = await response.json();
    expect(body).toMatchObject({ ok: true, api: 1, connections: 1, peers: { workers: 1, clients: 0 } });
    expect(body.protocols).toEqual(['p2p:authority<-worker/1', 'p2p:authority<-worker/2', 'p2p:authority<-client/1',
      'p2p:authority<-client/2', 'p2p:authority<-client/3']);
  });

  it('lists peers with id, role, state and neighbours', async () => {
    const { peers, total } = await (await fetch(`${authority.url}/api/peers`)).json();
    expect(total).toBe(1);
    expect(peers).toHaveLength(1);
    expect(peers[0]).toMatchObject({ id: worker.id, role: 'worker', address: '127.0.0.1', protocol: 'p2p:authority<-worker/2', neighbours: [], balance: 0 });
    expect(['joined', 'listening']).toContain(peers[0].state);
  });

  it('reports ledger totals and a leaderboard of workers by accepted jobs', async () => {
    const client = `c${'0'.repeat(31)}`;
    await authority.points.openAccount(client);
    await authority.points.grant('g-test', client, 10, { ip: '192.0.2.9', day: '2026-11-24' });
    await authority.points.hold('h1', client, worker.id, 3, { expiresAtMs: Date.now() + 60_000 });
    await authority.points.post('p1', 'h1', client);
    const body = await (await fetch(`${authority.url}/api/ledger`)).json();
    expect(body.totals).toMatchObject({ minted: 10, held: 0 });
    expect(body.leaderboard).toEqual([expect.objectContaining({ worker: worker.id, jobs: 1, valid: 1, balance: 3 })]);
  });

  it('lists the jobs in flight as the open holds, and counts them per worker in /api/peers', async () => {
    const client = `d${'0'.repeat(31)}`;
    await authority.points.openAccount(client);
    await authority.points.grant('g-flight', client, 10, { ip: '192.0.2.10', day: '2026-11-24' });
    const expiresAtMs = Date.now() + 60_000;
    await authority.points.hold('h-flight', client, worker.id, 2, { expiresAtMs });
    const ledger = await (await fetch(`${authority.url}/api/ledger`)).json();
    expect(ledger.inFlightTotal).toBe(1);
    expect(ledger.inFlight).toEqual([{ id: 'h-flight', client, worker: worker.id, amount: 2, expiresAtMs }]);
    const { peers } = await (await fetch(`${authority.url}/api/peers`)).json();
    expect(peers.find((peer: { id: string }) => peer.id === worker.id)).toMatchObject({ inFlight: 1, jobs: 1 });
    await authority.points.void('v-flight', 'h-flight', client);
  });

  it('lists at most MAX_PEERS_LISTED peers and counts them all in total', async () => {
    const fakes = Array.from({ length: MAX_PEERS_LISTED + 5 }, (_, i) => ({
      id: `f${String(i).padStart(31, '0')}`, role: 'client' as const, state: 'joined' as const, address: '192.0.2.1',
      joinedAt: 0, neighbours: [], handler: { inbound: undefined, lastFrameMs: 0 } as unknown as AuthorityLink,
    }));
    for (const fake of fakes) authority.registry.add(fake);
    try {
      const body = await (await fetch(`${authority.url}/api/peers`)).json();
      expect(body.total).toBe(MAX_PEERS_LISTED + 6);
      expect(body.peers).toHaveLength(MAX_PEERS_LISTED);
    } finally {
      for (const fake of fakes) authority.registry.remove(fake.id, fake.handler);
    }
  });

  it('answers an unknown API path with 404 and the list of APIs', async () => {
    const response = await fetch(`${authority.url}/api/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'no such API: /api/nope; try /api/health, /api/peers, /api/ledger, /api/events, /api/events.ndjson' });
  });

  it('refuses a POST with 405', async () => {
    const response = await fetch(`${authority.url}/api/peers`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(await response.json()).toEqual({ error: 'POST is not allowed on /api/peers; use GET' });
  });

  it('answers a bad events query with 400 and one line of JSON', async () => {
    const response = await fetch(`${authority.url}/api/events?since=soon&limit=0`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'since must be a number (ms) and limit a whole number above 0' });
  });

  it('refuses a WebSocket upgrade on any path but /ws', async () => {
    const socket = new WebSocket(authority.wsUrl.replace('/ws', '/other'));
    const failure = await new Promise<string>((resolve) => socket.on('error', (error) => resolve(error.message)));
    expect(failure).toBe('Unexpected server response: 404');
  });

  it('creates the SQLite ledger in WAL mode in the data folder on first start', async () => {
    expect(existsSync(join(authority.dataDir, 'ledger.sqlite'))).toBe(true);
    const file = new Database(join(authority.dataDir, 'ledger.sqlite'), { readonly: true });
    try {
      expect(file.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(file.pragma('user_version', { simple: true })).toBe(2);
    } finally {
      file.close();
    }
  });
});

describe('connection cap', () => {
  it('refuses connections past --max-connections with 503', async () => {
    const small = await startTestAuthority(['--max-connections', '1']);
    const first = await joinAs('worker', small.wsUrl);
    await expect(joinAs('worker', small.wsUrl)).rejects.toThrow(/no authority reachable/);
    first.stop();
    await small.close();
  });
});
