// The authority's Prometheus metrics at /metrics: what a scrape shows after real traffic.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignalEventDetail } from '../../src/peer/authority-connection.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { joinedMember, rawPeer, type RawPeer } from '../helpers/ws-peer.ts';
import { rawRequest } from '../hostile/raw-http.ts';

let authority: TestAuthority;
const stops: (() => void)[] = [];

async function member(role: 'worker' | 'client') {
  const joined = await joinedMember(role, authority.wsUrl);
  stops.push(() => joined.connection.stop());
  return joined;
}

async function raw(): Promise<RawPeer> {
  const peer = await rawPeer(authority.wsUrl);
  stops.push(() => peer.link.close());
  return peer;
}

async function scrape(): Promise<string> {
  const response = await fetch(`${authority.url}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** The value of one series, e.g. sample(text, 'peerfarm_peers', {role: 'worker'}); undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((pair) => have.includes(pair)) && have.length === wanted.length) return Number(match[3]);
  }
  return undefined;
}

beforeEach(async () => {
  authority = await startTestAuthority(['--grant-points', '100']);
});

afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  await authority.close();
});

describe('/metrics', () => {
  it('answers in the Prometheus text format, GET and HEAD only', async () => {
    const response = await fetch(`${authority.url}/metrics`);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await response.text()).toMatch(/^# HELP peerfarm_/m);
    expect((await fetch(`${authority.url}/metrics`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${authority.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('counts connections and joined peers by role', async () => {
    await member('worker');
    await member('worker');
    await member('client');
    await raw();
    const text = await scrape();
    expect(sample(text, 'peerfarm_connections')).toBe(4);
    expect(sample(text, 'peerfarm_connections_unjoined')).toBe(1);
    expect(sample(text, 'peerfarm_peers', { role: 'worker' })).toBe(2);
    expect(sample(text, 'peerfarm_peers', { role: 'client' })).toBe(1);
  });

  it('counts commands by protocol, command and outcome, and refusals by code', async () => {
    const worker = await member('worker');
    worker.connection.refresh();
    const peer = await raw();
    peer.send('protocol p2p:authority<-worker/1');
    await peer.next(/^challenge /);
    peer.send('frobnicate now');
    await peer.next(/^exception \{bad command "frobnicate"/);
    peer.send('heartbeat');
    await peer.next(/^exception \{not joined/);
    await expect.poll(async () => sample(await scrape(), 'peerfarm_commands_total',
      { protocol: 'p2p:authority<-worker/2', command: 'join', outcome: 'ok' })).toBe(1);
    const text = await scrape();
    expect(sample(text, 'peerfarm_commands_total', { protocol: 'unjoined', command: 'protocol', outcome: 'ok' })).toBe(2);
    expect(sample(text, 'peerfarm_commands_total', { protocol: 'unjoined', command: 'other', outcome: 'exception' })).toBe(1);
    expect(sample(text, 'peerfarm_commands_total', { protocol: 'unjoined', command: 'heartbeat', outcome: 'exception' })).toBe(1);
    expect(sample(text, 'peerfarm_refusals_total', { code: 'BAD_COMMAND' })).toBe(1);
    expect(sample(text, 'peerfarm_refusals_total', { code: 'NOT_JOINED' })).toBe(1);
  });

  it('counts rate-limited frames as refusals', async () => {
    const peer = await raw();
    for (let i = 0; i < 1000; i++) peer.send('identity flood');
    await peer.next(/^exception \{rate limit exceeded/);
    expect(sample(await scrape(), 'peerfarm_refusals_total', { code: 'RATE_LIMITED' })).toBeGreaterThan(0);
  });

  it('times each relayed signal', async () => {
    const worker = await member('worker');
    const client = await member('client');
    const received = new Promise<SignalEventDetail>((resolve) => worker.connection.addEventListener('signal', (event) =>
      resolve((event as CustomEvent<SignalEventDetail>).detail), { once: true }));
    client.connection.signal(worker.id, { type: 'offer', sdp: 'v=0' });
    expect((await received).from).toBe(client.id);
    const text = await scrape();
    expect(sample(text, 'peerfarm_relay_seconds_count')).toBe(1);
    expect(sample(text, 'peerfarm_relay_seconds_bucket', { le: '+Inf' })).toBe(1);
  });

  it('counts ledger requests by operation and result, and reads the open holds on each scrape', async () => {
    const worker = await member('worker');
    const client = await member('client');
    const award = await client.points.award(worker.id, 7, Date.now() + 60_000);
    expect(award.result).toBe('ok');
    let text = await scrape();
    expect(sample(text, 'peerfarm_ledger_transfers_total', { operation: 'grant', result: 'ok' })).toBe(1);
    expect(sample(text, 'peerfarm_ledger_transfers_total', { operation: 'hold', result: 'ok' })).toBe(1);
    expect(sample(text, 'peerfarm_ledger_open_holds')).toBe(1);
    expect(await client.points.settle(award.hold, 'post')).toBe('ok');
    text = await scrape();
    expect(sample(text, 'peerfarm_ledger_transfers_total', { operation: 'post', result: 'ok' })).toBe(1);
    expect(sample(text, 'peerfarm_ledger_open_holds')).toBe(0);
  });

  it('counts HTTP requests and upgrades by route and status, whatever the path', async () => {
    await fetch(`${authority.url}/api/health`);
    await fetch(`${authority.url}/api/nope`);
    await fetch(`${authority.url}/some/page/${'x'.repeat(50)}`);
    await rawRequest(authority.port, 'GET /% HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await rawRequest(authority.port, 'BREW / HTTP/1.1\r\n\r\n');
    await raw();
    await expect.poll(async () => sample(await scrape(), 'peerfarm_http_requests_total', { route: '/ws', status: '101' })).toBe(1);
    const text = await scrape();
    expect(sample(text, 'peerfarm_http_requests_total', { route: '/api/health', status: '200' })).toBe(1);
    expect(sample(text, 'peerfarm_http_requests_total', { route: '/api/other', status: '404' })).toBe(1);
    expect(sample(text, 'peerfarm_http_requests_total', { route: 'bad_target', status: '400' })).toBe(1);
    expect(sample(text, 'peerfarm_http_requests_total', { route: 'malformed', status: '400' })).toBe(1);
    expect(text).not.toContain('xxxxx');
  });
});
