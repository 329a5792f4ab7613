// The request a page (or a console user) makes with `window.peerfarm.submit(...)`, checked at the
// edge: a clear TypeError for bad input, and the series spec the foreman runs.
import type { SeriesSpec } from './foreman.ts';
import { jobInputs, type InputSpec } from './input-spec.ts';
import type { Requirements } from '../capabilities.ts';
import { MAX_JOB_DATA_BYTES } from '../../protocol/protocols/peer-common.ts';

/** What `window.peerfarm.submit` takes (DESIGN.md section 9). */
export interface SubmitRequest {
  readonly code: string;
  /** A JSON array, a range `{start, end, step}`, or `{product: {name: range or array, ...}}` (input-spec.ts). */
  readonly inputs: InputSpec;
  /** Hands `group` consecutive inputs to each job call, as one array; one result per job. */
  readonly group?: number;
  /** What every job gets as `ctx.args` (JSON): sent once per worker, not with each input. */
  readonly args?: unknown;
  /** Capabilities, slots and speed a worker must have to be hired (capabilities.ts). */
  readonly requires?: Requirements;
  readonly redundancy?: number;
  readonly maxPrice?: number;
  readonly minValid?: number;
  /** Hire exactly these bidders (from the last solicit) instead of the default choice. */
  readonly workers?: readonly string[];
  readonly timeoutMs?: number;
  readonly poisonAfter?: number;
}

/** Bounds a series so one page cannot queue without limit: jobs, after grouping (inputs may be many more). */
export const MAX_SERIES_JOBS = 100_000;
export const MAX_REDUNDANCY = 7;
const DEFAULT_JOB_TIMEOUT_MS = 60_000;
/** A lease outlives the job's own time limit by this much: the result must still travel back. */
const LEASE_MARGIN_MS = 10_000;
const DEFAULT_POISON_AFTER = 3;

export function checkSubmit(request: SubmitRequest): SeriesSpec {
  const fail = (message: string): never => {
    throw new TypeError(`submit: ${message}`);
  };
  if (typeof request.code !== 'string' || !/export\s+default/.test(request.code)) fail('code must be an ES module source with `export default (input, ctx) => result`');
  const inputs = jobInputs(request.inputs, request.group);
  if (inputs.length > MAX_SERIES_JOBS) {
    fail(`at most ${MAX_SERIES_JOBS} jobs per series, got ${inputs.length}${request.group === undefined ? ' (give several inputs to each job with `group: k`)' : ''}`);
  }
  const redundancy = request.redundancy ?? 1;
  if (!Number.isInteger(redundancy) || redundancy < 1 || redundancy > MAX_REDUNDANCY) fail(`redundancy must be a whole number from 1 to ${MAX_REDUNDANCY}, got ${redundancy}`);
  const timeoutMs = request.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
  const argsJson = request.args === undefined ? undefined : argsText(request.args, fail);
  return {
    code: request.code, inputs, redundancy, timeoutMs,
    leaseMs: timeoutMs + LEASE_MARGIN_MS, poisonAfter: request.poisonAfter ?? DEFAULT_POISON_AFTER,
    ...(argsJson !== undefined && { argsJson }),
  };
}

/** The args as the JSON that travels once per worker: refused when JSON cannot hold them or they exceed a frame. */
function argsText(args: unknown, fail: (message: string) => never): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(args);
  } catch (error) {
    return fail(`args must be JSON: ${(error as Error).message}`);
  }
  if (text === undefined) return fail('args must be JSON: a function or a symbol is not');
  if (new TextEncoder().encode(text).length > MAX_JOB_DATA_BYTES) fail(`args are more than ${MAX_JOB_DATA_BYTES} bytes of JSON`);
  return text;
}
