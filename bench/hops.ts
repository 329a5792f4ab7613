// Where a farmed job's time goes: the client's and the workers' per-hop marks (src/peer/farm/trace.ts)
// lined up by lease, as medians of the time spent between consecutive hops.
import type { Page } from 'playwright-core';
import type { ClientRole } from '../src/peer/client-role.ts';
import type { WorkerRole } from '../src/peer/worker-role.ts';
import { HOPS, type Hop } from '../src/peer/farm/trace.ts';

type Marks = Record<string, Partial<Record<Hop, number>>>;

/** What each span between hops is called in the report. */
const SPANS: readonly [Hop, Hop, string][] = [
  ['leased', 'escrowed', 'client: escrow (award) wait'],
  ['escrowed', 'sent', 'client: encode and send'],
  ['sent', 'received', 'transfer to worker + its queue'],
  ['received', 'started', 'worker: until a slot runs it'],
  ['started', 'ran', 'worker: sandbox (job + hops)'],
  ['ran', 'signed', 'worker: sign result'],
  ['signed', 'reported', 'worker: send result'],
  ['reported', 'arrived', 'transfer to client'],
  ['arrived', 'verified', 'client: verify signature'],
  ['verified', 'decided', 'client: record and vote'],
];

export async function collectMarks(client: Page, workers: readonly Page[]): Promise<Marks> {
  const merged: Marks = await client.evaluate(() => (window.peerfarm as ClientRole).foreman?.trace.snapshot() ?? {});
  for (const page of workers) {
    const marks: Marks = await page.evaluate(() => (window.peerfarm as WorkerRole).jobs.trace.snapshot());
    for (const [lease, hops] of Object.entries(marks)) if (merged[lease]) Object.assign(merged[lease]!, hops);
  }
  return merged;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)]!;
}

/** Median ms of each span over the jobs that have both its ends, and of the whole job. */
export function hopReport(marks: Marks): { span: string; medianMs: number; jobs: number }[] {
  const rows = SPANS.map(([from, to, span]) => {
    const spans = Object.values(marks).filter((m) => m[from] !== undefined && m[to] !== undefined).map((m) => m[to]! - m[from]!);
    return { span, medianMs: median(spans), jobs: spans.length };
  });
  const whole = Object.values(marks).filter((m) => m.leased !== undefined && m.decided !== undefined).map((m) => m.decided! - m.leased!);
  return [...rows, { span: 'whole job, leased to decided', medianMs: median(whole), jobs: whole.length }];
}

export function printHops(title: string, marks: Marks): void {
  console.log(`${title}: median ms per hop (${HOPS.length} marks per job)`);
  for (const row of hopReport(marks)) console.log(`  ${row.span.padEnd(34)} ${row.medianMs.toFixed(3).padStart(9)}  (${row.jobs} jobs)`);
}
