// Benchmark: how long a well-behaved client waits for an answer from an authority that another peer
// is loading, against the same authority idle, in the same run. The authority runs in a child
// process (`signaling/main.ts`, as `npm start` runs it); the load and the measuring client run here.
// Loads: a link sending full signed award batches as fast as they are answered (16 waiting), three
// concurrent downloads of /api/events.ndjson with 200,000 stored events, and a link sending 5,000
// commands a second. One sample is the round trip of `balance`. Run with `npm run bench -- hostile`;
// the last line printed is the JSON summary (docs/BENCHMARKS.md).
import { formatList } from '../src/protocol/format.ts';
import { sign, type Identity } from '../src/protocol/identity.ts';
import { AuthorityConnection } from '../src/peer/authority-connection.ts';
import { Options } from '../src/peer/options.ts';
import { PointsClient } from '../src/peer/points-client.ts';
import { startAuthorityProcess, type AuthorityProcess } from '../test/helpers/authority-process.ts';
import { joinAs, openSocket } from '../test/helpers/ws-peer.ts';
import { generateIdentity } from '../src/protocol/identity.ts';

/** Round trips measured per phase; phases alternate idle and loaded, so machine noise hits both. */
const SAMPLES_PER_PHASE = 200;
/** The probe asks 100 times a second: under the authority's 200 commands/s per link. */
const SAMPLE_INTERVAL_MS = 10;
const ROUNDS = 2;
/** Events one `log` carries, and how many the store is filled with before the downloads. */
const LOG_BATCH = 500;
const STORED_EVENTS = 200_000;
const DOWNLOADS = 3;
const FLOOD_PER_S = 5000;
const AWARD_BATCH_ENTRIES = 1000;
const AWARD_BATCHES_WAITING = 16;

interface Member { readonly connection: AuthorityConnection; readonly identity: Identity; readonly points: PointsClient }

async function member(authority: AuthorityProcess, role: 'worker' | 'client'): Promise<Member> {
  const identity = await generateIdentity();
  const connection = new AuthorityConnection({ role, identity, urls: [authority.wsUrl], openSocket, options: new Options() });
  await connection.start();
  return { connection, identity, points: new PointsClient(connection, identity) };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** `balance` round trips of the measuring client, one after another. */
async function sample(probe: Member): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < SAMPLES_PER_PHASE; i++) {
    const started = performance.now();
    await probe.points.balance();
    times.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_INTERVAL_MS));
  }
  return times.sort((a, b) => a - b);
}

/** Keeps full signed award batches (fresh transfer ids, so each is real ledger work) waiting on one link until `stop` resolves. */
async function awardLoad(attacker: Member, workerId: string, stop: Promise<void>): Promise<void> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  const expires = String(Date.now() + 3_600_000);
  const link = (attacker.connection as unknown as { handler: { link: { send(frame: string): void } } }).handler.link;
  let waiting = 0;
  const answered = () => { waiting -= 1; };
  attacker.connection.addEventListener('reply', answered);
  while (!stopped) {
    if (waiting >= AWARD_BATCHES_WAITING) {
      await new Promise((resolve) => setImmediate(resolve));
      continue;
    }
    const b = ++awardSerial;
    const entries = formatList(Array.from({ length: AWARD_BATCH_ENTRIES }, (_, i) =>
      formatList(['transfer', `load${b}-${i}`, 'worker', workerId, 'amount', '1', 'expires', expires])));
    link.send(`award q${b} ${formatList([entries])} ${await sign(attacker.identity, `peerfarm award ${entries}`)}`);
    waiting += 1;
  }
  attacker.connection.removeEventListener('reply', answered);
}
let awardSerial = 0;

/** Downloads the event store `DOWNLOADS` times at once, again and again, until `stop` resolves. */
async function downloadLoad(authority: AuthorityProcess, stop: Promise<void>): Promise<number> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  let bytes = 0;
  const one = async (): Promise<void> => {
    while (!stopped) {
      const response = await fetch(`${authority.url}/api/events.ndjson`);
      if (!response.ok || !response.body) { await response.body?.cancel(); await new Promise((r) => setTimeout(r, 50)); continue; }
      const reader = response.body.getReader();
      for (let part = await reader.read(); !part.done; part = await reader.read()) {
        bytes += part.value.length;
        if (stopped) {
          await reader.cancel();
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: DOWNLOADS }, one));
  return bytes;
}

