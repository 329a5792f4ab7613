// Hostile input on the authority's WebSocket links: every bad frame gets its exact coded refusal,
// the link stays usable where the protocol says so, and a well-behaved peer on the same authority
// keeps getting its answers while the bad peer misbehaves. A real authority and real `ws` sockets.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatList } from '../../src/protocol/format.ts';
import { generateIdentity, joinMessage, sign, type Identity } from '../../src/protocol/identity.ts';
import { parseList } from '../../src/protocol/parse.ts';
import { MAX_FRAME_BYTES } from '../../src/protocol/handler.ts';
import { MAX_QUEUED_PER_LINK } from '../../signaling/fair-queue.ts';
import { WS_MAX_PAYLOAD_BYTES } from '../../signaling/websocket.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { rawJoined, rawPeer, type RawPeer } from '../helpers/ws-peer.ts';
import { until } from '../helpers/until.ts';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

let authority: TestAuthority;
const peers: RawPeer[] = [];

beforeAll(async () => {
  authority = await startTestAuthority();
});

afterAll(async () => {
  for (const peer of peers) peer.link.close();
  await authority.close();
});

/** A raw link that declared `protocol` and read the greeting. */
async function declared(protocol = 'p2p:authority<-worker/2'): Promise<{ peer: RawPeer; nonce: string }> {
  const peer = await rawPeer(authority.wsUrl);
  peers.push(peer);
  peer.send(`protocol ${protocol}`);
  const nonce = (await peer.next(/^challenge /)).split(' ')[1]!;
  await peer.next(/^options /);
  return { peer, nonce };
}

/** A raw link joined as a fresh identity. */
async function joined(protocol = 'p2p:authority<-worker/2'): Promise<{ peer: RawPeer; identity: Identity }> {
  const link = await rawJoined(authority.wsUrl, protocol);
  peers.push(link.peer);
  return link;
}

/** Sends `frame` and returns the next exception. */
async function refusal(peer: RawPeer, frame: string): Promise<string> {
  peer.send(frame);
  return parseList(await peer.next(/^exception /))[1]!;
}

/** A well-behaved peer still gets its answer. */
async function stillServed(): Promise<void> {
  const { peer } = await joined();
  peer.send('peers -max 5');
  await peer.next(/^peers /);
}

