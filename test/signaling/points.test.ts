import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseList } from '../../src/protocol/parse.ts';
import { generateIdentity, sign } from '../../src/protocol/identity.ts';
import { AuthorityConnection } from '../../src/peer/authority-connection.ts';
import { Options } from '../../src/peer/options.ts';
import { PointsClient } from '../../src/peer/points-client.ts';
import type { ReplyEventDetail } from '../../src/peer/authority-connection.ts';
import { formatList } from '../../src/protocol/format.ts';
import { until } from '../helpers/until.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { joinedMember, openSocket, rawJoined } from '../helpers/ws-peer.ts';
import type { LedgerStore } from '../../signaling/ledger/store.ts';

let authority: TestAuthority;
const stops: (() => void)[] = [];

async function member(role: 'worker' | 'client') {
  const joined = await joinedMember(role, authority.wsUrl);
  stops.push(() => joined.connection.stop());
  return joined;
}

/** The link of `peer` drops right after the ledger applies its next request, before the answer is sent. */
function dropLinkAfterNextCommit(peer: string): void {
  const store = authority.points as { -readonly [M in 'transact']: LedgerStore[M] };
  const transact = store.transact.bind(store);
  store.transact = async (ops) => {
    store.transact = transact;
    const results = await transact(ops);
    authority.registry.get(peer)!.handler.close('test: link dropped');
    return results;
  };
}

beforeEach(async () => {
  authority = await startTestAuthority(['--grant-points', '100']);
});

afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  await authority.close();
});

describe('points over the authority protocols', () => {
  it('grants an identity its points once, the first time it joins as a client', async () => {
    const client = await member('client');
    expect(await client.points.balance()).toEqual({ points: 100, held: 0 });
    expect((await client.points.history()).map((e) => [e.kind, e.delta])).toEqual([['grant', 100]]);
    client.connection.stop();
    const again = new AuthorityConnection({ role: 'client', identity: client.identity, urls: [authority.wsUrl], openSocket, options: new Options() });
    await again.start();
    stops.push(() => again.stop());
    expect(await new PointsClient(again, client.identity).balance()).toEqual({ points: 100, held: 0 });
  });

  it('grants a worker nothing: workers earn from zero and leave the grants to those who spend', async () => {
    const worker = await member('worker');
    expect(await worker.points.balance()).toEqual({ points: 0, held: 0 });
    expect((await authority.points.totals()).minted).toBe(0);
  });

  it('holds an award in escrow and pays it to the worker when the client posts it', async () => {
    const [client, worker] = [await member('client'), await member('worker')];
    const award = await client.points.award(worker.id, 7, Date.now() + 60_000);
    expect(award.result).toBe('ok');
    expect(await client.points.balance()).toEqual({ points: 93, held: 7 });
    expect(await client.points.settle(award.hold, 'post')).toBe('ok');
    expect(await client.points.balance()).toEqual({ points: 93, held: 0 });
    expect(await worker.points.balance()).toEqual({ points: 7, held: 0 });
    expect(await worker.points.record()).toEqual({ jobs: 1, valid: 1, recent: 1 });
    await authority.points.checkInvariant();
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
    expect(await worker.points.balance()).toEqual({ points: 0, held: 0 });
  });

  it('refuses an award whose signature is not the joined key\'s', async () => {
    const { peer, identity: me } = await rawJoined(authority.wsUrl, 'p2p:authority<-client/2');
    stops.push(() => peer.link.close());
    const mallory = await generateIdentity();
    const worker = await member('worker');
    const entries = `{transfer t1 worker ${worker.id} amount 5 expires ${Date.now() + 60_000}}`;
    const forged = await sign(mallory, `peerfarm award ${entries}`);
    peer.send(`award r1 {${entries}} ${forged}`);
    const [, , , message] = parseList(await peer.next(/^refused r1 BAD_SIGNATURE /));
    expect(message).toMatch(/^bad signature: sign "peerfarm award \{transfer t1 worker [0-9a-f]{32} amount 5 \.\.\." with the key you joined with$/);
    expect(await authority.points.balance(me.id)).toBe(100);
    peer.send(`award r2 {${entries}} ${await sign(me, `peerfarm award ${entries}`)}`);
    expect(await peer.next(/^awarded /)).toBe('awarded r2 {t1 ok}');
    expect(await authority.points.balance(me.id)).toBe(95);
  });

  it('answers a retried award batch with its first outcomes and moves the points once', async () => {
    const [client, worker] = [await member('client'), await member('worker')];
    const entries = [`transfer again worker ${worker.id} amount 4 expires ${Date.now() + 60_000}`];
    const signature = await sign(client.identity, `peerfarm award ${formatList(entries)}`);
    const answers: unknown[] = [];
    client.connection.addEventListener('reply', (event) => answers.push((event as CustomEvent<ReplyEventDetail>).detail));
    for (let token = 1; token <= 3; token++) client.connection.send('award', { token: `r${token}`, entries, signature });
    await until(() => answers.length === 3);
    expect(answers).toEqual([1, 2, 3].map((n) => ({ command: 'awarded', args: { token: `r${n}`, results: { again: 'ok' } } })));
    expect(await client.points.balance()).toEqual({ points: 96, held: 4 });
  });

  it('carries many awards in one batch and one ledger transaction', async () => {
    const [client, worker] = [await member('client'), await member('worker')];
    const awards = await Promise.all(Array.from({ length: 50 }, () => client.points.award(worker.id, 1, Date.now() + 60_000)));
    expect(awards.every((award) => award.result === 'ok')).toBe(true);
    const settled = await Promise.all(awards.map((award) => client.points.settle(award.hold, 'post')));
    expect(settled.every((result) => result === 'ok')).toBe(true);
    expect(await worker.points.balance()).toEqual({ points: 50, held: 0 });
    await authority.points.checkInvariant();
  });

  it('answers a refused batch with `refused` and its token, in Tcl wording', async () => {
    const client = await member('client');
    const entries = ['transfer t9 amount 5 expires 99999999999999'];
    const answers: unknown[] = [];
    client.connection.addEventListener('reply', (event) => answers.push((event as CustomEvent<ReplyEventDetail>).detail));
    client.connection.send('award', { token: 'r9', entries, signature: await sign(client.identity, `peerfarm award ${formatList(entries)}`) });
    await until(() => answers.length === 1);
    expect(answers).toEqual([{ command: 'refused', args: { token: 'r9', code: 'WRONG_ARGS', message: 'entry 0 has no "worker"' } }]);
  });

  it('rejects exactly the refused request at once, not after a timeout', async () => {
    const client = await member('client');
    await expect(client.points.award('0'.repeat(31), 1, Date.now() + 60_000))
      .rejects.toMatchObject({ name: 'PointsError', code: 'BAD_VALUE', message: 'award refused: expected peer id but got "0000000000000000000000000000000"' });
  });

  it('still answers a /1 client, whose refusals come as exceptions', async () => {
    const { peer } = await rawJoined(authority.wsUrl, 'p2p:authority<-client/1');
    stops.push(() => peer.link.close());
    expect(peer.frames[0]).toBe('protocol p2p:client<-authority/1');
    peer.send('award {{transfer t1}} AAAA');
    expect(await peer.next(/^exception/)).toBe('exception {bad signature: sign "peerfarm award {transfer t1}" with the key you joined with}');
  });

  it('sends an unanswered award again after the link to the authority drops, and it is applied once', async () => {
    const [client, worker] = [await member('client'), await member('worker')];
    dropLinkAfterNextCommit(client.id);
    expect(await client.points.award(worker.id, 6, Date.now() + 60_000)).toMatchObject({ result: 'ok' });
    expect(await authority.points.holds(client.id)).toHaveLength(1);
    expect(await client.points.balance()).toEqual({ points: 94, held: 6 });
    await authority.points.checkInvariant();
  });
});

