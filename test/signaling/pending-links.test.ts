// Links that never declare a protocol or never join only hold a slot: they are closed after the
// handshake and join limits, and past --max-unjoined the oldest of them goes first, so hundreds
// of idle sockets from many addresses never keep a new peer out. Idle sockets come from
// 127.0.0.2..127.0.0.9, which all reach the authority on 127.0.0.1 over lo.
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CONNECTIONS_PER_ADDRESS } from '../../signaling/websocket.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { until } from '../helpers/until.ts';
import { joinAs, rawPeer, type RawPeer } from '../helpers/ws-peer.ts';
import type { AuthorityConnection } from '../../src/peer/authority-connection.ts';

let authority: TestAuthority;
const sockets: WebSocket[] = [];
const peers: AuthorityConnection[] = [];
const raws: RawPeer[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  for (const peer of peers.splice(0)) peer.stop();
  for (const peer of raws.splice(0)) peer.link.close();
  await authority.close();
});

interface Idle {
  readonly socket: WebSocket;
  /** The close reason once closed, else undefined. */
  closedWith: string | undefined;
}

/** Opens an idle WebSocket from `localAddress`; resolves once it is open (or was refused: status in closedWith). */
function idle(localAddress: string): Promise<Idle> {
  const socket = new WebSocket(authority.wsUrl, { localAddress });
  sockets.push(socket);
  const state: Idle = { socket, closedWith: undefined };
  return new Promise((resolve) => {
    socket.on('open', () => resolve(state));
    socket.on('close', (_code, reason) => {
      state.closedWith ??= reason.toString();
      resolve(state);
    });
    socket.on('error', (error) => {
      state.closedWith = error.message;
      resolve(state);
    });
  });
}

const addresses = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);

describe('the cap on links that have not joined', () => {
  it('closes the oldest idle link when a new one would pass --max-unjoined, so a peer still joins', async () => {
    authority = await startTestAuthority(['--max-unjoined', '256']);
    const opened: Idle[] = [];
    for (let i = 0; i < 320; i++) opened.push(await idle(addresses[i % addresses.length]!));
    await until(() => opened.slice(0, 64).every((link) => link.closedWith !== undefined));
    expect(opened.slice(0, 64).map((link) => link.closedWith))
      .toEqual(Array(64).fill('closed: 256 links were waiting to join; the oldest goes first'));
    expect(opened.slice(64).every((link) => link.closedWith === undefined)).toBe(true);

    const worker = await joinAs('worker', authority.wsUrl);
    peers.push(worker);
    expect(worker.state).toBe('joined');
    await until(() => opened[64]!.closedWith !== undefined);
    expect(opened.slice(65).every((link) => link.closedWith === undefined)).toBe(true);
    const metrics = await (await fetch(`${authority.url}/metrics`)).text();
    expect(metrics).toContain('peerfarm_pending_links_closed_total{reason="evicted"} 65');
    expect(metrics).toContain('peerfarm_connections_unjoined 255');
  });

  it('never closes a joined link to make room', async () => {
    authority = await startTestAuthority(['--max-unjoined', '4']);
    const worker = await joinAs('worker', authority.wsUrl);
    peers.push(worker);
    const opened: Idle[] = [];
    for (let i = 0; i < 10; i++) opened.push(await idle(addresses[i % addresses.length]!));
    await until(() => opened.slice(0, 6).every((link) => link.closedWith !== undefined));
    expect(opened.slice(6).every((link) => link.closedWith === undefined)).toBe(true);
    expect(worker.state).toBe('joined');
    expect(authority.registry.get(worker.id)?.handler.state).toBe('declared');
  });

  it('still refuses a link past the per-address cap with 429', async () => {
    authority = await startTestAuthority();
    const opened: Idle[] = [];
    for (let i = 0; i < MAX_CONNECTIONS_PER_ADDRESS; i++) opened.push(await idle('127.0.0.3'));
    expect(opened.every((link) => link.closedWith === undefined)).toBe(true);
    expect((await idle('127.0.0.3')).closedWith).toBe('Unexpected server response: 429');
    expect((await idle('127.0.0.4')).closedWith).toBeUndefined();
  });
});

describe('the handshake and join limits', () => {
  it('closes links that declare no protocol within --handshake-timeout-ms and keeps joined ones', async () => {
    authority = await startTestAuthority(['--handshake-timeout-ms', '300', '--join-timeout-ms', '60000']);
    const worker = await joinAs('worker', authority.wsUrl);
    peers.push(worker);
    const opened: Idle[] = [];
    for (let i = 0; i < 200; i++) opened.push(await idle(addresses[i % addresses.length]!));
    await until(() => opened.every((link) => link.closedWith !== undefined), 10_000);
    expect(new Set(opened.map((link) => link.closedWith))).toEqual(new Set(['no protocol declared within 300 ms']));
    expect(authority.registry.get(worker.id)?.handler.state).toBe('declared');
  });

  it('closes a declared link that does not join within --join-timeout-ms', async () => {
    authority = await startTestAuthority(['--handshake-timeout-ms', '60000', '--join-timeout-ms', '300']);
    const worker = await joinAs('worker', authority.wsUrl);
    peers.push(worker);
    const declared = await rawPeer(authority.wsUrl);
    raws.push(declared);
    declared.send('protocol p2p:authority<-worker/2');
    await declared.next(/^challenge /);
    expect(await declared.closed).toBe('no join within 300 ms');
    expect(authority.registry.get(worker.id)?.handler.state).toBe('declared');
    const metrics = await (await fetch(`${authority.url}/metrics`)).text();
    expect(metrics).toContain('peerfarm_pending_links_closed_total{reason="join_timeout"} 1');
  });
});
