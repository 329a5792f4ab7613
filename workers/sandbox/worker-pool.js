// Part of the sandbox iframe's script (see srcdoc.ts): the job workers. Each worker runs one job
// and is terminated after it (job-worker.js says why), so the pool keeps warm spares: with `threads`
// slots and `running` jobs, `threads - running` workers are started ahead and wait for a job.
// Lowering `threads` ends spares only; a running job always finishes, and its worker is then not
// replaced.

// A data: URL, not blob:. Chromium refuses to start a module worker from a blob: URL made in an
// opaque origin (the fetch fails its same-origin check); a data: worker starts, still inherits the
// iframe's CSP, and gets an opaque origin of its own, so concurrent jobs share no origin either.
const workerUrl = `data:text/javascript;charset=utf-8,${encodeURIComponent(CONFIG.workerSource)}`;

const pool = { threads: CONFIG.threads, running: 0, spares: [] };

function spawnWorker() {
  const worker = new Worker(workerUrl, { type: 'module', name: 'peerfarm-job' });
  return { worker, remote: Comlink.wrap(worker) };
}

function refillSpares() {
  const wanted = Math.max(0, pool.threads - pool.running);
  while (pool.spares.length > wanted) pool.spares.pop().worker.terminate();
  while (pool.spares.length < wanted) pool.spares.push(spawnWorker());
}

/** A worker for one job: the oldest spare (the most likely to have loaded), or a new one. */
function takeWorker() {
  pool.running += 1;
  const slot = pool.spares.shift() ?? spawnWorker();
  refillSpares();
  return slot;
}

/** Ends the worker of a finished, failed, timed-out or cancelled job. */
function releaseWorker(slot) {
  slot.worker.terminate();
  pool.running -= 1;
  refillSpares();
}

function setThreads(threads) {
  pool.threads = threads;
  refillSpares();
}
