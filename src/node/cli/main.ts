// `peerfarm`: the Node client role from a terminal or a script (the commands are in args.ts HELP).
// Results go to stdout as JSON lines; anything that stops a command is one line on stderr and a
// non-zero exit status, never a stack trace.
import { summary, type ClientRole } from '../../peer/client-role.ts';
import { JobState } from '../../peer/farm/job-queue.ts';
import type { SeriesHandle } from '../../peer/farm/series-handle.ts';
import type { SeriesResult } from '../../peer/farm/foreman.ts';
import { DEFAULT_STORE } from '../defaults.ts';
import { FileSeriesStore } from '../file-series-store.ts';
import { waitForWorkers } from '../wait-for-workers.ts';
import { HELP, parseCommand, UsageError, type Command, type Connection } from './args.ts';
import { LineWriter, ProgressBar, resultLine } from './output.ts';
import { buildRequest } from './request.ts';

export const ExitCode = { done: 0, failed: 1, usage: 2, interrupted: 130 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** How long `run` waits for the authority to name a listening worker before it gives up. */
export const WORKERS_WAIT_MS = 15_000;

/** Runs one command line; resolves with the exit status once stdout is written out. */
export async function main(argv: readonly string[]): Promise<ExitCode> {
  const out = new LineWriter(process.stdout);
  try {
    const status = await execute(parseCommand(argv), out);
    await out.drained();
    return status;
  } catch (error) {
    await out.drained();
    process.stderr.write(`peerfarm: ${oneLine(error)}\n`);
    if (error instanceof UsageError) return ExitCode.usage;
    return error instanceof Interrupted ? ExitCode.interrupted : ExitCode.failed;
  }
}

async function execute(command: Command, out: LineWriter): Promise<ExitCode> {
  switch (command.command) {
    case 'help':
      out.write(`${HELP}\n`);
      return ExitCode.done;
    case 'status':
      return status(command, out);
    case 'balance':
      return withClient(command, async (role) => {
        await role.refreshBalance();
        if (!role.balance) throw new Error('the authority did not tell the balance');
        out.write(`${JSON.stringify(role.balance)}\n`);
        return ExitCode.done;
      });
    case 'run': {
      const request = await buildRequest(command);
      return withClient(command, async (role) => {
        await waitForWorkers(role, WORKERS_WAIT_MS);
        return follow(role, role.submit(request), out);
      });
    }
    case 'resume':
      return withClient(command, async (role) => {
        await waitForWorkers(role, WORKERS_WAIT_MS);
        return follow(role, role.resume(command.id), out);
      });
  }
}

/** The kept series, newest first, one JSON line each. */
async function status(command: Connection, out: LineWriter): Promise<ExitCode> {
  const store = new FileSeriesStore(command.store ?? DEFAULT_STORE);
  const [records, elsewhere] = await Promise.all([store.list(), store.runningElsewhere()]);
  for (const record of records) out.write(`${JSON.stringify(summary(record, elsewhere.has(record.id) ? 'elsewhere' : undefined))}\n`);
  return ExitCode.done;
}

/** Joins with the command's connection flags, runs `work`, and always leaves. */
async function withClient(command: Connection, work: (role: ClientRole) => Promise<ExitCode>): Promise<ExitCode> {
  // Loaded here: `status` and `--help` need no WebRTC stack.
  const { connect } = await import('../client.ts');
  const role = await connect({
    ...(command.authority && { authority: command.authority }),
    ...(command.keyFile !== undefined && { keyFile: command.keyFile }),
    ...(command.store !== undefined && { store: command.store }),
  });
  try {
    return await work(role);
  } finally {
    role.leave();
  }
}

/**
 * Streams a series' results as JSON lines (and the bar), and tells how it ended. Ctrl-C stops it
 * as a closed tab would: kept unfinished, to be resumed.
 */
async function follow(role: ClientRole, handle: SeriesHandle, out: LineWriter): Promise<ExitCode> {
  const bar = ProgressBar.forTerminal(process.stderr, () => handle.status);
  handle.on('result', (event) => {
    out.write(resultLine(event));
    bar?.update();
  });
  let interrupted = false;
  // Once: a second Ctrl-C ends the process at once.
  const interrupt = () => {
    interrupted = true;
    if (role.foreman) role.foreman.abort('interrupted');
    else role.cancelSeries(); // still bidding: nothing is kept yet
  };
  process.once('SIGINT', interrupt);
  try {
    const result = await handle;
    bar?.end();
    return finished(role, result);
  } catch (error) {
    bar?.end();
    const hint = role.keptId === undefined ? '' : `; kept, to finish it: peerfarm resume ${role.keptId}`;
    if (interrupted) throw new Interrupted(`interrupted${hint}`);
    throw new Error(`${oneLine(error)}${hint}`);
  } finally {
    process.off('SIGINT', interrupt);
  }
}

function finished(role: ClientRole, result: SeriesResult): ExitCode {
  const failed = result.jobs.filter((job) => job.state === JobState.poisoned);
  if (failed.length === 0) return ExitCode.done;
  const first = failed[0]!;
  const reason = role.foreman?.queue.jobs[first.index]?.failures[0]?.message;
  throw new Error(`${failed.length} of ${result.jobs.length} jobs failed on every worker tried; job ${first.index}: ${reason ?? 'no reason given'}`);
}

class Interrupted extends Error {
  override readonly name = 'Interrupted';
}

/** An error's first line: what a person reads in a terminal, with no stack. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim() || 'failed';
}
