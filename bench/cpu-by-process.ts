// Where a farm bench's CPU went, from /proc (Linux): every thread of this process (the authority
// and playwright) and of the Chromium it launched, summed by what the process is. Chromium's
// processes are told apart by their threads: the GPU process runs the display compositor
// (VizCompositorTh), the browser process Chrome_IOThread, a tab's renderer its WebRTC threads;
// other renderers are the sandboxes' (job workers, no WebRTC). A job worker that has exited takes
// its CPU time with it, so the jobs' own work is mostly missing from the sums.
import { readFileSync, readdirSync } from 'node:fs';

/** Ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;

export type ProcessKind = 'tabs' | 'sandboxes' | 'gpu' | 'browser' | 'other chromium' | 'authority and bench';

export type CpuSample = Map<string, { kind: ProcessKind; main: boolean; ticks: number }>;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process or thread is gone
  }
}

function threadsOf(pid: string): { name: string; ticks: number; main: boolean }[] {
  const tasks = (() => {
    try {
      return readdirSync(`/proc/${pid}/task`);
    } catch {
      return [];
    }
  })();
  return tasks.flatMap((tid) => {
    const stat = read(`/proc/${pid}/task/${tid}/stat`);
    if (stat === undefined) return [];
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    return [{ name, ticks: Number(fields[11]) + Number(fields[12]), main: tid === pid }];
  });
}

function kindOf(names: ReadonlySet<string>): ProcessKind {
  if (names.has('VizCompositorTh')) return 'gpu';
  if (names.has('Chrome_IOThread')) return 'browser';
  if ([...names].some((name) => name.startsWith('WebRTC_'))) return 'tabs';
  if (names.has('Compositor') || [...names].some((name) => name.startsWith('DedicatedWorker'))) return 'sandboxes';
  return 'other chromium';
}

/** CPU ticks so far of this process and every Chromium process, by thread. */
export function sampleCpu(): CpuSample {
  const sample: CpuSample = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const own = Number(pid) === process.pid;
    if (!own && !(read(`/proc/${pid}/cmdline`) ?? '').split('\0')[0]!.includes('chromium')) continue;
    const threads = threadsOf(pid);
    const kind = own ? 'authority and bench' : kindOf(new Set(threads.map((thread) => thread.name)));
    for (const thread of threads) sample.set(`${pid}/${thread.name}/${thread.main}`, { kind, main: thread.main, ticks: thread.ticks });
  }
  return sample;
}

/** CPU ms per job between two samples, by kind of process (main threads apart for tabs). */
export function cpuPerJob(before: CpuSample, after: CpuSample, jobs: number): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const [key, { kind, main, ticks }] of after) {
    const delta = ticks - (before.get(key)?.ticks ?? 0);
    if (delta <= 0) continue;
    const label = kind === 'tabs' ? (main ? 'tabs: main threads' : 'tabs: other threads') : kind;
    totals[label] = (totals[label] ?? 0) + (delta * 1000) / TICKS_PER_S / jobs;
  }
  const rounded = Object.entries(totals).sort((a, b) => b[1] - a[1]).map(([label, ms]) => [label, Number(ms.toFixed(3))] as const);
  return Object.fromEntries(rounded);
}

export function formatCpu(perJob: Record<string, number>): string {
  const total = Object.values(perJob).reduce((sum, ms) => sum + ms, 0);
  return `${Object.entries(perJob).map(([label, ms]) => `${label} ${ms.toFixed(3)}`).join(', ')}; total ${total.toFixed(3)} ms/job`;
}
