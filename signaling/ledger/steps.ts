// The ledger's rules are sans-IO: each is a generator that yields the statements it needs (a name
// from statements.ts and its arguments) and is resumed with their results. The same rules then run
// synchronously inside a SQLite transaction (sqlite-steps.ts: as fast as calling the statements
// directly) and asynchronously inside a PostgreSQL one (pg-steps.ts), with no second copy of them.
// A statement that fails is thrown into the generator at its `yield`, so a rule may catch it.
import type { ArgsOf, RowOf, StatementName } from './statements.ts';

export type Mode = 'get' | 'all' | 'run';

export interface Query {
  readonly name: StatementName;
  readonly mode: Mode;
  readonly args: readonly unknown[];
}

/** A computation that needs the database; `yield*` it from another, or give it to a driver. */
export type Step<T> = Generator<Query, T, unknown>;

/** The statement's first row, or undefined. */
export function get<N extends StatementName>(name: N, ...args: ArgsOf<N>): Step<RowOf<N> | undefined> {
  return new Statement({ name, mode: 'get', args });
}

/** A value known without the database: a cache hit, as cheap as a step can be. */
export function known<T>(value: T): Step<T> {
  return new Statement<T>(undefined, value);
}

export function all<N extends StatementName>(name: N, ...args: ArgsOf<N>): Step<RowOf<N>[]> {
  return new Statement({ name, mode: 'all', args });
}

/** Runs a statement that writes; resolves with how many rows it changed. */
export function run<N extends StatementName>(name: N, ...args: ArgsOf<N>): Step<number> {
  return new Statement({ name, mode: 'run', args });
}

// One statement as a step, by hand rather than as a generator function: the rules run a few
// statements a request and a generator object for each cost a tenth of the SQLite ledger's CPU.
class Statement<T> implements Step<T> {
  constructor(private query: Query | undefined, private readonly value?: T) {}

  next(result?: unknown): IteratorResult<Query, T> {
    const query = this.query;
    if (query === undefined) return { done: true, value: (result ?? this.value) as T };
    this.query = undefined;
    return { done: false, value: query };
  }

  return(value: T): IteratorResult<Query, T> {
    return { done: true, value };
  }

  throw(error: unknown): IteratorResult<Query, T> {
    throw error;
  }

  [Symbol.iterator](): this {
    return this;
  }
}
