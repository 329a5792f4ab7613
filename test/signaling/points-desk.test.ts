// The points desk on a real ledger file, without sockets: links are plain objects, requests are
// signed with real keys. What is counted is commits and the order of answers, never time.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateIdentity, sign, type Identity } from '../../src/protocol/identity.ts';
import { formatList } from '../../src/protocol/format.ts';
import { PointsDesk, type Payer } from '../../signaling/points.ts';
import { sqliteStore } from '../../signaling/ledger/store.ts';
import type { LedgerOp } from '../../signaling/ledger/ledger.ts';
import { HOUR_MS, openTestLedger, type TestLedger } from '../helpers/ledger.ts';

/** A worker's account, named like a peer id (the desk checks the ids in entries). */
const WORKER = 'ab'.repeat(16);

let t: TestLedger;
let desk: PointsDesk;
/** Each commit's requests, as the ledger saw them. */
let commits: LedgerOp[][];

interface Client { readonly link: object; readonly identity: Identity; readonly payer: Payer }

async function client(points = 10_000): Promise<Client> {
  const identity = await generateIdentity();
  t.ledger.grant(`grant-${identity.id}`, identity.id, points, { ip: identity.id, day: 'test' });
  return { link: {}, identity, payer: { id: identity.id, key: identity.publicKey } };
}

/** An award batch of one point per transfer id to WORKER, signed by `from`. */
async function signedAward(from: Client, ids: string[]) {
  const expires = String(t.clock.now() + HOUR_MS);
  const entries = ids.map((id) => formatList(['transfer', id, 'worker', WORKER, 'amount', '1', 'expires', expires]));
  return { entries, signature: await sign(from.identity, `peerfarm award ${formatList(entries)}`) };
}

async function award(from: Client, ids: string[]) {
  return desk.award(from.link, from.payer, await signedAward(from, ids));
}

async function signedSettle(from: Client, holds: string[]) {
  const entries = holds.map((hold) => formatList(['transfer', `s-${hold}`, 'hold', hold, 'action', 'post']));
  return { entries, signature: await sign(from.identity, `peerfarm settle ${formatList(entries)}`) };
}

const range = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

beforeEach(() => {
  t = openTestLedger({ grantPoints: 10_000, grantsPerIpPerDay: 1000 });
  t.ledger.openAccount(WORKER);
  desk = new PointsDesk(sqliteStore(t.ledger, t.db), t.clock.now);
  commits = [];
  const transact = t.ledger.transact.bind(t.ledger);
  t.ledger.transact = (ops) => {
    commits.push([...ops]);
    return transact(ops);
  };
});

afterEach(() => t.close());

describe('points desk', () => {
  it('commits the requests of several links together while one link\'s burst waits, and answers the others first', async () => {
    const [burst, a, b] = [await client(), await client(), await client()];
    const answered: string[] = [];
    const track = (name: string, answer: Promise<unknown>) => answer.then(() => answered.push(name));
    const [bursts, fromA, fromB] = [await Promise.all([0, 1, 2].map((n) => signedAward(burst, range(1000, `b${n}-`)))),
      await signedAward(a, range(10, 'a')), await signedAward(b, range(10, 'b'))];
    const flood = bursts.map((request, n) => track(`burst ${n}`, desk.award(burst.link, burst.payer, request)));
    // The others' batches come once the burst is being committed.
    while (commits.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const others = [track('a', desk.award(a.link, a.payer, fromA)), track('b', desk.award(b.link, b.payer, fromB))];
    await Promise.all([...flood, ...others]);
    expect(answered.slice(0, 2).sort()).toEqual(['a', 'b']);
    const clientsOf = (ops: LedgerOp[]) => new Set(ops.map((op) => (op.op === 'hold' ? op.client : '')));
    const mixed = commits.filter((ops) => clientsOf(ops).size > 1);
    expect(mixed.length).toBeGreaterThan(0);
    expect(mixed.every((ops) => ops.length === 100)).toBe(true);
    expect(Math.max(...commits.map((ops) => ops.length))).toBe(100);
    expect(commits.flat()).toHaveLength(3020);
    expect(t.ledger.heldBy(burst.payer.id)).toBe(3000);
    t.ledger.checkInvariant();
  });

  it('applies a link\'s requests in the order they came, though their signatures are checked side by side', async () => {
    const c = await client();
    const holds = range(20, 'h');
    const [awards, settlements] = [await signedAward(c, holds), await signedSettle(c, holds)];
    const [awarded, settled] = await Promise.all([desk.award(c.link, c.payer, awards), desk.settle(c.link, c.payer, settlements)]);
    expect(Object.values(awarded).every((result) => result === 'ok')).toBe(true);
    expect(Object.values(settled).every((result) => result === 'ok')).toBe(true);
    expect(t.ledger.balance(WORKER)).toBe(20);
  });

  it('refuses a link\'s 17th unanswered request with BUSY and answers the 16 before it', async () => {
    const c = await client();
    const signed = await Promise.all(Array.from({ length: 17 }, (_, n) => signedAward(c, [`x${n}`])));
    const batches = signed.map((request) => desk.award(c.link, c.payer, request).then(() => 'ok', (error: Error) => error.message));
    expect(await Promise.all(batches)).toEqual([...Array<string>(16).fill('ok'),
      'too many requests waiting on this link (16): wait for the answers first']);
  });

  it('refuses a bad signature before a bad entry, and runs nothing of either', async () => {
    const c = await client();
    const entries = ['transfer t1 amount 5'];
    const forged = await sign(await generateIdentity(), `peerfarm award ${formatList(entries)}`);
    await expect(desk.award(c.link, c.payer, { entries, signature: forged })).rejects.toMatchObject({ code: 'BAD_SIGNATURE' });
    const signed = await sign(c.identity, `peerfarm award ${formatList(entries)}`);
    await expect(desk.award(c.link, c.payer, { entries, signature: signed })).rejects.toMatchObject({ code: 'WRONG_ARGS' });
    expect(commits).toEqual([]);
  });

  it('runs nothing more of a link once it is forgotten, not even what was being checked', async () => {
    const [c, other] = [await client(), await client()];
    const [first, second] = [await signedAward(c, range(1000, 'f')), await signedAward(c, range(1000, 'g'))];
    void desk.award(c.link, c.payer, first);
    void desk.award(c.link, c.payer, second);
    while (commits.length === 0) await new Promise((resolve) => setImmediate(resolve));
    desk.forget(c.link);
    const before = commits.flat().length;
    expect(before).toBeLessThan(1000);
    expect(await award(other, ['o1'])).toEqual({ o1: 'ok' });
    expect(commits.flat().length).toBe(before + 1);
    expect(desk.commits.waiting).toBe(0);
    t.ledger.checkInvariant();
  });
});
