// Web Worker: the wonks benchmark (the original's perftest, "rappture-wonks/v1"). A fixed amount of
// strided floating-point work over a large array; the wall time in µs is this tab's speed, lower
// is faster. Runs off the main thread so measuring never stalls the page.
import { expose } from 'comlink';

/** 2^21 doubles (16 MiB) walked with a stride, so memory speed counts as it did in the original. */
const SIZE = 1 << 21;
const STRIDE = 1021;
const PASSES = 12;

function measure(): number {
  const data = new Float64Array(SIZE);
  for (let i = 0; i < SIZE; i++) data[i] = i * 0.5;
  const started = performance.now();
  let sum = 0;
  for (let pass = 0; pass < PASSES; pass++) {
    for (let start = 0; start < STRIDE; start++) {
      for (let i = start; i < SIZE; i += STRIDE) sum += Math.sqrt(data[i]! + pass);
    }
  }
  const elapsedUs = Math.round((performance.now() - started) * 1000);
  // `sum` must be used, or the engine could drop the loop.
  return sum < 0 ? -1 : elapsedUs;
}

const api = { measure };
export type WonksApi = typeof api;
expose(api);
