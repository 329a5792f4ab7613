// The inputs of a series as `submit()` takes them: a JSON array, a number range, or the cartesian
// product of several named ranges or lists, optionally grouped k consecutive inputs to a job. Ranges
// and products are expanded lazily, one job's input when it is leased: a 1,000,000-input sweep never
// exists as an array (issue 12; DCP's `compute.for(start, end, step)` does the same). Checked at the
// edge: bad specs get a TypeError that says what is wrong. Documented in docs/JOBS.md.

/** Numbers `start`, `start + step`, ... up to and including `end` when a step lands on it (DCP's rule). */
export interface RangeSpec {
  readonly start: number;
  readonly end: number;
  /** 1 by default; negative to count down. */
  readonly step?: number;
}

/** Every combination of its dimensions, as objects `{ name: value, ... }`; the last name varies fastest. */
export interface ProductSpec {
  readonly product: Readonly<Record<string, RangeSpec | readonly unknown[]>>;
}

export type InputSpec = readonly unknown[] | RangeSpec | ProductSpec;

/** The inputs of a series' jobs, read by index (an array is one). */
export interface Inputs {
  readonly length: number;
  at(index: number): unknown;
}

/** Inputs a spec may describe before grouping: past 2^31 an index stops being exact in every consumer. */
export const MAX_INPUTS = 2 ** 31 - 1;
/** Inputs one job may be handed with `group`. */
export const MAX_GROUP = 100_000;
/** Dimensions of a product. */
export const MAX_DIMENSIONS = 8;
/** Floating steps stop a hair short of `end`: 0.1 × 3 is 0.30000000000000004. */
const STEP_SLACK = 1e-9;

type Fail = (message: string) => never;

/** Whether `value` is a range spec rather than a list or a product. */
function isRange(value: unknown): value is RangeSpec {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'start' in value;
}

function rangeInputs(spec: RangeSpec, what: string, fail: Fail): Inputs {
  const extra = Object.keys(spec).filter((key) => !['start', 'end', 'step'].includes(key));
  if (extra.length > 0) fail(`${what} has unknown field ${JSON.stringify(extra[0])}: a range is {start, end, step}`);
  const { start, end, step = 1 } = spec;
  for (const [name, value] of [['start', start], ['end', end], ['step', step]] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${what}.${name} must be a finite number, got ${JSON.stringify(value)}`);
  }
  if (step === 0) fail(`${what}.step must not be 0`);
  const span = (end - start) / step;
  if (span < 0) fail(`${what} is empty: from ${start} a step of ${step} never reaches ${end}`);
  const length = Math.floor(span + STEP_SLACK) + 1;
  if (length > MAX_INPUTS) fail(`${what} has ${length} inputs; at most ${MAX_INPUTS}`);
  // Computed from the index, not accumulated: no drift after a million steps.
  return { length, at: (index) => start + index * step };
}

function listInputs(list: readonly unknown[], what: string, fail: Fail): Inputs {
  if (list.length === 0) fail(`${what} must not be empty`);
  return list;
}

function productInputs(spec: ProductSpec, fail: Fail): Inputs {
  const { product } = spec;
  if (typeof product !== 'object' || product === null || Array.isArray(product)) fail('inputs.product must be an object of named ranges or lists');
  const names = Object.keys(product);
  if (names.length === 0) fail('inputs.product needs at least one named range or list');
  if (names.length > MAX_DIMENSIONS) fail(`inputs.product has ${names.length} dimensions; at most ${MAX_DIMENSIONS}`);
  const dimensions = names.map((name) => {
    const dimension = product[name];
    const what = `inputs.product.${name}`;
    if (Array.isArray(dimension)) return listInputs(dimension, what, fail);
    if (isRange(dimension)) return rangeInputs(dimension, what, fail);
    return fail(`${what} must be a range {start, end, step} or a JSON array`);
  });
  const length = dimensions.reduce((total, dimension) => total * dimension.length, 1);
  if (length > MAX_INPUTS) fail(`inputs.product has ${length} combinations; at most ${MAX_INPUTS}`);
  return {
    length,
    at: (index) => {
      const input: Record<string, unknown> = {};
      let rest = index;
      for (let d = dimensions.length - 1; d >= 0; d--) {
        const dimension = dimensions[d]!;
        input[names[d]!] = dimension.at(rest % dimension.length);
        rest = Math.floor(rest / dimension.length);
      }
      // Keys in the order given, whatever order they were filled in.
      return Object.fromEntries(names.map((name) => [name, input[name]]));
    },
  };
}

/** `k` consecutive inputs per job, handed to the job as one array (the last job may get fewer). */
function grouped(inputs: Inputs, k: number): Inputs {
  return {
    length: Math.ceil(inputs.length / k),
    at: (job) => {
      const first = job * k;
      return Array.from({ length: Math.min(k, inputs.length - first) }, (_, i) => inputs.at(first + i));
    },
  };
}

/**
 * The jobs' inputs of a spec: one input per job, or `group` consecutive inputs per job. Throws a
 * TypeError (`submit: ...`) for a spec that is not one of the three shapes or describes nothing.
 */
export function jobInputs(spec: InputSpec, group: number | undefined): Inputs {
  const fail: Fail = (message) => {
    throw new TypeError(`submit: ${message}`);
  };
  let inputs: Inputs;
  if (Array.isArray(spec)) inputs = listInputs(spec, 'inputs', fail);
  else if (isRange(spec)) inputs = rangeInputs(spec, 'inputs', fail);
  else if (typeof spec === 'object' && spec !== null && 'product' in spec) inputs = productInputs(spec, fail);
  else return fail('inputs must be a JSON array, a range {start, end, step} or {product: {name: range or array, ...}}');
  if (group === undefined) return inputs;
  if (!Number.isInteger(group) || group < 1 || group > MAX_GROUP) fail(`group must be a whole number from 1 to ${MAX_GROUP}, got ${JSON.stringify(group)}`);
  return group === 1 ? inputs : grouped(inputs, group);
}

/** The inputs as an array (the local pool and small series; a big spec is read job by job instead). */
export function inputsArray(inputs: Inputs): unknown[] {
  return Array.isArray(inputs) ? inputs : Array.from({ length: inputs.length }, (_, i) => inputs.at(i));
}
