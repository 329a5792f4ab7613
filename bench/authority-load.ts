// Benchmark: one authority holding 10,000 peers, against the PeerJS server (npm `peer`) under the
// same connect-and-relay load, in the same run, all on 127.0.0.1. Each server runs in a child process
// with its default settings but for the per-address cap, lifted because every peer comes from
// 127.0.0.1 (ours: `signaling/main.ts` as `npm start` runs it, with --max-connections-per-address;
// PeerJS: `PeerServer`, its per-process cap of 5,000 lifted to the peer count), and so does each
// server's load generator (bench/authority-load-swarm.ts: real `ws` links that join, heartbeat, ask for
// peer lists and relay `signal`s between random pairs). This process starts them, runs the rounds
// alternately (60 s of load on each server), checks that no relay was lost and reports.
// Run with `npm run bench -- authority-load`; the last line printed is the JSON summary (docs/BENCHMARKS.md).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAuthorityProcess, type AuthorityProcess } from '../test/helpers/authority-process.ts';
import { until } from '../test/helpers/until.ts';
import {
  HALF_RATE_MS, PEERS, ROUNDS, SATURATE_MS, WARMUP_MS, openFilesLimit, startGenerator,
  type Generator, type Round, type SwarmReport,
} from './authority-load-swarm.ts';

/** PeerJS answers a relay to a gone peer with EXPIRE after its expire_timeout (5 s), swept each second. */
const PEERJS_EXPIRE_WAIT_MS = 8000;
const PEERJS_DEFAULT_CAP = 5000;
/** The goals: relays/s against PeerJS's, and the relay p99 at half the saturating rate. */
const GOAL_RELAYS_VS_PEERJS = 1.5;
const GOAL_HALF_RATE_P99_MS = 50;
/**
 * The authority's defaults but two: every peer comes from 127.0.0.1, so the per-address cap (64)
 * is lifted above the peer count, and the test helper's --grants-per-ip-per-day 1000 is put back to
 * the default (3) and its --log-level warn to the default (info); the last of a repeated flag counts.
 */
const AUTHORITY_ARGS = ['--log-level', 'info', '--grants-per-ip-per-day', '3', '--max-connections-per-address', String(PEERS + 1000)];
/**
 * Knobs for looking closer, off by default: AUTHORITY_LOAD_PROFILE=<dir> writes a CPU profile of each
 * server to that existing folder; AUTHORITY_LOAD_ARGS adds flags to the authority (space-separated, to
 * compare settings); AUTHORITY_LOAD_PEERS sets the peer count (read in bench/authority-load-swarm.ts).
 */
const PROFILE_DIR = process.env['AUTHORITY_LOAD_PROFILE'];
const EXTRA_ARGS = process.env['AUTHORITY_LOAD_ARGS']?.split(' ').filter(Boolean) ?? [];

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

function percentile(sorted: ArrayLike<number>, p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ServerProcess {
  readonly pid: number;
  readonly url: string;
  close(): Promise<void>;
}

/** The PeerJS server in a child process on 127.0.0.1, its cap lifted to the peer count. */
async function startPeerJs(): Promise<ServerProcess> {
  const script = `import { PeerServer } from 'peer';
process.once('SIGINT', () => process.exit(0));
PeerServer({ host: '127.0.0.1', port: 0, concurrent_limit: ${PEERS} }, (server) => console.log('listening ' + server.address().port));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the PeerJS server exited (${code}): ${output}`)));
  });
  return { pid: child.pid!, url: `ws://127.0.0.1:${port}`, close: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/**
 * Node 20 refuses --cpu-prof in NODE_OPTIONS (the helper starts the authority): this module, given
 * with --import, profiles a server process with the inspector and writes the profile when it exits.
 */
function profilerHook(dir: string): string {
  const file = join(dir, 'profile-hook.mjs');
  writeFileSync(file, `import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
session.post('Profiler.start');
process.on('exit', () => session.post('Profiler.stop', (error, result) => {
  if (!error) writeFileSync(${JSON.stringify(dir)} + '/server-' + process.pid + '.cpuprofile', JSON.stringify(result.profile));
}));
`);
  return file;
}

/** SIGINT, so the authority closes and writes its CPU profile; bounded, then close() kills it. */
async function stopGracefully(pid: number): Promise<void> {
  process.kill(pid, 'SIGINT');
  await until(() => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  }, 20_000, 100).catch(() => undefined);
}

