import { until } from '../helpers/until.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateIdentity, joinMessage, sign } from '../../src/protocol/identity.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { joinAs, rawPeer, type RawPeer } from '../helpers/ws-peer.ts';
import type { AuthorityConnection, SignalEventDetail } from '../../src/peer/authority-connection.ts';

let authority: TestAuthority;
const connections: AuthorityConnection[] = [];
const raws: RawPeer[] = [];

async function worker(): Promise<AuthorityConnection> {
  const connection = await joinAs('worker', authority.wsUrl);
  connections.push(connection);
  return connection;
}

async function raw(): Promise<RawPeer> {
  const peer = await rawPeer(authority.wsUrl);
  raws.push(peer);
  return peer;
}

/** A raw peer that has declared the worker protocol /1 and read the greeting. */
async function declaredRaw(version = 1): Promise<{ peer: RawPeer; nonce: string }> {
  const peer = await raw();
  peer.send(`protocol p2p:authority<-worker/${version}`);
  await peer.next(new RegExp(`^protocol p2p:worker<-authority/${version}$`));
  const nonce = (await peer.next(/^challenge /)).split(' ')[1]!;
  return { peer, nonce };
}


beforeEach(async () => {
  authority = await startTestAuthority(['--peer-expiry-ms', '1500', '--option', 'time_between_authority_checks=200']);
});

afterEach(async () => {
  for (const connection of connections.splice(0)) connection.stop();
  for (const peer of raws.splice(0)) peer.link.close();
  await authority.close();
});

describe('joining', () => {
  it('greets a declared worker with the mirror protocol, a challenge and options with its address', async () => {
    const { peer } = await declaredRaw();
    const options = await peer.next(/^options /);
    expect(options).toMatch(/ ice_loopback_only 1 /);
    expect(options).toMatch(/ address 127\.0\.0\.1$/);
  });

  it('registers a worker whose signature answers the challenge', async () => {
    const connection = await worker();
    expect(connection.state).toBe('joined');
    expect(connection.protocol).toBe('p2p:authority<-worker/2');
    await until(() => authority.registry.get(connection.id)?.state === 'listening');
  });

  it('refuses a join whose key does not hash to the id', async () => {
    const { peer, nonce } = await declaredRaw();
    const [alice, mallory] = [await generateIdentity(), await generateIdentity()];
    peer.send(`join ${alice.id} ${mallory.publicKey} ${await sign(mallory, joinMessage(nonce))}`);
    expect(await peer.next(/^exception/)).toBe(
      `exception {key does not match id "${alice.id}": the id is the SHA-256 of the raw public key}`);
    expect(authority.registry.size).toBe(0);
  });

  it('refuses a signature over anything but its own challenge', async () => {
    const { peer } = await declaredRaw();
    const identity = await generateIdentity();
    peer.send(`join ${identity.id} ${identity.publicKey} ${await sign(identity, joinMessage('other-nonce'))}`);
    expect(await peer.next(/^exception/)).toBe(
      'exception {bad signature: sign "peerfarm join <nonce>" with the key of the challenge}');
  });

  it('refuses role commands before join', async () => {
    const { peer } = await declaredRaw();
    peer.send('peers');
    expect(await peer.next(/^exception/)).toBe('exception {not joined: answer the challenge with "join" first}');
  });

  it('refuses an unknown protocol and lists what it supports', async () => {
    const peer = await raw();
    peer.send('protocol p2p:authority<-martian/1');
    expect(await peer.next(/^exception/)).toBe('exception {protocol "p2p:authority<-martian/1" not recognized; ' +
      'supported: p2p:authority<-authority/1, p2p:authority<-client/1, p2p:authority<-client/2, p2p:authority<-client/3, ' +
      'p2p:authority<-worker/1, p2p:authority<-worker/2}');
  });

  it('replaces the older link when the same identity joins twice', async () => {
    const identity = await generateIdentity();
    const joinWith = async () => {
      const { peer, nonce } = await declaredRaw();
      peer.send(`join ${identity.id} ${identity.publicKey} ${await sign(identity, joinMessage(nonce))}`);
      await peer.next(/^welcome /);
      return peer;
    };
    const first = await joinWith();
    await joinWith();
    expect(await first.closed).toBe('replaced by a newer connection of the same peer');
    expect(authority.registry.size).toBe(1);
  });
});

