// The shared points ledger on PostgreSQL (issue 13): a node-postgres pool whose counts and sums come
// back as numbers, and the schema brought up to date under an advisory lock, so authorities starting
// at once migrate it once. A connection lost later is reported, not thrown: the request that needed
// it fails and the next one connects again.
import pg from 'pg';
import { redactUrl } from './database-url.ts';
import { LedgerUsageError } from './results.ts';
import { PG_MIGRATIONS } from './pg-migrations.ts';

/** Any number; the ledger's migrations take this advisory lock so only one authority runs them. */
const MIGRATION_LOCK_KEY = 0x7065_6572; // "peer"
/** Connections per authority: one commit in flight at a time, plus reads of the admin page and metrics. */
export const PG_POOL_MAX_CONNECTIONS = 8;
/** A server that does not answer a connection in this time is down, not slow. */
const CONNECT_TIMEOUT_MS = 10_000;

const INT8_OID = 20;
const NUMERIC_OID = 1700;

// Points and times are BIGINT, and counts and sums of them are BIGINT or NUMERIC, which node-postgres
// returns as strings lest they lose precision; the ledger keeps them within safe integers (isAmount).
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID || oid === NUMERIC_OID
    ? Number
    : pg.types.getTypeParser(oid, format ?? 'text'))) as typeof pg.types.getTypeParser,
};

export interface PgLedgerDatabase {
  readonly pool: pg.Pool;
  /** The URL without its password, for messages. */
  readonly where: string;
}

/** Opens a pool on `url` and migrates the schema; throws when the server cannot be reached. */
export async function openPgLedger(url: string, onError: (error: Error) => void = () => undefined): Promise<PgLedgerDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: PG_POOL_MAX_CONNECTIONS, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, types });
  pool.on('error', onError);
  try {
    await migrate(pool);
    return { pool, where: redactUrl(url) };
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_version');
    const current = rows[0]?.version ?? 0;
    if (current > PG_MIGRATIONS.length) {
      throw new LedgerUsageError(`the ledger database is at schema version ${current} but this authority knows only ` +
        `${PG_MIGRATIONS.length}; run a newer authority on it`);
    }
    for (const [index, sql] of PG_MIGRATIONS.entries()) if (index + 1 > current) await client.query(sql);
    if (rows.length === 0) await client.query('INSERT INTO schema_version (version) VALUES ($1)', [PG_MIGRATIONS.length]);
    else await client.query('UPDATE schema_version SET version = $1', [PG_MIGRATIONS.length]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
