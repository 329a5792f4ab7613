// The signaling relay drops nothing silently: every `signal` to a live peer arrives, in order, and
// one to a peer that has left is answered PEER_GONE (what `bench authority-load` checks at 10,000).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { until } from '../helpers/until.ts';
import { rawJoined, type RawPeer } from '../helpers/ws-peer.ts';

let authority: TestAuthority;
const peers: RawPeer[] = [];

beforeEach(async () => {
  authority = await startTestAuthority();
});

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.link.close();
  await authority.close();
});

async function joined(): Promise<{ peer: RawPeer; id: string }> {
  const { peer, identity } = await rawJoined(authority.wsUrl);
  peers.push(peer);
  return { peer, id: identity.id };
}

describe('relaying signals', () => {
  it('delivers every signal to a live peer, in the order sent', async () => {
    const a = await joined();
    const b = await joined();
    for (let seq = 0; seq < 100; seq++) a.peer.send(`signal ${b.id} {type candidate seq ${seq}}`);
    await until(() => b.peer.frames.filter((frame) => frame.startsWith('signal ')).length === 100);
    expect(b.peer.frames.filter((frame) => frame.startsWith('signal ')))
      .toEqual(Array.from({ length: 100 }, (_, seq) => `signal ${a.id} {type candidate seq ${seq}}`));
    expect(a.peer.frames.filter((frame) => frame.startsWith('exception'))).toEqual([]);
  });

  it('records relayed signals in the replay, in and out, within the signal budget', async () => {
    const a = await joined();
    const b = await joined();
    for (let seq = 0; seq < 10; seq++) a.peer.send(`signal ${b.id} {type candidate seq ${seq}}`);
    await until(() => b.peer.frames.filter((frame) => frame.startsWith('signal ')).length === 10);
    const relayed = authority.events.all().filter((e) => e.node === 'authority' && e.text?.startsWith('signal '));
    expect(relayed.filter((e) => e.kind === 'in' && e.peer === a.id && e.result === 'ok')).toHaveLength(10);
    expect(relayed.filter((e) => e.kind === 'out' && e.peer === b.id)).toHaveLength(10);
    expect(authority.events.unrecordedSignals).toBe(0);
  });

  it('answers PEER_GONE to a signal for a peer that has left', async () => {
    const a = await joined();
    const b = await joined();
    b.peer.link.close();
    await until(() => authority.registry.get(b.id) === undefined);
    a.peer.send(`signal ${b.id} {type offer sdp x}`);
    expect(await a.peer.next(/^exception/)).toBe(`exception {peer "${b.id}" is not connected to this authority}`);
  });

  it('takes a peer that left out of the samples, and answers PEER_GONE for each signal sent to it', async () => {
    const a = await joined();
    const leavers = await Promise.all(Array.from({ length: 5 }, () => joined()));
    for (const { peer } of [a, ...leavers]) peer.send('listening');
    await until(() => authority.registry.listeningCount === 6);
    for (const { peer } of leavers) peer.link.close();
    await until(() => authority.registry.size === 1);
    expect(authority.registry.listeningCount).toBe(1);
    a.peer.send('peers');
    expect(await a.peer.next(/^peers /)).toBe('peers {}');
    for (const { id } of leavers) a.peer.send(`signal ${id} {type offer sdp x}`);
    for (const { id } of leavers) {
      expect(await a.peer.next(new RegExp(`^exception \\{peer "${id}"`))).toBe(`exception {peer "${id}" is not connected to this authority}`);
    }
  });
});
