import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseList } from '../../src/protocol/parse.ts';
import { generateIdentity, joinMessage, sign } from '../../src/protocol/identity.ts';
import { AuthorityConnection } from '../../src/peer/authority-connection.ts';
import { Options } from '../../src/peer/options.ts';
import { PointsClient } from '../../src/peer/points-client.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { openSocket, rawPeer } from '../helpers/ws-peer.ts';

let authority: TestAuthority;
const stops: (() => void)[] = [];

async function member(role: 'worker' | 'client') {
  const identity = await generateIdentity();
  const connection = new AuthorityConnection({ role, identity, urls: [authority.wsUrl], openSocket, options: new Options() });
  await connection.start();
  stops.push(() => connection.stop());
  return { id: identity.id, identity, connection, points: new PointsClient(connection, identity) };
}

beforeEach(async () => {
  authority = await startTestAuthority(['--grant-points', '100']);
});

afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  await authority.close();
});

describe('points over the authority protocols', () => {
  it('grants a new identity its points once, at join', async () => {
    const client = await member('client');
    expect(await client.points.balance()).toEqual({ points: 100, held: 0 });
    expect((await client.points.history()).map((e) => [e.kind, e.delta])).toEqual([['grant', 100]]);
  });

  it('holds an award in escrow and pays it to the worker when the client posts it', async () => {
    const [client, worker] = [await member('client'), await member('worker')];
    const award = await client.points.award(worker.id, 7, Date.now() + 60_000);
    expect(award.result).toBe('ok');
    expect(await client.points.balance()).toEqual({ points: 93, held: 7 });
    expect(await client.points.settle(award.hold, 'post')).toBe('ok');
    expect(await client.points.balance()).toEqual({ points: 93, held: 0 });
    expect(await worker.points.balance()).toEqual({ points: 107, held: 0 });
    expect(await worker.points.record()).toEqual({ jobs: 1, valid: 1, recent: 1 });
    authority.points.checkInvariant();
  });

  it('returns a voided award to the client and counts a rejected one against the worker', async () => {
    const [client, worker] = [await member('client'), await member('worker')];
    const a = await client.points.award(worker.id, 5, Date.now() + 60_000);
    const b = await client.points.award(worker.id, 5, Date.now() + 60_000);
    expect(await client.points.settle(a.hold, 'void')).toBe('ok');
    expect(await client.points.settle(b.hold, 'reject', 'outvoted')).toBe('ok');
    expect(await client.points.balance()).toEqual({ points: 100, held: 0 });
    expect(await worker.points.record()).toMatchObject({ jobs: 0, valid: 0 });
    expect(await client.points.settle(a.hold, 'post')).toBe('hold_voided');
  });

  it('refuses an overdraft and paying yourself', async () => {
    const [client, worker] = [await member('client'), await member('worker')];
    expect((await client.points.award(worker.id, 101, Date.now() + 60_000)).result).toBe('insufficient_points');
    expect((await client.points.award(client.id, 1, Date.now() + 60_000)).result).toBe('self_payment');
  });

  it('does not let another peer settle a stranger\'s hold', async () => {
    const [client, worker, stranger] = [await member('client'), await member('worker'), await member('client')];
    const award = await client.points.award(worker.id, 3, Date.now() + 60_000);
    expect(await stranger.points.settle(award.hold, 'post')).toBe('not_your_hold');
    expect(await worker.points.balance()).toEqual({ points: 100, held: 0 });
  });

  it('refuses an award whose signature is not the joined key\'s', async () => {
    const peer = await rawPeer(authority.wsUrl);
    stops.push(() => peer.link.close());
    peer.send('protocol p2p:authority<-client/1');
    const nonce = (await peer.next(/^challenge /)).split(' ')[1]!;
    const [me, mallory] = [await generateIdentity(), await generateIdentity()];
    peer.send(`join ${me.id} ${me.publicKey} ${await sign(me, joinMessage(nonce))}`);
    await peer.next(/^welcome /);
    const worker = await member('worker');
    const entries = `{transfer t1 worker ${worker.id} amount 5 expires ${Date.now() + 60_000}}`;
    const forged = await sign(mallory, `peerfarm award ${entries}`);
    peer.send(`award {${entries}} ${forged}`);
    const [, message] = parseList(await peer.next(/^exception/));
    expect(message).toMatch(/^bad signature: sign "peerfarm award \{transfer t1 worker [0-9a-f]{32} amount 5 \.\.\." with the key you joined with$/);
    expect(authority.points.balance(me.id)).toBe(100);
    peer.send(`award {${entries}} ${await sign(me, `peerfarm award ${entries}`)}`);
    expect(await peer.next(/^awarded /)).toBe('awarded {t1 ok}');
    expect(authority.points.balance(me.id)).toBe(95);
  });

  it('answers a retried award batch with its first outcomes and moves the points once', async () => {
    const [client, worker] = [await member('client'), await member('worker')];
    const entries = `{transfer again worker ${worker.id} amount 4 expires ${Date.now() + 60_000}}`;
    const signature = await sign(client.identity, `peerfarm award ${entries}`);
    for (let i = 0; i < 3; i++) client.connection.request(['award', entries, signature]);
    await expect.poll(async () => (await client.points.balance()).held).toBe(4);
    expect(await client.points.balance()).toEqual({ points: 96, held: 4 });
  });

  it('carries many awards in one batch and one ledger transaction', async () => {
    const [client, worker] = [await member('client'), await member('worker')];
    const awards = await Promise.all(Array.from({ length: 50 }, () => client.points.award(worker.id, 1, Date.now() + 60_000)));
    expect(awards.every((award) => award.result === 'ok')).toBe(true);
    const settled = await Promise.all(awards.map((award) => client.points.settle(award.hold, 'post')));
    expect(settled.every((result) => result === 'ok')).toBe(true);
    expect(await worker.points.balance()).toEqual({ points: 150, held: 0 });
    authority.points.checkInvariant();
  });

  it('refuses an entry with a missing field in Tcl wording', async () => {
    const client = await member('client');
    const entries = '{transfer t9 amount 5 expires 99999999999999}';
    client.connection.request(['award', entries, await sign(client.identity, `peerfarm award ${entries}`)]);
    await expect.poll(() => client.connection.error).toBe('entry 0 has no "worker"');
  });
});
