// Part of the sandbox iframe's script (see sandbox-document.ts): the job workers.
//
// Warm workers. Starting a module worker costs ~15-30 ms, far more than a small job, so a worker
// that finished a job stays up, with its job module imported, and serves the next job of the same
// code and series. The trade-off: jobs of one series share a realm, so a job can see what an
// earlier job of its series left behind (module state, globals, timers, message listeners that
// read the next inputs). That is one client's own code and data. Different code, or the same code
// from another series, always gets a worker that never ran anything else, so nothing crosses
// between clients. A worker whose job timed out, was aborted or threw outside its promise is
// terminated, never reused: its job may still be running.
//
// Each of the `threads` threads holds a running worker or an idle warm one. An idle warm worker
// gives its thread up (is terminated) when a job of other code needs the thread, or after
// CONFIG.warmIdleMs unused. Spares (started, no code yet) fill the free threads, and one is kept
// even when every thread is held, so a new code starts on a worker that has already loaded.
// Spares are never ended because a job started: with one spare too few per running job, every
// job would start a spare when it ends and end it when the next one starts.
// Lowering `threads` ends spares and idle workers only; a running job always finishes, and its
// worker is then not kept.

// A data: URL, not blob:. Chromium refuses to start a module worker from a blob: URL made in an
// opaque origin (the fetch fails its same-origin check); a data: worker starts, still inherits the
// iframe's CSP, and gets an opaque origin of its own, so concurrent jobs share no origin either.
const workerUrl = `data:text/javascript;charset=utf-8,${encodeURIComponent(CONFIG.workerSource)}`;

/** `idle`: warm workers, least recently used first. `started`: workers ever started (for tests). */
const pool = { threads: PAGE.threads, running: 0, spares: [], idle: [], started: 0 };

function spawnWorker() {
  pool.started += 1;
  const worker = new Worker(workerUrl, { type: 'module', name: 'peerfarm-job' });
  return { worker, remote: Comlink.wrap(worker), code: null, series: null, idleTimer: undefined };
}

function refillSpares() {
  while (pool.idle.length > 0 && pool.running + pool.idle.length > pool.threads) {
    const slot = pool.idle.shift();
    clearTimeout(slot.idleTimer);
    slot.worker.terminate();
  }
  const wanted = Math.max(1, pool.threads - pool.running - pool.idle.length);
  while (pool.spares.length > wanted) pool.spares.pop().worker.terminate();
  while (pool.spares.length < wanted) pool.spares.push(spawnWorker());
}

/**
 * A worker for a job: a warm one that ran this code for this series, else the oldest spare (the
 * most likely to have loaded), else a new one. The worker is then bound to this code and series.
 */
function takeWorker(code, series) {
  pool.running += 1;
  const warm = pool.idle.findLastIndex((slot) => slot.code === code && slot.series === series);
  let slot;
  if (warm >= 0) {
    slot = pool.idle.splice(warm, 1)[0];
    clearTimeout(slot.idleTimer);
  } else {
    slot = pool.spares.shift() ?? spawnWorker();
    slot.code = code;
    slot.series = series;
  }
  refillSpares();
  return slot;
}

function retireIdle(slot) {
  const index = pool.idle.indexOf(slot);
  if (index < 0) return;
  pool.idle.splice(index, 1);
  slot.worker.terminate();
  refillSpares();
}

/** After a job: keeps a worker that is known to be done (`reusable`) warm if its thread remains. */
function releaseWorker(slot, reusable) {
  pool.running -= 1;
  if (reusable && pool.running + pool.idle.length < pool.threads) {
    slot.idleTimer = setTimeout(() => retireIdle(slot), CONFIG.warmIdleMs);
    pool.idle.push(slot);
  } else {
    slot.worker.terminate();
  }
  refillSpares();
}

function setThreads(threads) {
  pool.threads = threads;
  refillSpares();
}
