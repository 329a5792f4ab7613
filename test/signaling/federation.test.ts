import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateIdentity } from '../../src/protocol/identity.ts';
import { makeHello } from '../../signaling/federation/membership.ts';
import { federationArgs, freePort } from '../helpers/authority-process.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { until } from '../helpers/until.ts';
import { joinAs, rawJoined, rawPeer, type RawPeer } from '../helpers/ws-peer.ts';
import type { AuthorityConnection } from '../../src/peer/authority-connection.ts';
import { Options } from '../../src/peer/options.ts';

const SECRET = 'the federation secret of these tests';
/** Links are proved at once; a silent one goes after 1.5 s, so a dead authority leaves quickly. */
const federated = (...peers: string[]) => ['--peer-expiry-ms', '1500', ...federationArgs({ secret: SECRET, peers })];

let a: TestAuthority;
let b: TestAuthority;
let c: TestAuthority;
const others: TestAuthority[] = [];
const connections: AuthorityConnection[] = [];
const raws: RawPeer[] = [];

function linked(authority: TestAuthority): string[] {
  return authority.federation.summary().authorities.filter((known) => known.state === 'linked').map((known) => known.url);
}

async function joined(url: string, protocol: string) {
  const member = await rawJoined(url, protocol);
  raws.push(member.peer);
  // Peers here expire after 1.5 s of silence (so a silent authority goes quickly): these keep talking.
  const heartbeat = setInterval(() => member.peer.send('heartbeat'), 250);
  void member.peer.closed.then(() => clearInterval(heartbeat));
  return member;
}

async function listeningWorker(authority: TestAuthority) {
  const worker = await joined(authority.wsUrl, 'p2p:authority<-worker/2');
  worker.peer.send('listening');
  await until(() => authority.registry.get(worker.identity.id)?.state === 'listening');
  return worker;
}

beforeEach(async () => {
  // A knows no one, B knows A, C knows B: C learns A from gossip.
  a = await startTestAuthority(federated());
  b = await startTestAuthority(federated(a.wsUrl));
  c = await startTestAuthority(federated(b.wsUrl));
  await until(() => [a, b, c].every((authority) => linked(authority).length === 2));
});

afterEach(async () => {
  for (const connection of connections.splice(0)) connection.stop();
  for (const peer of raws.splice(0)) peer.link.close();
  await Promise.all([a, b, c, ...others.splice(0)].map((authority) => authority.close().catch(() => undefined)));
});

