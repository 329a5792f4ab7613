// Runs a job series in this tab's own sandbox pool, with no network: the baseline the farm is
// measured against (bench/farm), and a way to try job code before farming it.
import type { Runner } from './job-service.ts';
import type { Inputs } from './input-spec.ts';

export interface LocalSeriesOptions {
  readonly code: string;
  readonly inputs: Inputs;
  readonly timeoutMs: number;
  /** ctx.args, as the JSON a farm would send. */
  readonly argsJson?: string;
}

/**
 * Resolves with `results[i]` for `inputs[i]`, as a farm would return them (through JSON, read the
 * same way as on a worker); the first failing job rejects the whole run.
 */
export async function runLocalSeries(runner: Runner, options: LocalSeriesOptions): Promise<unknown[]> {
  // The runner queues past its thread count, so all jobs can be handed over at once.
  const { inputs, argsJson } = options;
  const run = { timeoutMs: options.timeoutMs, ...(argsJson !== undefined && { args: JSON.parse(argsJson) as unknown }) };
  const texts = await Promise.all(Array.from({ length: inputs.length }, (_, i) => runner.runJson(options.code, inputs.at(i), run)));
  return texts.map((text) => JSON.parse(text) as unknown);
}