/** Sends FLOOD_PER_S commands a second on one link until `stop` resolves. */
async function floodLoad(flooder: Member, stop: Promise<void>): Promise<void> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  const link = (flooder.connection as unknown as { handler: { link: { send(frame: string): void } } }).handler.link;
  while (!stopped) {
    for (let i = 0; i < FLOOD_PER_S / 100; i++) link.send('peers -max 1');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function fillEvents(logger: Member): Promise<void> {
  const event = JSON.stringify({ t: Date.now(), kind: 'in', peer: 'bench', text: 'heartbeat', result: 'ok' });
  for (let sent = 0; sent < STORED_EVENTS; sent += LOG_BATCH) {
    logger.connection.send('log', { events: Array.from({ length: LOG_BATCH }, () => event) });
    // The authority allows 200 commands a second per link: stay under it.
    await new Promise((resolve) => setTimeout(resolve, 6));
  }
}

async function main(): Promise<void> {
  // Enough points that every hold of the award load is taken (real ledger writes, not refusals).
  const authority = await startAuthorityProcess(['--log-level', 'warn', '--grant-points', '1000000']);
  try {
    const probe = await member(authority, 'client');
    const attacker = await member(authority, 'client');
    const flooder = await member(authority, 'client');
    const worker = await joinAs('worker', authority.wsUrl);
    const logger = await member(authority, 'worker');
    await fillEvents(logger);
    const loads: Record<string, (stop: Promise<void>) => Promise<unknown>> = {
      'award batches': (stop) => awardLoad(attacker, worker.id, stop),
      'ndjson downloads': (stop) => downloadLoad(authority, stop),
      'command flood': (stop) => floodLoad(flooder, stop),
    };
    const results: Record<string, { idle: number[]; loaded: number[] }> = {};
    for (const name of Object.keys(loads)) results[name] = { idle: [], loaded: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, load] of Object.entries(loads)) {
        results[name]!.idle.push(...await sample(probe));
        let stop!: () => void;
        const stopped = new Promise<void>((resolve) => (stop = resolve));
        const running = load(stopped);
        await new Promise((resolve) => setTimeout(resolve, 300)); // the load is under way
        results[name]!.loaded.push(...await sample(probe));
        stop();
        await running;
      }
    }
    const summary: Record<string, number> = {};
    console.log(`balance round trips of a well-behaved client, ${SAMPLES_PER_PHASE * ROUNDS} per column (ms)`);
    console.log('load                 idle p50  idle p99  loaded p50  loaded p99  p99 ratio');
    for (const [name, { idle, loaded }] of Object.entries(results)) {
      idle.sort((a, b) => a - b);
      loaded.sort((a, b) => a - b);
      const row = [percentile(idle, 50), percentile(idle, 99), percentile(loaded, 50), percentile(loaded, 99)];
      const ratio = row[3]! / row[1]!;
      summary[name.replace(/ /g, '_')] = Number(ratio.toFixed(2));
      console.log(`${name.padEnd(20)} ${row.map((ms) => ms.toFixed(2).padStart(9)).join('  ')}  ${ratio.toFixed(2).padStart(9)}`);
      summary[`${name.replace(/ /g, '_')}_loaded_p99_ms`] = Number(row[3]!.toFixed(2));
    }
    const ratios = Object.fromEntries(Object.entries(summary).filter(([key]) => !key.endsWith('_ms')));
    for (const connection of [probe, attacker, flooder, logger].map((m) => m.connection)) connection.stop();
    worker.stop();
    console.log(JSON.stringify({ bench: 'hostile', ...Object.fromEntries(Object.entries(summary).filter(([key]) => key.endsWith('_ms'))), ratios }));
  } finally {
    await authority.close();
  }
}

await main();
