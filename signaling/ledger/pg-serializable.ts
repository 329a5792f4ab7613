// One SERIALIZABLE transaction on PostgreSQL, retried when the server gives it up (issue 13: the
// ledger shared by several authorities). Under SERIALIZABLE, PostgreSQL aborts one of two
// transactions whose reads and writes could not have happened one after the other (two authorities
// paying from the same client's balance at once, say) with SQLSTATE 40001, and either may be
// chosen; run again, the loser sees the winner's write, so the ledger's own checks (enough points?)
// decide on the truth and no balance is overdrawn. Deadlocks (40P01) are retried the same way.
import type { Pool, PoolClient } from 'pg';

/** SQLSTATEs after which the whole transaction may simply run again. */
const RETRYABLE = new Set(['40001', '40P01']);
/**
 * Tries before the conflict is reported. Each retry waits twice as long as the one before, up to
 * BACKOFF_MAX_MS, with jitter: a dozen transactions racing for one balance on a loaded machine lost
 * ten linear retries (2 ms x attempt) in a row now and then; twenty doubling ones spread them out
 * (about 1.5 s in all at most).
 */
export const SERIALIZABLE_TRIES = 20;
const BACKOFF_FIRST_MS = 2;
const BACKOFF_MAX_MS = 100;

/** A serialization failure or a deadlock: the transaction may run again as it is. */
export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

export class SerializationError extends Error {
  override readonly name = 'SerializationError';
}

/**
 * Runs `work` inside BEGIN ISOLATION LEVEL SERIALIZABLE ... COMMIT on one client of `pool`, and runs it
 * again when PostgreSQL reports a serialization failure or a deadlock (at any statement, COMMIT too).
 * `work` must do nothing outside the transaction that it could not repeat. Other errors roll back and
 * are thrown as they are.
 */
export async function serializable<T>(pool: Pool, work: (client: PoolClient) => Promise<T>, tries = SERIALIZABLE_TRIES): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const client = await pool.connect();
    let conflict: unknown;
    try {
      await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (!isRetryable(error)) throw error;
      conflict = error;
    } finally {
      // Before the wait: the connection serves others meanwhile.
      client.release();
    }
    if (attempt >= tries) {
      throw new SerializationError(`gave up after ${tries} serialization conflicts (SQLSTATE ${(conflict as { code: string }).code})`);
    }
    const backoffMs = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (attempt - 1));
    await new Promise((resolve) => setTimeout(resolve, backoffMs * (0.5 + Math.random())));
  }
}
