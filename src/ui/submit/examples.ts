// The submit page's three built-in job series. Each is plain module code (`export default (input,
// ctx) => result`, no eval, no network: it runs in the sandbox) plus the inputs that go with it, and
// the page reads its results as they arrive: the Mandelbrot view draws tiles, the others add up.

export type ExampleId = 'mandelbrot' | 'pi' | 'primes' | 'collatz';

export interface Example {
  readonly id: ExampleId;
  readonly label: string;
  /** One sentence for the menu's hint. */
  readonly summary: string;
  readonly code: string;
  readonly inputs: () => unknown[];
  /** The series' shared args (ctx.args), sent once per worker. */
  readonly args?: unknown;
}

/** The Mandelbrot image: 2048 × 2048 pixels in 16 × 16 tiles of 128 × 128. */
export const MANDELBROT = { width: 2048, height: 2048, tile: 128, maxIter: 1000 } as const;

export interface TileInput { x: number; y: number; size: number; width: number; height: number; maxIter: number }

const MANDELBROT_CODE = `// One ${MANDELBROT.tile} × ${MANDELBROT.tile} tile of a ${MANDELBROT.width} × ${MANDELBROT.height} Mandelbrot image.
// Returns the tile's pixels as base64 bytes, row by row: 0 inside the set, else 1..255 for how
// slowly the point escaped (smooth, log-scaled), which the page turns into colour.
const RE_MIN = -2.2, RE_MAX = 1.0, IM_MIN = -1.6, IM_MAX = 1.6;
const BAILOUT = 256;

export default ({ x, y, size, width, height, maxIter }, ctx) => {
  const bytes = new Uint8Array(size * size);
  const logMax = Math.log(maxIter + 1);
  for (let row = 0; row < size; row++) {
    const ci = IM_MAX - ((y + row + 0.5) / height) * (IM_MAX - IM_MIN);
    for (let col = 0; col < size; col++) {
      const cr = RE_MIN + ((x + col + 0.5) / width) * (RE_MAX - RE_MIN);
      if (inBulbs(cr, ci)) continue;
      let zr = 0, zi = 0, n = 0;
      while (n < maxIter && zr * zr + zi * zi <= BAILOUT) {
        const next = zr * zr - zi * zi + cr;
        zi = 2 * zr * zi + ci;
        zr = next;
        n++;
      }
      if (n === maxIter) continue;
      const smooth = n + 1 - Math.log2(0.5 * Math.log(zr * zr + zi * zi));
      const level = Math.log(1 + Math.max(0, smooth)) / logMax;
      bytes[row * size + col] = 1 + Math.min(254, Math.floor(254 * level));
    }
    if (row % 16 === 15) ctx.progress((row + 1) / size);
  }
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
};

// Points in the main cardioid or the period-2 bulb never escape: skip their maxIter rounds.
function inBulbs(cr, ci) {
  const q = (cr - 0.25) ** 2 + ci * ci;
  return q * (q + (cr - 0.25)) <= 0.25 * ci * ci || (cr + 1) ** 2 + ci * ci <= 0.0625;
}
`;

const PI_CODE = `// Monte Carlo pi: throws \`samples\` seeded random points into the unit square and counts the
// ones inside the quarter circle. The same seed gives the same count on every worker.
export default ({ seed, samples }, ctx) => {
  const random = mulberry32(seed);
  let inside = 0;
  for (let i = 0; i < samples; i++) {
    const x = random(), y = random();
    if (x * x + y * y <= 1) inside++;
    if (i % 50000 === 0) ctx.progress(i / samples);
  }
  return { seed, samples, inside };
};

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
`;

const PRIMES_CODE = `// Counts the primes p with from <= p < to: a sieve of the range, crossed out by every
// prime up to the square root of \`to\`.
export default ({ from, to }, ctx) => {
  const limit = Math.floor(Math.sqrt(to));
  const small = new Uint8Array(limit + 1);
  const composite = new Uint8Array(to - from);
  for (let p = 2; p <= limit; p++) {
    if (small[p]) continue;
    for (let m = p * p; m <= limit; m += p) small[m] = 1;
    for (let m = Math.max(p * p, Math.ceil(from / p) * p); m < to; m += p) composite[m - from] = 1;
    if (p % 256 === 0) ctx.progress(p / limit);
  }
  let count = 0;
  for (let n = Math.max(from, 2); n < to; n++) if (!composite[n - from]) count++;
  return { from, to, count };
};
`;

/**
 * A WebAssembly module exporting `steps(n: i32) -> i32`, the length of n's Collatz chain (counted in
 * i64, as chains below a million climb past 2^32). Hand-assembled; its text form:
 *
 *   (func (export "steps") (param $n i32) (result i32) (local $c i32) (local $x i64)
 *     (local.set $x (i64.extend_i32_u (local.get $n)))
 *     (block $done (loop $next
 *       (br_if $done (i64.le_u (local.get $x) (i64.const 1)))
 *       (local.set $x (if (result i64) (i64.eqz (i64.and (local.get $x) (i64.const 1)))
 *         (then (i64.shr_u (local.get $x) (i64.const 1)))
 *         (else (i64.add (i64.mul (local.get $x) (i64.const 3)) (i64.const 1)))))
 *       (local.set $c (i32.add (local.get $c) (i32.const 1)))
 *       (br $next)))
 *     (local.get $c))
 */
