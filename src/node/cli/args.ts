// The `peerfarm` command line, checked at the edge: argv becomes one typed command or a UsageError
// that says what is wrong in one line. Every flag is documented in HELP.
import { parseArgs } from 'node:util';
import { DEFAULT_AUTHORITY } from '../defaults.ts';

export const HELP = `peerfarm: farm a job series to a peer farm's worker tabs from a terminal or a script

Usage:
  peerfarm run JOB.mjs (--inputs FILE | --range SPEC ...) [options]
  peerfarm resume ID [options]
  peerfarm status [options]
  peerfarm balance [options]
  peerfarm --help

Commands:
  run      Submit the job module JOB.mjs (export default (input, ctx) => result) over the inputs, and
           print one JSON line per result to stdout as results come in:
             {"index":I,"value":V,"worker":"PEER-ID"}   (I: the input's index; V: what the job returned)
           Exits 0 once every job is done, 1 with a one-line reason on stderr otherwise (2: a
           mistake on the command line; 130: stopped with Ctrl-C, the series kept for resume).
  resume   Finish a series kept from an earlier run (its ID is in "status"): kept results are printed
           first, then only the jobs left run (and are paid).
  status   Print the kept series, newest first, one JSON line each.
  balance  Print this identity's points, {"points":P,"held":H}.

Inputs (run):
  --inputs FILE        A JSON file: an array (one job per element), a range {"start","end","step"}, or
                       {"product": {"name": range or array, ...}} (every combination, as objects).
  --range SPEC         START:END[:STEP]  numbers from START to END inclusive (STEP 1 by default), or
                       NAME=START:END[:STEP], repeatable: every combination, as objects {NAME: value}.
  --args FILE          A JSON file handed to every job as ctx.args.
  --group K            Hand K consecutive inputs to each job call, as one array.

Series (run):
  --redundancy K       Run each job on K workers and accept the majority result (1 by default).
  --max-price P        Hire only workers asking at most P points per job.

Connection:
  --authority URL      The authority's WebSocket, ws://host:port/ws or wss://... (${DEFAULT_AUTHORITY}
                       by default); repeat it to give several (tried in random order).
  --key FILE           This client's identity key (made on first use, mode 0600; ~/.peerfarm/key.json).
  --store DIR          Where series are kept for resume and status (~/.peerfarm/series).

  -h, --help           Show this text.

Progress goes to stderr as a bar when stderr is a terminal.`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface Connection {
  readonly authority: readonly string[] | undefined;
  readonly keyFile: string | undefined;
  readonly store: string | undefined;
}

export interface RunCommand extends Connection {
  readonly command: 'run';
  readonly job: string;
  readonly inputs: { readonly file: string } | { readonly ranges: readonly string[] };
  readonly args: string | undefined;
  readonly group: number | undefined;
  readonly redundancy: number | undefined;
  readonly maxPrice: number | undefined;
}

export type Command =
  | { readonly command: 'help' }
  | RunCommand
  | (Connection & { readonly command: 'resume'; readonly id: string })
  | (Connection & { readonly command: 'status' | 'balance' });

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  inputs: { type: 'string' },
  range: { type: 'string', multiple: true },
  args: { type: 'string' },
  group: { type: 'string' },
  redundancy: { type: 'string' },
  'max-price': { type: 'string' },
  authority: { type: 'string', multiple: true },
  key: { type: 'string' },
  store: { type: 'string' },
} as const;

/** Flags only `run` takes. */
const RUN_ONLY = ['inputs', 'range', 'args', 'group', 'redundancy', 'max-price'] as const;

export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split('\n')[0]! : String(error));
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') return { command: 'help' };
  const connection: Connection = { authority: values.authority, keyFile: values.key, store: values.store };
  if (command !== 'run') {
    const stray = RUN_ONLY.find((name) => values[name] !== undefined);
    if (stray) throw new UsageError(`--${stray} is for "run", not "${command}"`);
  }
  switch (command) {
    case 'run':
      return runCommand(values, rest, connection);
    case 'resume':
      if (rest.length !== 1) throw new UsageError('resume takes one series id (see "peerfarm status")');
      return { ...connection, command, id: rest[0]! };
    case 'status':
    case 'balance':
      if (rest.length > 0) throw new UsageError(`${command} takes no arguments, got "${rest[0]}"`);
      return { ...connection, command };
    default:
      throw new UsageError(`unknown command "${command}": the commands are run, resume, status and balance`);
  }
}

function runCommand(values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'], rest: string[], connection: Connection): RunCommand {
  if (rest.length !== 1) throw new UsageError('run takes one job module: peerfarm run JOB.mjs --inputs FILE');
  if ((values.inputs === undefined) === (values.range === undefined)) throw new UsageError('run needs its inputs: either --inputs FILE or --range SPEC');
  return {
    ...connection,
    command: 'run',
    job: rest[0]!,
    inputs: values.inputs !== undefined ? { file: values.inputs } : { ranges: values.range! },
    args: values.args,
    group: wholeNumber('group', values.group),
    redundancy: wholeNumber('redundancy', values.redundancy),
    maxPrice: points(values['max-price']),
  };
}

function wholeNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--${flag} must be a whole number from 1, got "${text}"`);
  return Number(text);
}

function points(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new UsageError(`--max-price must be a number of points, 0 or more, got "${text}"`);
  return value;
}
