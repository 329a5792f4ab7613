// bench/scale: coordination at width (issue 11). 12 worker tabs × 4 slots and one client tab, each
// in a browser context of its own; 2,000 jobs that each await a 50 ms timer and use no CPU, so the
// ideal is 48 slots / 50 ms = 960 jobs/s and what is lost is the farm's coordination. Prints
// achieved/ideal, the client tab's main-thread CPU per job and where one job's time went.
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import type { ClientRole } from '../src/peer/client-role.ts';
import { startTestAuthority } from '../test/helpers/authority.ts';
import { launchChromium } from '../test/helpers/chromium.ts';
import { cpuMeter, openClientTab, openWorkerTabs } from './farm-tabs.ts';
import { cpuPerJob, formatCpu, sampleCpu } from './cpu-by-process.ts';
import { collectMarks, printHops } from './hops.ts';

const WORKER_TABS = 12;
const SLOTS = 4;
const JOBS = 2000;
const WAIT_MS = 50;
const IDEAL_JOBS_PER_S = (WORKER_TABS * SLOTS * 1000) / WAIT_MS;
const ROUNDS = 2;
const SERIES_TIMEOUT_MS = 60_000;

const WAITING_JOB = `export default async (n) => {
  await new Promise((resolve) => setTimeout(resolve, ${WAIT_MS}));
  return n;
}`;

async function runSeries(client: Page): Promise<number> {
  const run = client.evaluate(async ({ code, jobs }) => {
    const role = window.peerfarm as ClientRole;
    const inputs = Array.from({ length: jobs }, (_, i) => i);
    const started = performance.now();
    const result = await role.submit({ code, inputs, workers: role.bids.map((bid) => bid.id) });
    if (result.results.length !== inputs.length) throw new Error('the farm lost results');
    return performance.now() - started;
  }, { code: WAITING_JOB, jobs: JOBS });
  return Promise.race([
    run,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('series did not finish in time')), SERIES_TIMEOUT_MS)),
  ]);
}

async function main(): Promise<void> {
  if (!existsSync('dist/index.html')) await build({ logLevel: 'warn' });
  const authority = await startTestAuthority(['--option', 'time_between_authority_checks=1000', '--grant-points', '1000000']);
  const browser = await launchChromium();
  try {
    const workers = await openWorkerTabs(browser, authority.url, WORKER_TABS, SLOTS);
    const client = await openClientTab(browser, authority.url, WORKER_TABS);
    const clientCpu = await cpuMeter(client);
    console.log(`scale: ${WORKER_TABS} worker tabs × ${SLOTS} slots, ${JOBS} jobs awaiting ${WAIT_MS} ms; ideal ${IDEAL_JOBS_PER_S} jobs/s; best of ${ROUNDS}`);
    let best = { ms: Infinity, cpuMs: NaN, byProcess: {} as Record<string, number> };
    for (let round = 1; round <= ROUNDS; round++) {
      const cpuBefore = await clientCpu();
      const processesBefore = sampleCpu();
      const ms = await runSeries(client);
      const byProcess = cpuPerJob(processesBefore, sampleCpu(), JOBS);
      const cpuMs = (await clientCpu()) - cpuBefore;
      console.log(`round ${round}: ${ms.toFixed(0)} ms, ${(JOBS / (ms / 1000)).toFixed(0)} jobs/s, client main thread ${(cpuMs / JOBS).toFixed(3)} ms/job`);
      if (ms < best.ms) best = { ms, cpuMs, byProcess };
    }
    console.log(`CPU by process (fastest round): ${formatCpu(best.byProcess)}`);
    printHops('scale, last round', await collectMarks(client, workers));
    const rate = JOBS / (best.ms / 1000);
    console.log(`scale: ${rate.toFixed(0)} jobs/s of ${IDEAL_JOBS_PER_S} ideal, client CPU ${(best.cpuMs / JOBS).toFixed(3)} ms/job`);
    console.log(JSON.stringify({
      bench: 'scale',
      worker_tabs: WORKER_TABS,
      slots_per_tab: SLOTS,
      jobs: JOBS,
      job_wait_ms: WAIT_MS,
      jobs_per_s: Math.round(rate),
      ideal_jobs_per_s: IDEAL_JOBS_PER_S,
      client_cpu_ms_per_job: Number((best.cpuMs / JOBS).toFixed(3)),
      cpu_ms_per_job_by_process: best.byProcess,
      ratios: { achieved_vs_ideal: Number((rate / IDEAL_JOBS_PER_S).toFixed(3)) },
    }));
  } finally {
    await browser.close();
    await authority.close();
  }
}

main().catch((error: unknown) => {
  console.error('bench scale failed:', error);
  process.exit(1);
});
