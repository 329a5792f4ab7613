// A finished series' results as files people take elsewhere: JSON (everything), NDJSON (a line a
// job, what a script streams) and CSV (a row a job, when every result is a flat object or a plain
// value). Results come from workers, so nothing in them is trusted: a CSV cell that a spreadsheet
// would run as a formula is defused (OWASP "CSV injection").
import type { SeriesResult } from './foreman.ts';

export type ResultFormat = 'json' | 'ndjson' | 'csv';

export const RESULT_FILE_TYPES: Record<ResultFormat, string> = {
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  csv: 'text/csv',
};

type Flat = string | number | boolean | null;

const isFlat = (value: unknown): value is Flat =>
  value === null || ['string', 'number', 'boolean'].includes(typeof value);

/** Everything the page knows of the series: results in job order, per-job and per-worker records. */
export function resultsJson({ results, jobs, workers }: SeriesResult): string {
  return JSON.stringify({ results, jobs, workers }, null, 1);
}

/** One JSON line per job in job order: `{index, value, worker}`, or `{index, state}` for a job given up. */
export function resultsNdjson({ results, jobs }: SeriesResult): string {
  return results.map((value, index) => {
    const job = jobs[index];
    if (job !== undefined && job.state !== 'done') return JSON.stringify({ index, state: job.state });
    return JSON.stringify({ index, value: value ?? null, worker: job?.doneBy ?? null });
  }).map((line) => `${line}\n`).join('');
}

/**
 * A header and one row per job: `index, state, worker`, then a column per key of the results (in the
 * order first seen) or one `value` column for plain values. Undefined when a result is nested
 * (an array, or an object holding one), which CSV cannot hold without inventing a convention.
 */
export function resultsCsv({ results, jobs }: SeriesResult): string | undefined {
  const columns: string[] = [];
  const seen = new Set<string>();
  let plain = false;
  for (const value of results) {
    if (value === undefined || isFlat(value)) {
      plain = plain || value !== undefined;
      continue;
    }
    if (Array.isArray(value) || typeof value !== 'object') return undefined;
    for (const [key, field] of Object.entries(value)) {
      if (!isFlat(field)) return undefined;
      if (seen.has(key)) continue;
      columns.push(key);
      seen.add(key);
    }
  }
  // Plain values and objects mixed: the plain ones go in a `value` column of their own.
  if (plain && !seen.has('value')) columns.push('value');
  const rows = results.map((value, index) => {
    const job = jobs[index];
    const cells: unknown[] = [index, job?.state ?? '', job?.doneBy];
    for (const column of columns) {
      if (value !== null && typeof value === 'object') cells.push((value as Record<string, unknown>)[column]);
      else cells.push(column === 'value' ? value : undefined);
    }
    return cells.map(csvCell).join(',');
  });
  return [['index', 'state', 'worker', ...columns].map(csvCell).join(','), ...rows].map((line) => `${line}\r\n`).join('');
}

/** RFC 4180 quoting; a text cell a spreadsheet would evaluate (=, +, -, @, tab, CR) gets a leading '. */
function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The file of a series in `format`, or undefined when the format cannot hold its results (CSV). */
export function resultsFile(result: SeriesResult, format: ResultFormat): string | undefined {
  if (format === 'json') return resultsJson(result);
  if (format === 'ndjson') return resultsNdjson(result);
  return resultsCsv(result);
}
