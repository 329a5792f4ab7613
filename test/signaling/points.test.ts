import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
    const expires = Date.now() + 60_000;
    const forged = await sign(mallory, `peerfarm award t1 ${worker.id} 5 ${expires}`);
    peer.send(`award t1 ${worker.id} 5 ${expires} ${forged}`);
    expect(await peer.next(/^exception/)).toBe(
      `exception {bad signature: sign "peerfarm award t1 ${worker.id} 5 ${expires}" with the key you joined with}`);
    expect(authority.points.balance(me.id)).toBe(100);
  });

  it('answers a retried award with its first outcome and moves the points once', async () => {
    const [client, worker] = [await member('client'), await member('worker')];
    const expires = Date.now() + 60_000;
    const signature = await sign(client.identity, `peerfarm award again ${worker.id} 4 ${expires}`);
    for (let i = 0; i < 3; i++) client.connection.request(['award', 'again', worker.id, '4', String(expires), signature]);
    await expect.poll(async () => (await client.points.balance()).held).toBe(4);
    expect(await client.points.balance()).toEqual({ points: 96, held: 4 });
  });
});
