// Benchmark: the client's job queue (src/peer/farm/job-queue.ts) costs the same per job whatever the
// series' size. A series of 1,000, 10,000 and 100,000 jobs is run through the queue alone, as the
// foreman drives it: four workers each holding a few leases, taking the next job as one completes;
// redundancy 1, then a series of redundancy 3, where jobs wait for more votes. One job costs one
// `next`, one `start` and one `complete` (three with redundancy 3), and the lease checks on the way.
// Run with `npm run bench -- queue`; the last line printed is the JSON summary (docs/BENCHMARKS.md).
import { JobQueue } from '../src/peer/farm/job-queue.ts';

const SIZES = [1_000, 10_000, 100_000] as const;
const WORKERS = ['w1', 'w2', 'w3', 'w4'];
/** Leases each worker holds at once (its slots plus what it prefetched). */
const HELD = 8;
/** Rounds per size; the fastest round counts (the others carry GC and JIT warm-up). */
const ROUNDS = 5;
/** How often, in jobs, the foreman's lease check (expire) runs in the simulation. */
const EXPIRE_EVERY = 100;

/** Runs one series through the queue; returns ns per job. */
function run(size: number, redundancy: number): number {
  const inputs = Array.from({ length: size }, (_, i) => i);
  const queue = new JobQueue(inputs, { redundancy, leaseMs: 60_000, poisonAfter: 3 });
  const held = new Map(WORKERS.map((worker) => [worker, [] as string[]]));
  const started = process.hrtime.bigint();
  let completed = 0;
  while (!queue.finished) {
    for (const worker of WORKERS) {
      const mine = held.get(worker)!;
      while (mine.length < HELD) {
        const lease = queue.next(worker, true) ?? queue.next(worker);
        if (!lease) break;
        queue.start(lease.id);
        mine.push(lease.id);
      }
      const lease = mine.shift();
      if (lease === undefined) continue;
      const job = queue.leases.get(lease)?.job;
      if (job !== undefined) queue.complete(lease, String(job * 2), job * 2);
      queue.cancelled.length = 0;
      if (++completed % EXPIRE_EVERY === 0) queue.expire();
    }
  }
  const ns = Number(process.hrtime.bigint() - started);
  if (queue.results().some((value, i) => value !== i * 2)) throw new Error('the queue lost or changed a result');
  return ns / size;
}

// Warm the JIT up first, then measure the sizes in alternating rounds so noise hits them alike.
for (let i = 0; i < 3; i++) run(10_000, 1 + 2 * (i % 2));
const bestNs = new Map<string, number>();
for (let round = 0; round < ROUNDS; round++) {
  for (const size of round % 2 === 0 ? SIZES : [...SIZES].reverse()) {
    for (const redundancy of [1, 3]) {
      const key = `k${redundancy}_${size}`;
      bestNs.set(key, Math.min(bestNs.get(key) ?? Infinity, run(size, redundancy)));
    }
  }
}
const rows: Record<string, number> = {};
console.log(`queue cost per job (ns), best of ${ROUNDS} alternating rounds; 4 workers holding ${HELD} leases each`);
console.log('jobs        redundancy 1   redundancy 3');
for (const size of SIZES) {
  const [one, three] = [bestNs.get(`k1_${size}`)!, bestNs.get(`k3_${size}`)!];
  rows[`k1_${size}`] = Math.round(one);
  rows[`k3_${size}`] = Math.round(three);
  console.log(`${String(size).padEnd(10)} ${one.toFixed(0).padStart(13)} ${three.toFixed(0).padStart(14)}`);
}
const ratios = {
  k1_100k_vs_1k: Number((rows['k1_100000']! / rows['k1_1000']!).toFixed(2)),
  k3_100k_vs_1k: Number((rows['k3_100000']! / rows['k3_1000']!).toFixed(2)),
};
console.log(`100,000 jobs cost per job ${ratios.k1_100k_vs_1k}× (k=1) and ${ratios.k3_100k_vs_1k}× (k=3) what 1,000 do`);
console.log(JSON.stringify({ bench: 'queue', ns_per_job: rows, ratios }));