export const COLLATZ_WASM_BASE64 = 'AGFzbQEAAAABBgFgAX8BfwMCAQAHCQEFc3RlcHMAAAo+ATwCAX8BfiAArSECAkADQCACQgFYDQEgAkIBg1AEfiACQgGIBSACQgN+QgF8CyECIAFBAWohAQwACwsgAQs=';

const COLLATZ_CODE = `// The longest Collatz chain among the numbers from..to, each chain counted by a WebAssembly
// function. The .wasm travels once per worker as the series' args (ctx.args.wasm, base64), not
// with every job: the first job on a worker compiles it, later jobs of the series reuse it.
let steps;

export default async ({ from, to }, ctx) => {
  steps ??= await compile(ctx.args.wasm);
  let longest = from, most = -1;
  for (let n = from; n <= to; n++) {
    const s = steps(n);
    if (s > most) { most = s; longest = n; }
  }
  return { from, to, longest, steps: most };
};

async function compile(base64) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const { instance } = await WebAssembly.instantiate(bytes);
  return instance.exports.steps;
}
`;

export const COLLATZ_RANGES = 100;
export const COLLATZ_RANGE_SIZE = 10_000;

export const PI_JOBS = 100;
export const PI_SAMPLES = 200_000;
export const PRIME_RANGES = 100;
export const PRIME_RANGE_SIZE = 100_000;

function mandelbrotTiles(): TileInput[] {
  const { width, height, tile: size, maxIter } = MANDELBROT;
  const tiles: TileInput[] = [];
  for (let y = 0; y < height; y += size) {
    for (let x = 0; x < width; x += size) tiles.push({ x, y, size, width, height, maxIter });
  }
  return tiles;
}

export const EXAMPLES: readonly Example[] = [
  {
    id: 'mandelbrot', label: 'Mandelbrot tiles',
    summary: `A ${MANDELBROT.width} × ${MANDELBROT.height} image in ${(MANDELBROT.width / MANDELBROT.tile) ** 2} tiles, drawn as they arrive and tinted by the worker that computed each.`,
    code: MANDELBROT_CODE, inputs: mandelbrotTiles,
  },
  {
    id: 'pi', label: 'Monte Carlo pi',
    summary: `${PI_JOBS} jobs of ${PI_SAMPLES.toLocaleString('en-US')} seeded random samples; the estimate of pi sharpens as results come in.`,
    code: PI_CODE, inputs: () => Array.from({ length: PI_JOBS }, (_, i) => ({ seed: i + 1, samples: PI_SAMPLES })),
  },
  {
    id: 'primes', label: 'Counting primes',
    summary: `${PRIME_RANGES} ranges of ${PRIME_RANGE_SIZE.toLocaleString('en-US')} numbers; the page adds up the primes below ${(PRIME_RANGES * PRIME_RANGE_SIZE).toLocaleString('en-US')}.`,
    code: PRIMES_CODE,
    inputs: () => Array.from({ length: PRIME_RANGES }, (_, i) => ({ from: i * PRIME_RANGE_SIZE, to: (i + 1) * PRIME_RANGE_SIZE })),
  },
  {
    id: 'collatz', label: 'Collatz chains (WebAssembly)',
    summary: `The longest Collatz chain below ${(COLLATZ_RANGES * COLLATZ_RANGE_SIZE).toLocaleString('en-US')}, in ${COLLATZ_RANGES} ranges, counted by a WebAssembly module sent once per worker as the series' args.`,
    code: COLLATZ_CODE,
    inputs: () => Array.from({ length: COLLATZ_RANGES }, (_, i) => ({ from: i * COLLATZ_RANGE_SIZE + 1, to: (i + 1) * COLLATZ_RANGE_SIZE })),
    args: { wasm: COLLATZ_WASM_BASE64 },
  },
];

export function exampleById(id: string): Example | undefined {
  return EXAMPLES.find((example) => example.id === id);
}

/** Inputs as the JSON box shows them: one element per line, so a long series stays readable. */
export function inputsText(inputs: readonly unknown[]): string {
  return `[\n${inputs.map((input) => `  ${JSON.stringify(input)}`).join(',\n')}\n]`;
}

/** What done jobs of a series add up to, for the running readouts. */
export interface Tally {
  readonly jobs: number;
  readonly sums: Readonly<Record<string, number>>;
}

/** Sums the numeric fields `keys` over the results of done jobs; results of another shape are skipped. */
export function tally(results: Iterable<unknown>, keys: readonly string[]): Tally {
  const sums: Record<string, number> = Object.fromEntries(keys.map((key) => [key, 0]));
  let jobs = 0;
  for (const result of results) {
    if (typeof result !== 'object' || result === null) continue;
    const record = result as Record<string, unknown>;
    if (!keys.every((key) => typeof record[key] === 'number')) continue;
    for (const key of keys) sums[key]! += record[key] as number;
    jobs += 1;
  }
  return { jobs, sums };
}
