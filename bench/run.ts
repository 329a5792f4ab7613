// Benchmark runner: `npm run bench -- <name>` runs bench/<name>.ts; `npm run bench` runs every known
// benchmark that exists. Each runs in its own child process (node with the tsx loader), its output
// streamed as it comes; see docs/BENCHMARKS.md.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const KNOWN_BENCHES = ['codec', 'datachannel', 'queue', 'farm', 'scale', 'ledger', 'hostile', 'authority-load'] as const;
// DESIGN.md bounds every benchmark to 2 minutes; the margin covers start-up. A hung bench is killed.
const BENCH_TIMEOUT_MS = 150_000;
/**
 * Longer bounds: authority-load puts 60 s of load on each of two servers after 10,000 joins on each
 * (the issue's figures), about 3 minutes in all (170-180 s measured).
 */
const BENCH_TIMEOUT_MS_BY_NAME: Partial<Record<(typeof KNOWN_BENCHES)[number], number>> = { 'authority-load': 330_000 };

const benchDir = dirname(fileURLToPath(import.meta.url));

function benchFile(name: string): string {
  return join(benchDir, `${name}.ts`);
}

/** The benches to run, or an error message for a name that is unknown or not written yet. */
function selectBenches(args: string[]): string[] | string {
  const [name, ...extra] = args;
  if (extra.length > 0) return `usage: npm run bench [-- <name>]; got ${args.length} arguments`;
  if (name === undefined) return KNOWN_BENCHES.filter((bench) => existsSync(benchFile(bench)));
  if (!(KNOWN_BENCHES as readonly string[]).includes(name)) {
    return `unknown benchmark "${name}"; known: ${KNOWN_BENCHES.join(', ')}`;
  }
  if (!existsSync(benchFile(name))) return `benchmark "${name}" is not written yet: ${benchFile(name)} is missing`;
  return [name];
}

function runBench(name: string): Promise<number> {
  const timeoutMs = BENCH_TIMEOUT_MS_BY_NAME[name as (typeof KNOWN_BENCHES)[number]] ?? BENCH_TIMEOUT_MS;
  return new Promise((resolve) => {
    console.log(`\n=== bench ${name} ===`);
    // In a process group of its own, so a hung bench is killed with the authority or browser it started.
    const child = spawn(process.execPath, ['--import', 'tsx', benchFile(name)], { stdio: 'inherit', detached: true });
    const killGroup = () => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    };
    // Its own group does not get the terminal's Ctrl-C: pass it on.
    process.once('SIGINT', killGroup);
    const timer = setTimeout(() => {
      console.error(`bench ${name}: no result after ${timeoutMs} ms, killing it`);
      killGroup();
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      console.error(`bench ${name}: could not start: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      process.off('SIGINT', killGroup);
      if (code !== 0) console.error(`bench ${name}: failed (${signal ?? `exit code ${String(code)}`})`);
      resolve(code ?? 1);
    });
  });
}

async function main(): Promise<void> {
  const selected = selectBenches(process.argv.slice(2));
  if (typeof selected === 'string') {
    console.error(selected);
    process.exitCode = 2;
    return;
  }
  if (selected.length === 0) {
    console.error(`no benchmark written yet; known: ${KNOWN_BENCHES.join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const failed: string[] = [];
  for (const name of selected) {
    if ((await runBench(name)) !== 0) failed.push(name);
  }
  if (failed.length > 0) {
    console.error(`\nfailed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
