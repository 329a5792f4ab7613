// Runs a job series in this tab's own sandbox pool, with no network: the baseline the farm is
// measured against (bench/farm), and a way to try job code before farming it.
import type { Runner } from './job-service.ts';
import type { Inputs } from './input-spec.ts';

export interface LocalSeriesOptions {
  readonly code: string;
  readonly inputs: Inputs;
  readonly timeoutMs: number;
}

/**
 * Resolves with `results[i]` for `inputs[i]`, as a farm would return them (through JSON, read the
 * same way as on a worker); the first failing job rejects the whole run.
 */
export async function runLocalSeries(runner: Runner, options: LocalSeriesOptions): Promise<unknown[]> {
  // The runner queues past its thread count, so all jobs can be handed over at once.
  const { inputs } = options;
  const texts = await Promise.all(Array.from({ length: inputs.length }, (_, i) => runner.runJson(options.code, inputs.at(i), { timeoutMs: options.timeoutMs })));
  return texts.map((text) => JSON.parse(text) as unknown);
}
