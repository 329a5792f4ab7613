// The authority with its ledger on PostgreSQL (--database-url): peers' points requests land in the
// shared database, two authorities on it grant an identity once, and a connection the server drops
// is replaced, not fatal.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { usePostgresDatabase } from '../helpers/ledger.ts';
import { joinedMember, openSocket } from '../helpers/ws-peer.ts';
import { AuthorityConnection } from '../../src/peer/authority-connection.ts';
import { Options } from '../../src/peer/options.ts';
import { PointsClient } from '../../src/peer/points-client.ts';
import { openPgLedger } from '../../signaling/ledger/pg-database.ts';
import { PgLedger } from '../../signaling/ledger/pg-ledger.ts';

const databaseUrl = usePostgresDatabase();
const authorities: TestAuthority[] = [];
const stops: (() => void)[] = [];

afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  for (const authority of authorities.splice(0)) await authority.close();
});

async function authority(): Promise<TestAuthority> {
  const started = await startTestAuthority(['--grant-points', '100', '--database-url', databaseUrl()]);
  authorities.push(started);
  return started;
}

async function member(role: 'worker' | 'client', on: TestAuthority) {
  const joined = await joinedMember(role, on.wsUrl);
  stops.push(() => joined.connection.stop());
  return joined;
}

/** The database as another process sees it, not through the authority. */
async function books<T>(read: (ledger: PgLedger) => Promise<T>): Promise<T> {
  const ledger = new PgLedger({ pool: (await openPgLedger(databaseUrl())).pool });
  try {
    return await read(ledger);
  } finally {
    await ledger.close();
  }
}

describe('an authority with its ledger on PostgreSQL', () => {
  it('keeps a client\'s award, settlement and series payments in the database', async () => {
    const a = await authority();
    expect(a.points.kind).toBe('postgresql');
    const [client, w1, w2] = [await member('client', a), await member('worker', a), await member('worker', a)];
    const award = await client.points.award(w1.id, 7, Date.now() + 60_000);
    expect(award.result).toBe('ok');
    expect(await client.points.settle(award.hold, 'post')).toBe('ok');
    const { escrow, result } = await client.points.escrow(50, Date.now() + 60_000);
    expect(result).toBe('ok');
    expect(await Promise.all([client.points.pay(escrow, w1.id, 10, 'post'), client.points.pay(escrow, w2.id, 15, 'post')]))
      .toEqual(['ok', 'ok']);
    expect(await client.points.release(escrow)).toEqual({ result: 'ok', amount: 25 });
    expect(await client.points.balance()).toEqual({ points: 68, held: 0 });
    expect(await w1.points.record()).toEqual({ jobs: 2, valid: 1, recent: 1 });
    expect(await books(async (ledger) => [await ledger.balance(client.id), await ledger.balance(w1.id), await ledger.balance(w2.id)]))
      .toEqual([68, 17, 15]);
    expect(await books((ledger) => ledger.checkInvariant())).toEqual({ minted: 100, balances: 100, held: 0 });
  });

  it('grants an identity once across two authorities on one database', async () => {
    const [a, b] = [await authority(), await authority()];
    const client = await member('client', a);
    expect(await client.points.balance()).toEqual({ points: 100, held: 0 });
    const onB = new AuthorityConnection({ role: 'client', identity: client.identity, urls: [b.wsUrl], openSocket, options: new Options() });
    await onB.start();
    stops.push(() => onB.stop());
    const worker = await member('worker', b);
    expect(await new PointsClient(onB, client.identity).award(worker.id, 30, Date.now() + 60_000)).toMatchObject({ result: 'ok' });
    expect((await b.points.totals()).minted).toBe(100);
    expect(await client.points.balance()).toEqual({ points: 70, held: 30 });
  });

  it('answers after the server dropped its connections: the pool connects again', async () => {
    const a = await authority();
    const client = await member('client', a);
    expect(await client.points.balance()).toEqual({ points: 100, held: 0 });
    await books(async (ledger) => {
      await ledger.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    });
    const answer = await client.points.balance().catch((error: unknown) => error);
    // The request on a dead connection may be refused; the authority lives and the next one is answered.
    if (!(answer instanceof Error)) expect(answer).toEqual({ points: 100, held: 0 });
    expect(await client.points.balance()).toEqual({ points: 100, held: 0 });
  });
});
