// Turns `peerfarm run`'s files and flags into the SubmitRequest the submit page would make, checked
// as checkSubmit checks it, so a bad job file or bad inputs end the command before anything is
// asked of the network.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { checkSubmit, type SubmitRequest } from '../../peer/farm/submit-request.ts';
import type { InputSpec, ProductSpec, RangeSpec } from '../../peer/farm/input-spec.ts';
import type { RunCommand } from './args.ts';
import { UsageError } from './args.ts';

const RANGE = /^(?:([A-Za-z_][\w-]*)=)?(-?[\d.e+-]+):(-?[\d.e+-]+)(?::(-?[\d.e+-]+))?$/;

export async function buildRequest(command: RunCommand): Promise<SubmitRequest> {
  const code = await readText(command.job, 'job module');
  await checkSyntax(command.job, code);
  const inputs = 'file' in command.inputs ? await readJson(command.inputs.file, 'inputs') : rangeInputs(command.inputs.ranges);
  const request: SubmitRequest = {
    code,
    inputs: inputs as InputSpec,
    ...(command.args !== undefined && { args: await readJson(command.args, 'args') }),
    ...(command.group !== undefined && { group: command.group }),
    ...(command.redundancy !== undefined && { redundancy: command.redundancy }),
    ...(command.maxPrice !== undefined && { maxPrice: command.maxPrice }),
  };
  try {
    checkSubmit(request);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/^submit: /, '') : String(error));
  }
  return request;
}

/** `START:END[:STEP]` alone is a range of numbers; `NAME=...` ones make a product of objects. */
export function rangeInputs(specs: readonly string[]): RangeSpec | ProductSpec {
  const parsed = specs.map((spec) => {
    const match = RANGE.exec(spec);
    if (!match) throw new UsageError(`--range "${spec}" is not START:END[:STEP] or NAME=START:END[:STEP]`);
    const [, name, start, end, step] = match;
    const range = { start: number(spec, start!), end: number(spec, end!), ...(step !== undefined && { step: number(spec, step) }) };
    return { name, range };
  });
  const unnamed = parsed.filter(({ name }) => name === undefined);
  if (unnamed.length > 0) {
    if (parsed.length > 1) throw new UsageError('an unnamed --range stands alone; name each range (x=0:9) to combine several');
    return unnamed[0]!.range;
  }
  const names = parsed.map(({ name }) => name!);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) throw new UsageError(`--range names "${repeated}" twice`);
  return { product: Object.fromEntries(parsed.map(({ name, range }) => [name!, range])) };
}

function number(spec: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value)) throw new UsageError(`--range "${spec}": "${text}" is not a number`);
  return value;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

async function readJson(path: string, what: string): Promise<unknown> {
  const text = await readText(path, `${what} file`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`the ${what} file ${path} is not JSON: ${(error as Error).message}`);
  }
}

/**
 * Parses the job module as an ES module without running it (`node --check` on stdin, whatever the
 * file's extension): job code runs only in the workers' sandboxes, never with this process's
 * rights, yet a syntax error is best told before any bid.
 */
async function checkSyntax(path: string, code: string): Promise<void> {
  const checker = spawn(process.execPath, ['--input-type=module', '--check'], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  checker.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  checker.stdin.end(code);
  const [status] = (await once(checker, 'close')) as [number | null];
  if (status === 0) return;
  const lines = stderr.split('\n');
  const reason = lines.find((line) => /^\w*Error\b/.test(line)) ?? 'it does not parse';
  const line = /^\[stdin\]:(\d+)$/.exec(lines[0] ?? '')?.[1];
  throw new UsageError(`the job module ${path} does not parse: ${reason}${line === undefined ? '' : ` (line ${line})`}`);
}