describe('frames the authority refuses, and the link stays usable', () => {
  it('an oversize frame: refused before parsing', async () => {
    const { peer } = await joined();
    expect(await refusal(peer, `log {${'x'.repeat(MAX_FRAME_BYTES)}}`))
      .toBe(`frame of ${MAX_FRAME_BYTES + 6} bytes exceeds the limit of ${MAX_FRAME_BYTES} bytes`);
    peer.send('peers');
    await peer.next(/^peers /);
  });

  it('a frame past the WebSocket payload cap: the socket is closed with 1009, others are served', async () => {
    const socket = new WebSocket(authority.wsUrl);
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send('x'.repeat(WS_MAX_PAYLOAD_BYTES + 1));
    expect(await closed).toBe(1009);
    await stillServed();
  });

  it('parse bombs: 200,000 nested braces and hundreds of KB of backslashes', async () => {
    const { peer } = await joined();
    expect(await refusal(peer, '{'.repeat(200_000))).toBe('malformed command: unmatched open brace in list');
    const nested = `${'{'.repeat(100_000)}${'}'.repeat(100_000)}`;
    expect(await refusal(peer, nested)).toMatch(/^bad command "\{{64}\.\.\.": should be /);
    expect(await refusal(peer, `neighbours ${'\\'.repeat(200_000)}`)).toBe('"ids" is longer than 65536 bytes');
    expect(await refusal(peer, `\\${'\\'.repeat(MAX_FRAME_BYTES)}`)).toMatch(/^frame of \d+ bytes exceeds the limit/);
    peer.send('peers');
    await peer.next(/^peers /);
  });

  it('a binary frame: refused with BAD_FRAME, never parsed', async () => {
    const { peer } = await joined();
    const socket = (peer.link as unknown as { socket: WebSocket }).socket;
    socket.send(Buffer.from([0, 1, 2, 3, 255]));
    expect(parseList(await peer.next(/^exception /))[1]).toBe('binary frame of 5 bytes refused: commands are text frames');
    peer.send('peers');
    await peer.next(/^peers /);
  });

  it('invalid UTF-8 in a text frame: the socket is closed with 1007, others are served', async () => {
    const socket = new WebSocket(authority.wsUrl);
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(Buffer.from([0x70, 0xc3, 0x28, 0xff]), { binary: false });
    expect(await closed).toBe(1007);
    await stillServed();
  });

  it('unknown protocols, unknown commands, wrong counts and types of arguments', async () => {
    const { peer } = await declared();
    expect(await refusal(peer, 'frobnicate')).toBe('bad command "frobnicate": should be balance, exception, heartbeat, history, ' +
      'identity, join, listening, log, neighbours, peers, record, or signal');
    expect(await refusal(peer, 'peers -max')).toBe('wrong # args: should be "peers ?-max M?"');
    expect(await refusal(peer, 'peers -max lots')).toBe('expected integer but got "lots"');
    expect(await refusal(peer, 'peers -max 100000')).toBe('"-max" must be between 1 and 100, got 100000');
    expect(await refusal(peer, 'peers -mx 3')).toBe('bad option "-mx": must be -max');
    expect(await refusal(peer, 'join')).toBe('wrong # args: should be "join id key signature"');
    expect(await refusal(peer, 'join nothex key sig')).toBe('expected peer id but got "nothex"');
    expect(await refusal(peer, 'peers')).toBe('not joined: answer the challenge with "join" first');
    const other = await rawPeer(authority.wsUrl);
    peers.push(other);
    expect(await refusal(other, 'protocol p2p:authority<-martian/1')).toMatch(/^protocol "p2p:authority<-martian\/1" not recognized; supported: /);
    expect(await refusal(other, 'peers')).toBe('bad command "peers": should be exception or protocol');
  });

  it('5,000 commands in one go: the excess is dropped with one notice a second, and others are served', async () => {
    const { peer } = await joined();
    const started = Date.now();
    for (let i = 0; i < 5000; i++) peer.send('peers -max 1');
    peer.send('peers -max 2');
    await stillServed();
    await until(() => peer.frames.some((frame) => frame.startsWith('exception')));
    const elapsedS = (Date.now() - started) / 1000;
    const answered = peer.frames.filter((frame) => frame.startsWith('peers')).length;
    const notices = peer.frames.filter((frame) => frame === 'exception {rate limit exceeded: more than 200 commands per second}');
    expect(answered).toBeLessThanOrEqual(400 + 200 * Math.ceil(elapsedS + 1));
    expect(notices.length).toBeGreaterThanOrEqual(1);
    expect(notices.length).toBeLessThanOrEqual(Math.ceil(elapsedS) + 1);
  });
});