describe('peer lists', () => {
  it('lists the other listening workers but never the asker', async () => {
    const [a, b, c] = [await worker(), await worker(), await worker()];
    await until(() => a.peers.length === 2 && b.peers.length === 2 && c.peers.length === 2);
    expect([...a.peers].sort()).toEqual([b.id, c.id].sort());
  });

  it('caps a sample at -max', async () => {
    await worker();
    await worker();
    await worker();
    const { peer, nonce } = await declaredRaw(2);
    const identity = await generateIdentity();
    peer.send(`join ${identity.id} ${identity.publicKey} ${await sign(identity, joinMessage(nonce))}`);
    await peer.next(/^welcome /);
    peer.send('peers -max 2');
    const reply = await peer.next(/^peers /);
    expect(reply.split(' ')).toHaveLength(3);
    peer.send('peers -max 1000');
    expect(await peer.next(/^exception/)).toBe('exception {"-max" must be between 1 and 100, got 1000}');
  });

  it('gives a client the listening workers', async () => {
    const w = await worker();
    const client = await joinAs('client', authority.wsUrl);
    connections.push(client);
    await until(() => client.peers.length === 1);
    expect(client.peers).toEqual([w.id]);
    expect(authority.registry.get(client.id)?.role).toBe('client');
  });

  it('drops a closed worker from the lists of the others', async () => {
    const [a, b] = [await worker(), await worker()];
    await until(() => a.peers.length === 1);
    b.stop();
    await until(() => a.peers.length === 0);
    expect(authority.registry.get(b.id)).toBeUndefined();
  });

  it('expires a peer that stays silent', async () => {
    const { peer, nonce } = await declaredRaw();
    const identity = await generateIdentity();
    peer.send(`join ${identity.id} ${identity.publicKey} ${await sign(identity, joinMessage(nonce))}`);
    await peer.next(/^welcome /);
    expect(await peer.closed).toBe('expired: silent for more than 1500 ms');
    await until(() => authority.registry.get(identity.id) === undefined);
  });
});

describe('signaling relay', () => {
  it('relays a payload to the target with the sender id', async () => {
    const [a, b] = [await worker(), await worker()];
    const received = new Promise<SignalEventDetail>((resolve) => {
      b.addEventListener('signal', (event) => resolve((event as CustomEvent<SignalEventDetail>).detail), { once: true });
    });
    a.signal(b.id, { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' });
    expect(await received).toEqual({ from: a.id, payload: { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' } });
  });

  it('says clearly when the target is gone', async () => {
    const { peer, nonce } = await declaredRaw();
    const identity = await generateIdentity();
    peer.send(`join ${identity.id} ${identity.publicKey} ${await sign(identity, joinMessage(nonce))}`);
    await peer.next(/^welcome /);
    const gone = 'f'.repeat(32);
    peer.send(`signal ${gone} {type offer sdp x}`);
    expect(await peer.next(/^exception/)).toBe(`exception {peer "${gone}" is not connected to this authority}`);
  });
});

describe('limits', () => {
  it('answers an oversized frame with an exception and keeps the link', async () => {
    const { peer } = await declaredRaw();
    peer.send(`identity ${'x'.repeat(300 * 1024)}`);
    expect(await peer.next(/^exception/)).toBe('exception {frame of 307209 bytes exceeds the limit of 262144 bytes}');
    peer.send('heartbeat');
    expect(await peer.next(/^exception/)).toBe('exception {not joined: answer the challenge with "join" first}');
  });

  it('survives garbage of every kind and still serves the next peer', async () => {
    const peer = await raw();
    const garbage = ['', '{', '"', '\\', '}{', '\u0000\uffff', 'protocol', '[peers]', '$x', 'a'.repeat(10)];
    for (const frame of garbage) peer.send(frame);
    await until(() => peer.frames.length === garbage.length);
    expect(peer.frames.every((frame) => frame.startsWith('exception '))).toBe(true);
    expect((await worker()).state).toBe('joined');
  });
});
