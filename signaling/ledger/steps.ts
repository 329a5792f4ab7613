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
export function* get<N extends StatementName>(name: N, ...args: ArgsOf<N>): Step<RowOf<N> | undefined> {
  return (yield { name, mode: 'get', args }) as RowOf<N> | undefined;
}

export function* all<N extends StatementName>(name: N, ...args: ArgsOf<N>): Step<RowOf<N>[]> {
  return (yield { name, mode: 'all', args }) as RowOf<N>[];
}

/** Runs a statement that writes; resolves with how many rows it changed. */
export function* run<N extends StatementName>(name: N, ...args: ArgsOf<N>): Step<number> {
  return (yield { name, mode: 'run', args }) as number;
}
