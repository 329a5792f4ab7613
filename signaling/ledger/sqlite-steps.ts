// Runs the ledger's steps (steps.ts) on SQLite: each statement prepared once when the ledger opens,
// run synchronously, so a request is one synchronous call as it was before the rules were sans-IO.
import type Database from 'better-sqlite3';
import type { LedgerDatabase } from './database.ts';
import type { Query, Step } from './steps.ts';
import { STATEMENTS, type StatementName } from './statements.ts';

interface PreparedStatement {
  readonly statement: Database.Statement<unknown[], unknown>;
  /** `?N` parameters, which better-sqlite3 binds by name only: bound as `@pN` from an object. */
  readonly numbered: boolean;
}

export type Prepared = Record<StatementName, PreparedStatement>;

export function prepareStatements(db: LedgerDatabase): Prepared {
  const prepared: Partial<Prepared> = {};
  for (const [name, { text }] of Object.entries(STATEMENTS)) {
    const numbered = /\?\d/.test(text);
    const statement = db.prepare(numbered ? text.replace(/\?(\d+)/g, '@p$1') : text);
    prepared[name as StatementName] = { statement, numbered };
  }
  return prepared as Prepared;
}

export function runSync<T>(st: Prepared, step: Step<T>): T {
  let next = step.next();
  while (next.done !== true) {
    let result: unknown;
    try {
      result = execute(st, next.value);
    } catch (error) {
      next = step.throw(error);
      continue;
    }
    next = step.next(result);
  }
  return next.value;
}

function execute(st: Prepared, { name, mode, args }: Query): unknown {
  const { statement, numbered } = st[name];
  const values = numbered ? [Object.fromEntries(args.map((value, i) => [`p${i + 1}`, value]))] : args;
  switch (mode) {
    case 'get': return statement.get(...values);
    case 'all': return statement.all(...values);
    case 'run': return statement.run(...values).changes;
  }
}
