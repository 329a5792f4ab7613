// The shared ledger's transactions on a real PostgreSQL server (a throw-away cluster on loopback,
// test/helpers/postgres.ts): two settlements for the same client at once cannot overdraw it. Under
// SERIALIZABLE one of them fails with a serialization conflict; retried, it sees the other's write.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializable } from '../../signaling/ledger/pg-serializable.ts';
import { startPostgres, type TestPostgres } from '../helpers/postgres.ts';

let server: TestPostgres;
let pool: pg.Pool;

beforeAll(async () => {
  server = await startPostgres();
  pool = new pg.Pool({ connectionString: server.url, max: 8 });
  await pool.query('CREATE TABLE accounts (id text PRIMARY KEY, points bigint NOT NULL)');
}, 90_000);

afterAll(async () => {
  await pool?.end();
  await server?.stop();
});

/** Spends `amount` of `account` if it has that much: read, check, write, as the ledger's rules do. */
function spend(account: string, amount: number, started: () => void, proceed: Promise<void>) {
  return serializable(pool, async (client) => {
    const { rows } = await client.query<{ points: string }>('SELECT points FROM accounts WHERE id = $1', [account]);
    started();
    // Both transactions have read the balance before either writes: the classic lost update.
    await proceed;
    const points = Number(rows[0]!.points);
    if (points < amount) return 'insufficient_points';
    await client.query('UPDATE accounts SET points = $2 WHERE id = $1', [account, points - amount]);
    return 'ok';
  });
}

describe('SERIALIZABLE transactions on PostgreSQL', () => {
  it('two spends of one balance at once: one is paid, the other retried and refused, never overdrawn', async () => {
    await pool.query("INSERT INTO accounts VALUES ('client', 100)");
    let reads = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    const started = () => {
      reads += 1;
      if (reads === 2) release();
    };
    // The retry reads again on its own: the gate is open by then.
    const results = await Promise.all([spend('client', 60, started, bothRead), spend('client', 60, started, bothRead)]);
    expect(results.sort()).toEqual(['insufficient_points', 'ok']);
    expect(reads).toBeGreaterThanOrEqual(3);
    const { rows } = await pool.query<{ points: string }>("SELECT points FROM accounts WHERE id = 'client'");
    expect(Number(rows[0]!.points)).toBe(40);
  });

  it('an error that is not a conflict rolls back and is thrown, not retried', async () => {
    let runs = 0;
    await expect(serializable(pool, async (client) => {
      runs += 1;
      await client.query("INSERT INTO accounts VALUES ('worker', 5)");
      await client.query("INSERT INTO accounts VALUES ('worker', 5)");
    })).rejects.toMatchObject({ code: '23505' });
    expect(runs).toBe(1);
    const { rows } = await pool.query("SELECT id FROM accounts WHERE id = 'worker'");
    expect(rows).toEqual([]);
  });
});