describe('identity and signatures', () => {
  it('signal to oneself and to an unknown id', async () => {
    const { peer, identity } = await joined();
    expect(await refusal(peer, `signal ${identity.id} {type offer sdp x}`)).toBe('cannot signal yourself');
    expect(await refusal(peer, `signal ${'f'.repeat(32)} {type offer sdp x}`)).toBe(`peer "${'f'.repeat(32)}" is not connected to this authority`);
  });

  it('a forged join signature: refused and the link is closed', async () => {
    const { peer, nonce } = await declared();
    const [me, mallory] = [await generateIdentity(), await generateIdentity()];
    expect(await refusal(peer, `join ${me.id} ${me.publicKey} ${await sign(mallory, joinMessage(nonce))}`))
      .toBe('bad signature: sign "peerfarm join <nonce>" with the key of the challenge');
    await peer.closed;
    expect(authority.registry.get(me.id)).toBeUndefined();
  });

  it('a second identity on a joined link: refused, the link closed, no ghost and no second grant', async () => {
    const { peer, identity } = await joined('p2p:authority<-client/2');
    const minted = (await authority.points.totals()).minted;
    const other = await generateIdentity();
    expect(await refusal(peer, `join ${other.id} ${other.publicKey} AAAA`)).toBe(`this link has joined as "${identity.id}" already; one identity per link`);
    await peer.closed;
    await until(() => authority.registry.get(identity.id) === undefined);
    expect(authority.registry.get(other.id)).toBeUndefined();
    expect((await authority.points.totals()).minted).toBe(minted);
  });

  it('two joins of one id at once on one link: both welcomed, one registration, one grant, the link stays open', async () => {
    const { peer, nonce } = await declared('p2p:authority<-client/2');
    const me = await generateIdentity();
    const minted = (await authority.points.totals()).minted;
    const join = `join ${me.id} ${me.publicKey} ${await sign(me, joinMessage(nonce))}`;
    peer.send(join);
    peer.send(join);
    await peer.next(/^welcome /);
    await peer.next(/^welcome /);
    expect((await authority.points.totals()).minted - minted).toBe(authority.points.options.grantPoints);
    peer.send('workers');
    await peer.next(/^workers /);
    expect(authority.registry.get(me.id)?.handler.state).toBe('declared');
  });

  it('a forged award batch: refused as a whole, nothing moves; a replayed batch moves points once', async () => {
    const { peer, identity } = await joined('p2p:authority<-client/2');
    const { identity: worker } = await joined();
    const mallory = await generateIdentity();
    const entries = formatList([formatList(['transfer', 'x1', 'worker', worker.id, 'amount', '5', 'expires', String(Date.now() + 60_000)])]);
    peer.send(`award r1 ${formatList([entries])} ${await sign(mallory, `peerfarm award ${entries}`)}`);
    const [, token, code, message] = parseList(await peer.next(/^refused r1 /));
    expect([token, code]).toEqual(['r1', 'BAD_SIGNATURE']);
    expect(message).toMatch(/^bad signature: sign "peerfarm award .*" with the key you joined with$/);
    const before = await authority.points.balance(identity.id);
    const signature = await sign(identity, `peerfarm award ${entries}`);
    for (const token of ['r2', 'r3', 'r4']) peer.send(`award ${token} ${formatList([entries])} ${signature}`);
    for (const token of ['r2', 'r3', 'r4']) expect(await peer.next(new RegExp(`^awarded ${token} `))).toBe(`awarded ${token} {x1 ok}`);
    expect(await authority.points.balance(identity.id)).toBe(before! - 5);
    await authority.points.checkInvariant();
  });
});

describe('heavy work of one peer does not hold up the others', () => {
  it('a burst of full award batches: answered in turn, the excess refused BUSY, another peer answered meanwhile', async () => {
    const { peer, identity } = await joined('p2p:authority<-client/2');
    const { identity: worker } = await joined();
    const other = await joined('p2p:authority<-client/2');
    const batches = MAX_QUEUED_PER_LINK + 4;
    const expires = String(Date.now() + 60_000);
    const frames = await Promise.all(range(batches).map(async (b) => {
      const entries = formatList(range(1000).map((i) =>
        formatList(['transfer', `b${b}-${i}`, 'worker', worker.id, 'amount', '1', 'expires', expires])));
      return `award r${b} ${formatList([entries])} ${await sign(identity, `peerfarm award ${entries}`)}`;
    }));
    for (const frame of frames) peer.send(frame);
    other.peer.send('balance');
    await other.peer.next(/^balance /);
    const answeredBefore = peer.frames.filter((frame) => /^(awarded|refused) /.test(frame)).length;
    expect(answeredBefore).toBeLessThan(batches);
    await until(() => peer.frames.filter((frame) => /^(awarded|refused) /.test(frame)).length === batches, 60_000);
    const answers = peer.frames.filter((frame) => /^(awarded|refused) /.test(frame)).map((frame) => parseList(frame).slice(0, 2).join(' '));
    expect(new Set(answers.map((answer) => answer.split(' ')[1])).size).toBe(batches);
    expect(answers.some((answer) => answer.startsWith('refused'))).toBe(true);
    expect(peer.frames.filter((frame) => frame.startsWith('refused')).every((frame) => / BUSY /.test(frame))).toBe(true);
    await authority.points.checkInvariant();
  }, 90_000);
});
