// Runs the ledger's steps (steps.ts) on one PostgreSQL connection inside a transaction the caller
// opened: each statement by name, so the server prepares it once per connection. A serialization
// failure is never given to the rules (a rule could catch it, as transactEach does): it ends the
// whole transaction, which `serializable` runs again.
import type { PoolClient } from 'pg';
import { isRetryable } from './pg-serializable.ts';
import { STATEMENTS, pgText, type StatementName } from './statements.ts';
import type { Query, Step } from './steps.ts';

const UNIQUE_VIOLATION = '23505';
const SERIALIZATION_FAILURE = '40001';

const PG_TEXT = Object.fromEntries(
  Object.entries(STATEMENTS).map(([name, { text }]) => [name, pgText(text)]),
) as Record<StatementName, string>;

export async function runPg<T>(client: PoolClient, step: Step<T>): Promise<T> {
  let next = step.next();
  while (next.done !== true) {
    let result: unknown;
    try {
      result = await execute(client, next.value);
    } catch (error) {
      if (isRetryable(error)) throw error;
      if (isUniqueViolation(error)) throw concurrentInsert(error);
      next = step.throw(error);
      continue;
    }
    next = step.next(result);
  }
  return next.value;
}

// The rules read every key before they insert it (a hold's id is its transfer id, which `requests`
// was asked about first), so inside a SERIALIZABLE transaction a duplicate key can only be another
// transaction's row committed since this one began: a serialization failure, which PostgreSQL itself
// reports as such only when this transaction had read that same index.
function isUniqueViolation(error: unknown): error is Error {
  return error instanceof Error && (error as { code?: unknown }).code === UNIQUE_VIOLATION;
}

function concurrentInsert(error: Error): Error {
  return Object.assign(new Error(`a concurrent ledger transaction inserted the same row first: ${error.message}`), {
    code: SERIALIZATION_FAILURE, cause: error,
  });
}

async function execute(client: PoolClient, { name, mode, args }: Query): Promise<unknown> {
  const { rows, rowCount } = await client.query({ name, text: PG_TEXT[name], values: args as unknown[] });
  switch (mode) {
    case 'get': return rows[0];
    case 'all': return rows;
    case 'run': return rowCount ?? 0;
  }
}