describe('series escrow over p2p:authority<-client/3', () => {
  it('escrows a series\' budget once, pays accepted results to several workers in one batch and releases the rest', async () => {
    const [client, w1, w2] = [await member('client'), await member('worker'), await member('worker')];
    expect(client.connection.protocol).toBe('p2p:authority<-client/3');
    const { escrow, result } = await client.points.escrow(60, Date.now() + 60_000);
    expect(result).toBe('ok');
    expect(await client.points.balance()).toEqual({ points: 40, held: 60 });
    const paid = await Promise.all([
      client.points.pay(escrow, w1.id, 10, 'post'),
      client.points.pay(escrow, w2.id, 15, 'post'),
      client.points.pay(escrow, w1.id, 5, 'post'),
      client.points.pay(escrow, w2.id, 5, 'reject'),
    ]);
    expect(paid).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(await client.points.balance()).toEqual({ points: 40, held: 30 });
    expect(await w1.points.balance()).toEqual({ points: 15, held: 0 });
    expect(await w2.points.record()).toEqual({ jobs: 1, valid: 0.5, recent: 0.5 });
    await authority.points.checkInvariant();
    expect(await client.points.release(escrow)).toEqual({ result: 'ok', amount: 30 });
    expect(await client.points.balance()).toEqual({ points: 70, held: 0 });
    expect(await client.points.release(escrow)).toEqual({ result: 'hold_released', amount: 0 });
    expect(await client.points.pay(escrow, w1.id, 1, 'post')).toBe('hold_released');
    expect(await authority.points.checkInvariant()).toEqual({ minted: 100, balances: 100, held: 0 });
  });

  it('refuses a payment past what the escrow has left, and an escrow past the balance', async () => {
    const [client, worker] = [await member('client'), await member('worker')];
    expect((await client.points.escrow(101, Date.now() + 60_000)).result).toBe('insufficient_points');
    const { escrow } = await client.points.escrow(20, Date.now() + 60_000);
    expect(await Promise.all([client.points.pay(escrow, worker.id, 15, 'post'), client.points.pay(escrow, worker.id, 6, 'post')]))
      .toEqual(['ok', 'over_budget']);
    expect(await worker.points.balance()).toEqual({ points: 15, held: 0 });
  });

  it('answers an escrow whose expiry has passed when it arrives with hold_expired, and holds nothing', async () => {
    const client = await member('client');
    expect((await client.points.escrow(10, Date.now() - 1)).result).toBe('hold_expired');
    expect(await client.points.balance()).toEqual({ points: 100, held: 0 });
  });

  it('does not let another client pay from or release a stranger\'s escrow', async () => {
    const [client, worker, stranger] = [await member('client'), await member('worker'), await member('client')];
    const { escrow } = await client.points.escrow(30, Date.now() + 60_000);
    expect(await stranger.points.pay(escrow, worker.id, 5, 'post')).toBe('not_your_hold');
    expect(await stranger.points.release(escrow)).toEqual({ result: 'not_your_hold', amount: 0 });
    expect(await client.points.balance()).toEqual({ points: 70, held: 30 });
  });

  it('speaks the commands as the catalogue says, each signed, answered under its token', async () => {
    const { peer, identity: me } = await rawJoined(authority.wsUrl, 'p2p:authority<-client/3');
    stops.push(() => peer.link.close());
    const worker = await member('worker');
    const expires = String(Date.now() + 60_000);
    peer.send(`escrow r1 e1 40 ${expires} ${await sign(await generateIdentity(), `peerfarm escrow e1 40 ${expires}`)}`);
    expect(await peer.next(/^refused r1 /)).toBe(`refused r1 BAD_SIGNATURE {bad signature: sign "peerfarm escrow e1 40 ${expires}" with the key you joined with}`);
    peer.send(`escrow r2 e1 40 ${expires} ${await sign(me, `peerfarm escrow e1 40 ${expires}`)}`);
    expect(await peer.next(/^escrowed /)).toBe('escrowed r2 ok');
    const entries = formatList([formatList(['transfer', 'p1', 'escrow', 'e1', 'worker', worker.id, 'amount', '25', 'action', 'post'])]);
    peer.send(`pay r3 ${formatList([entries])} ${await sign(me, `peerfarm pay ${entries}`)}`);
    expect(await peer.next(/^paid /)).toBe('paid r3 {p1 ok}');
    peer.send(`release r4 x1 e1 ${await sign(me, 'peerfarm release x1 e1')}`);
    expect(await peer.next(/^released /)).toBe('released r4 ok 15');
    const voided = formatList([`transfer p2 escrow e1 worker ${worker.id} amount 1 action void`]);
    peer.send(`pay r5 ${formatList([voided])} ${await sign(me, `peerfarm pay ${voided}`)}`);
    expect(await peer.next(/^refused r5 /)).toBe('refused r5 BAD_VALUE {bad action "void": must be post or reject}');
    expect(await authority.points.balance(me.id)).toBe(75);
    expect(await authority.points.balance(worker.id)).toBe(25);
    await authority.points.checkInvariant();
  });

  it('keeps /2 without the series commands', async () => {
    const { peer } = await rawJoined(authority.wsUrl, 'p2p:authority<-client/2');
    stops.push(() => peer.link.close());
    peer.send('release r1 x1 e1 AAAA');
    expect(await peer.next(/^exception/)).toMatch(/^exception \{bad command "release": should be /);
  });

  it('fails the series commands at once with UNSUPPORTED when the authority speaks no /3', async () => {
    const client = await member('client');
    client.connection.speaks = (name: string) => name === 'p2p:authority<-client/2';
    await expect(client.points.escrow(10, Date.now() + 60_000)).rejects.toMatchObject({ name: 'PointsError', code: 'UNSUPPORTED' });
    await expect(client.points.pay('e1', client.id, 1, 'post')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    expect(client.points.pending).toBe(0);
  });

  it('sends an unanswered payment batch again after the link drops, and it is paid once', async () => {
    const [client, worker] = [await member('client'), await member('worker')];
    const { escrow } = await client.points.escrow(50, Date.now() + 60_000);
    dropLinkAfterNextCommit(client.id);
    expect(await Promise.all([client.points.pay(escrow, worker.id, 7, 'post'), client.points.pay(escrow, worker.id, 8, 'post')]))
      .toEqual(['ok', 'ok']);
    expect(await worker.points.balance()).toEqual({ points: 15, held: 0 });
    expect(await client.points.balance()).toEqual({ points: 50, held: 35 });
    await authority.points.checkInvariant();
  });

  it('sends an unanswered release again after the link drops, and answers it with the amount it returned', async () => {
    const client = await member('client');
    const { escrow } = await client.points.escrow(50, Date.now() + 60_000);
    dropLinkAfterNextCommit(client.id);
    expect(await client.points.release(escrow)).toEqual({ result: 'ok', amount: 50 });
    expect(await client.points.balance()).toEqual({ points: 100, held: 0 });
  });
});