describe('federation', () => {
  it('links three authorities from a chain of seeds, learning the rest by gossip', () => {
    expect(linked(a).sort()).toEqual([b.wsUrl, c.wsUrl].sort());
    expect(linked(c).sort()).toEqual([a.wsUrl, b.wsUrl].sort());
    expect(new Set([a, b, c].map((authority) => authority.federation.id)).size).toBe(3);
  });

  it('answers a client on A with workers held on B and C', async () => {
    const [onB, onC] = [await listeningWorker(b), await listeningWorker(c)];
    await until(() => a.federation.summary().authorities.every((known) => known.listed === 1));
    const client = await joined(a.wsUrl, 'p2p:authority<-client/2');
    client.peer.send('workers');
    const ids = (await client.peer.next(/^workers /)).split(' ').slice(1).join(' ').replace(/[{}]/g, '').split(' ');
    expect(ids.sort()).toEqual([onB.identity.id, onC.identity.id].sort());
  });

  it('relays a signal from a client on A to a worker on B, and the answer back', async () => {
    const worker = await listeningWorker(b);
    const client = await joined(a.wsUrl, 'p2p:authority<-client/2');
    client.peer.send(`signal ${worker.identity.id} {type offer sdp x}`);
    expect(await worker.peer.next(/^signal /)).toBe(`signal ${client.identity.id} {type offer sdp x}`);
    worker.peer.send(`signal ${client.identity.id} {type answer sdp y}`);
    expect(await client.peer.next(/^signal /)).toBe(`signal ${worker.identity.id} {type answer sdp y}`);
    expect(worker.peer.frames.concat(client.peer.frames).filter((frame) => frame.startsWith('exception'))).toEqual([]);
  });

  it('sends a signal only to the authority that listed the target, and the answer back by the route it came', async () => {
    const worker = await listeningWorker(b);
    await until(() => a.federation.summary().authorities.some((known) => known.listed === 1));
    const client = await joined(a.wsUrl, 'p2p:authority<-client/2');
    client.peer.send(`signal ${worker.identity.id} {type offer}`);
    await worker.peer.next(/^signal /);
    worker.peer.send(`signal ${client.identity.id} {type answer}`);
    await client.peer.next(/^signal /);
    expect(c.events.all().filter((event) => /^(relay|undelivered) /.test(event.text ?? ''))).toEqual([]);
  });

  it('refuses a signal to a peer no authority holds with PEER_GONE', async () => {
    const client = await joined(a.wsUrl, 'p2p:authority<-client/2');
    const nobody = (await generateIdentity()).id;
    client.peer.send(`signal ${nobody} {type offer sdp x}`);
    expect(await client.peer.next(/^exception /)).toBe(
      `exception {peer "${nobody}" is not connected to this authority, and no authority of the federation holds it}`);
  });

  it('records authority links in the event store under the remote authority\'s name', () => {
    const names = new Set(a.events.all().map((event) => event.peer));
    expect(names).toContain(`authority-${b.federation.id.slice(0, 8)}`);
    expect(names).toContain(`authority-${c.federation.id.slice(0, 8)}`);
  });

  it('shows the federation in /api/health', async () => {
    const health = await (await fetch(`${a.url}/api/health`)).json();
    expect(health.federation).toMatchObject({ id: a.federation.id, url: a.wsUrl });
    expect(health.federation.authorities).toHaveLength(2);
    for (const known of health.federation.authorities) {
      expect(known).toMatchObject({ state: 'linked', peers: 0 });
      expect([b.federation.id, c.federation.id]).toContain(known.id);
      expect(known.lastHeardAt).toEqual(expect.any(Number));
    }
  });

  it('accepts sockets from the pages of the other members, dead ones too (their tabs fail over here), and no other origin', async () => {
    const opened = (origin: string) => new Promise<boolean>((resolve) => {
      const socket = new WebSocket(a.wsUrl, { origin });
      socket.on('open', () => {
        socket.close();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    expect(await opened(b.url)).toBe(true);
    expect(await opened(c.url)).toBe(true);
    expect(await opened(`http://127.0.0.1:${await freePort()}`)).toBe(false);
    // A dead member's tabs fail over from its pages: its origin stays ours.
    await b.close();
    await until(() => !linked(a).includes(b.wsUrl), 10_000);
    expect(await opened(b.url)).toBe(true);
  });

  it('drops a closed authority from the views and the pushed authority_hosts; its peers fail over keeping their id', async () => {
    const [workerOptions, watcherOptions] = [new Options(), new Options()];
    const worker = await joinAs('worker', b.wsUrl, workerOptions);
    connections.push(worker);
    const hosts = () => String(workerOptions.get('authority_hosts')).split(' ').sort();
    await until(() => hosts().length === 3);
    expect(hosts()).toEqual([a.wsUrl, b.wsUrl, c.wsUrl].sort());
    const watcher = await joinAs('client', a.wsUrl, watcherOptions);
    connections.push(watcher);
    await b.close();
    await until(() => !linked(a).includes(b.wsUrl) && !linked(c).includes(b.wsUrl));
    expect(a.federation.summary().authorities.find((known) => known.url === b.wsUrl)?.state).toBe('dead');
    await until(() => String(watcherOptions.get('authority_hosts')).split(' ').sort().join(' ') === [a.wsUrl, c.wsUrl].sort().join(' '));
    await until(() => a.registry.get(worker.id) !== undefined || c.registry.get(worker.id) !== undefined, 10_000);
  });
});

describe('authority link proofs', () => {
  async function declared(url: string): Promise<{ peer: RawPeer; nonce: string }> {
    const peer = await rawPeer(url);
    raws.push(peer);
    peer.send('protocol p2p:authority<-authority/1');
    await peer.next(/^protocol p2p:authority<-authority\/1$/);
    return { peer, nonce: (await peer.next(/^challenge /)).split(' ')[1]! };
  }

  it('refuses and closes a link whose membership proof uses another secret', async () => {
    const { peer, nonce } = await declared(a.wsUrl);
    const hello = await makeHello(await generateIdentity(), 'not the federation secret!', nonce, 'ws://127.0.0.1:1/ws');
    peer.send(`hello ${hello.id} ${hello.key} ${hello.signature} ${hello.proof} ${hello.url}`);
    expect(await peer.next(/^exception /)).toBe('exception {not a member of this federation: the proof does not match the federation secret}');
    await peer.closed;
    expect(linked(a)).toHaveLength(2);
  });

  it('closes a member silent past the bound and drops its directory at once', async () => {
    const { peer, nonce } = await declared(a.wsUrl);
    const hello = await makeHello(await generateIdentity(), SECRET, nonce, 'ws://127.0.0.1:1/ws');
    peer.send(`hello ${hello.id} ${hello.key} ${hello.signature} ${hello.proof} ${hello.url}`);
    // Alive while its listing is looked at (a loaded machine can take the whole bound to join a client), then silent.
    const alive = setInterval(() => peer.send('heartbeat 0'), 250);
    const listed = (await generateIdentity()).id;
    peer.send(`directory ${listed}`);
    const client = (await joined(a.wsUrl, 'p2p:authority<-client/2')).peer;
    client.send('workers');
    try {
      expect(await client.next(/^workers /)).toBe(`workers ${listed}`);
    } finally {
      clearInterval(alive);
    }
    await peer.closed;
    await until(() => a.federation.summary().authorities.find((known) => known.id === hello.id)?.state === 'dead');
    const after = (await joined(a.wsUrl, 'p2p:authority<-client/2')).peer;
    after.send('workers');
    expect(await after.next(/^workers /)).toBe('workers {}');
  });

  it('refuses a hello signed over another nonce', async () => {
    const { peer } = await declared(a.wsUrl);
    const hello = await makeHello(await generateIdentity(), SECRET, 'another-nonce', 'ws://127.0.0.1:1/ws');
    peer.send(`hello ${hello.id} ${hello.key} ${hello.signature} ${hello.proof} ${hello.url}`);
    expect(await peer.next(/^exception /)).toBe('exception {bad signature: sign "peerfarm authority <nonce>" with the key of the challenge}');
    await peer.closed;
  });

  it('refuses relays before the link is proved', async () => {
    const { peer } = await declared(a.wsUrl);
    peer.send(`relay t1 ${'0'.repeat(32)} ${'1'.repeat(32)} {type offer}`);
    expect(await peer.next(/^exception /)).toBe('exception {not linked: answer the challenge with "hello" first}');
  });

  it('does not link an authority to itself when a seed names its own address', async () => {
    const port = await freePort();
    const self = await startTestAuthority(['--port', String(port), ...federated(`ws://localhost:${port}/ws`)]);
    others.push(self);
    await until(() => self.events.all().some((event) => event.text?.includes('this is a link to myself')));
    await until(() => self.federation.summary().authorities.length === 0);
  });

  it('refuses every authority link without a federation secret', async () => {
    const alone = await startTestAuthority([]);
    others.push(alone);
    const { peer } = await declared(alone.wsUrl);
    peer.send('challenge abc');
    expect(await peer.next(/^exception /)).toBe('exception {this authority federates with no one (no --federation-secret)}');
  });
});