/** Each server holds PEERS sockets: its open-files limit (Node raises the soft one to the hard one) must allow that. */
function checkOpenFiles(name: string, pid: number): void {
  const limit = openFilesLimit(pid);
  if (limit < PEERS + 256) throw new Error(`${name} may open ${limit} files, too few for ${PEERS} peers: raise the hard limit (ulimit -Hn)`);
}

/** Sockets a server holds open: each held peer is one. */
function openSockets(pid: number): number {
  const dir = `/proc/${pid}/fd`;
  return readdirSync(dir).filter((fd) => {
    try {
      return readlinkSync(`${dir}/${fd}`).startsWith('socket:');
    } catch {
      return false; // closed meanwhile
    }
  }).length;
}

/** Resident memory of a process (VmRSS), bytes. */
function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) * 1024;
}

/** The authority's own GC figures (prom-client, /metrics): pauses by kind, and how many lasted over 100 ms. */
interface GcFigures { count: number; seconds: number; over100ms: number }

async function authorityGc(url: string): Promise<GcFigures> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sum = (pattern: RegExp) => [...text.matchAll(pattern)].reduce((total, match) => total + Number(match[1]), 0);
  const count = sum(/^nodejs_gc_duration_seconds_count\{kind="[a-z]+"\} (\S+)$/gm);
  return {
    count, seconds: sum(/^nodejs_gc_duration_seconds_sum\{kind="[a-z]+"\} (\S+)$/gm),
    over100ms: count - sum(/^nodejs_gc_duration_seconds_bucket\{le="0\.1",kind="[a-z]+"\} (\S+)$/gm),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fixed = (value: number, digits = 1) => Number(value.toFixed(digits));

interface Side {
  readonly name: 'ours' | 'peerjs';
  readonly server: ServerProcess;
  readonly generator: Generator;
  readonly rounds: Round[];
  rssBefore: number;
  rssJoined: number;
  socketsJoined: number;
  joinMs: number;
}

function summarise(side: Side, report: SwarmReport, rssEnd: number) {
  const latencies = side.rounds.flatMap((one) => one.latencies).sort((a, b) => a - b);
  return {
    joins_per_s: fixed((PEERS * 1000) / side.joinMs),
    relays_per_s: fixed(median(side.rounds.map((one) => one.rate)), 0),
    half_rate_p50_ms: fixed(percentile(latencies, 50), 2),
    half_rate_p99_ms: fixed(percentile(latencies, 99), 2),
    cpu_us_per_relay: fixed(median(side.rounds.map((one) => one.cpuUsPerRelay)), 1),
    rss_per_peer_kib: fixed((side.rssJoined - side.rssBefore) / PEERS / 1024, 2),
    rss_joined_mb: fixed(side.rssJoined / 2 ** 20),
    rss_end_mb: fixed(rssEnd / 2 ** 20),
    held: report.held + report.goneSent,
    server_sockets_joined: side.socketsJoined,
    relays_sent: report.sent,
    relays_lost: report.sent - report.arrived,
    duplicates: report.duplicates,
    gone_sent: report.goneSent,
    gone_answered: report.goneAnswered,
    gone_answer_ms: fixed(report.goneLastAnswerMs, 0),
    dropped_links: report.droppedLinks,
    unexpected_frames: report.errors.length,
    half_rate_p90_ms: fixed(percentile(latencies, 90), 2),
    half_rate_p999_ms: fixed(percentile(latencies, 99.9), 2),
    half_rate_max_ms: fixed(latencies.at(-1) ?? NaN, 1),
    cpu_share_server: fixed(median(side.rounds.map((one) => one.serverCpuShare)), 2),
    cpu_share_generator: fixed(median(side.rounds.map((one) => one.generatorCpuShare)), 2),
    generator_loop_delay_p99_ms: fixed(Math.max(...side.rounds.map((one) => one.loopDelayP99Ms)), 1),
    rounds_relays_per_s: side.rounds.map((one) => fixed(one.rate, 0)),
  };
}

type Summary = ReturnType<typeof summarise>;

/** What the authority must never do: lose, repeat or misroute a relay, leave one to a gone peer unanswered, drop a link. */
function silentDrops(ours: Summary): string[] {
  const problems: string[] = [];
  if (ours.held !== PEERS) problems.push(`${ours.held} of ${PEERS} peers held`);
  if (ours.relays_lost !== 0) problems.push(`${ours.relays_lost} relays to live peers lost`);
  if (ours.duplicates !== 0) problems.push(`${ours.duplicates} relays arrived twice`);
  if (ours.gone_answered !== ours.gone_sent) problems.push(`${ours.gone_sent - ours.gone_answered} relays to gone peers got no PEER_GONE`);
  if (ours.dropped_links !== 0) problems.push(`${ours.dropped_links} links dropped by the authority`);
  if (ours.unexpected_frames !== 0) problems.push(`${ours.unexpected_frames} unexpected frames`);
  return problems;
}

function printTable(a: Summary, b: Summary): void {
  const rows: [string, (s: Summary) => string][] = [
    ['joins (ours) / connects (PeerJS) per s', (s) => String(s.joins_per_s)],
    ['relays/s at saturation (median round)', (s) => `${s.relays_per_s} (${s.rounds_relays_per_s.join(', ')})`],
    ['relay p50 / p99 at half rate (ms)', (s) => `${s.half_rate_p50_ms} / ${s.half_rate_p99_ms}`],
    ['relay p90 / p99.9 / max at half rate (ms)', (s) => `${s.half_rate_p90_ms} / ${s.half_rate_p999_ms} / ${s.half_rate_max_ms}`],
    ['generator event-loop delay p99 (ms)', (s) => String(s.generator_loop_delay_p99_ms)],
    ['server CPU per relay at saturation (µs)', (s) => String(s.cpu_us_per_relay)],
    ['cores used saturated: server / generator', (s) => `${s.cpu_share_server} / ${s.cpu_share_generator}`],
    ['server RSS per peer (KiB)', (s) => String(s.rss_per_peer_kib)],
    ['server RSS joined / at end (MB)', (s) => `${s.rss_joined_mb} / ${s.rss_end_mb}`],
    ['peers held / server sockets once joined', (s) => `${s.held} / ${s.server_sockets_joined}`],
    ['relays sent / lost / duplicated', (s) => `${s.relays_sent} / ${s.relays_lost} / ${s.duplicates}`],
    ['relays to gone peers / answered, last (ms)', (s) => `${s.gone_sent} / ${s.gone_answered}, ${s.gone_answer_ms}`],
    ['links dropped by the server', (s) => String(s.dropped_links)],
  ];
  console.log(`\n${PEERS} peers per server; warm-up ${WARMUP_MS / 1000} s, then ${ROUNDS} rounds each`
    + ` (saturate ${SATURATE_MS / 1000} s, half rate ${HALF_RATE_MS / 1000} s), alternating`);
  console.log(`${''.padEnd(44)}${'ours'.padStart(24)}${'PeerJS'.padStart(24)}`);
  for (const [label, show] of rows) console.log(`${label.padEnd(44)}${show(a).padStart(24)}${show(b).padStart(24)}`);
}

async function main(): Promise<void> {
  const benchStarted = performance.now();
  let authority: AuthorityProcess | undefined;
  let peerServer: ServerProcess | undefined;
  const generators: Generator[] = [];
  try {
    if (PROFILE_DIR) process.env['NODE_OPTIONS'] = `--import ${profilerHook(PROFILE_DIR)}`;
    // Default settings: the helper's --log-level warn is put back to the default, info.
    authority = await startAuthorityProcess([...AUTHORITY_ARGS, ...EXTRA_ARGS]);
    peerServer = await startPeerJs();
    delete process.env['NODE_OPTIONS'];
    checkOpenFiles('the authority', authority.pid!);
    checkOpenFiles('the PeerJS server', peerServer.pid);
    const ourServer: ServerProcess = { pid: authority.pid!, url: authority.wsUrl, close: () => authority!.close() };
    const sides: Side[] = [];
    for (const [name, server] of [['ours', ourServer], ['peerjs', peerServer]] as const) {
      const generator = await startGenerator(name, server.url, server.pid);
      generators.push(generator);
      sides.push({ name, server, generator, rounds: [], rssBefore: rssBytes(server.pid), rssJoined: 0, socketsJoined: 0, joinMs: 0 });
    }
    const [our, their] = sides as [Side, Side];
    for (const side of sides) {
      const { joinMs, keysMs } = await side.generator.step('join');
      side.joinMs = joinMs;
      if (side.name === 'ours') console.log(`${PEERS} P-256 identities made in ${(keysMs / 1000).toFixed(1)} s (WebCrypto, 500 at a time)`);
      console.log(`${side.name}: ${PEERS} peers ${side.name === 'ours' ? 'joined' : 'connected'} in ${(joinMs / 1000).toFixed(1)} s`);
    }
    await sleep(1000);
    for (const side of sides) {
      side.rssJoined = rssBytes(side.server.pid);
      side.socketsJoined = openSockets(side.server.pid);
      if (side.socketsJoined < PEERS) throw new Error(`${side.name}: the server holds ${side.socketsJoined} sockets once ${PEERS} peers joined`);
    }
    // PeerJS answers a relay to a gone peer only after its expire_timeout: these go first.
    await Promise.all(sides.map((side) => side.generator.step('gone')));
    const goneSentAt = performance.now();
    for (const side of sides) await side.generator.step('warmup');
    const gcBefore = await authorityGc(authority.url);
    for (let r = 0; r < ROUNDS; r++) {
      for (const side of r % 2 === 0 ? [our, their] : [their, our]) side.rounds.push(await side.generator.step('round'));
    }
    const gcAfter = await authorityGc(authority.url);
    await sleep(Math.max(0, PEERJS_EXPIRE_WAIT_MS - (performance.now() - goneSentAt)));
    const [a, b] = await Promise.all(sides.map(async (side) => {
      const report = await side.generator.step('report');
      if (report.errors.length > 0) console.log(`${side.name}: unexpected frames: ${report.errors.join(' | ')}`);
      return summarise(side, report, rssBytes(side.server.pid));
    })) as [Summary, Summary];
    printTable(a, b);
    const gc = { count: gcAfter.count - gcBefore.count, seconds: gcAfter.seconds - gcBefore.seconds, over100ms: gcAfter.over100ms - gcBefore.over100ms };
    console.log(`authority GC during the rounds: ${gc.count} pauses, ${(gc.seconds * 1000).toFixed(0)} ms in all, ${gc.over100ms} over 100 ms`);
    console.log(`whole bench ${((performance.now() - benchStarted) / 1000).toFixed(1)} s`);
    const relaysVsPeerJs = fixed(a.relays_per_s / b.relays_per_s, 3);
    const goals = {
      peers_held: a.held === PEERS,
      relays_vs_peerjs: relaysVsPeerJs >= GOAL_RELAYS_VS_PEERJS,
      half_rate_p99: a.half_rate_p99_ms <= GOAL_HALF_RATE_P99_MS,
      nothing_dropped: silentDrops(a).length === 0,
    };
    console.log(`goals: ${PEERS} peers held ${goals.peers_held ? 'met' : 'MISSED'}; relays/s ${relaysVsPeerJs}x PeerJS's`
      + ` (>= ${GOAL_RELAYS_VS_PEERJS}) ${goals.relays_vs_peerjs ? 'met' : 'MISSED'}; p99 at half rate ${a.half_rate_p99_ms} ms`
      + ` (<= ${GOAL_HALF_RATE_P99_MS}) ${goals.half_rate_p99 ? 'met' : 'MISSED'}`);
    for (const problem of silentDrops(a)) console.error(`authority: ${problem}`);
    if (!goals.nothing_dropped) process.exitCode = 1;
    const { rounds_relays_per_s: _a, ...oursFigures } = a;
    const { rounds_relays_per_s: _b, ...theirFigures } = b;
    console.log(JSON.stringify({
      bench: 'authority-load', peers: PEERS, ...oursFigures,
      gc_ms_during_rounds: fixed(gc.seconds * 1000, 0), gc_pauses_over_100ms: gc.over100ms,
      peerjs: theirFigures, peerjs_default_cap: PEERJS_DEFAULT_CAP, goals,
      ratios: {
        relays_vs_peerjs: relaysVsPeerJs,
        half_rate_p99_vs_peerjs: fixed(a.half_rate_p99_ms / b.half_rate_p99_ms, 3),
        cpu_per_relay_vs_peerjs: fixed(a.cpu_us_per_relay / b.cpu_us_per_relay, 3),
        rss_per_peer_vs_peerjs: fixed(a.rss_per_peer_kib / b.rss_per_peer_kib, 3),
        joins_vs_peerjs_connects: fixed(a.joins_per_s / b.joins_per_s, 3),
      },
    }));
  } finally {
    await Promise.all(generators.map((one) => one.close()));
    if (PROFILE_DIR) await Promise.all([peerServer?.pid, authority?.pid].map((pid) => pid === undefined ? undefined : stopGracefully(pid)));
    await peerServer?.close();
    await authority?.close();
  }
}

await main();
