// The job worker: a module worker the sandbox iframe starts from a data: URL. sandbox-document.ts
// builds its text as `const CONFIG = {...};` + comlink's UMD build + clone-size.js + this file. A
// worker is bound to one job code: it imports the module once, at its first job, and runs
// consecutive jobs of that code (one series of one client) on it, so a small job costs no worker
// start and no import. Those jobs share this realm and may see each other's leftovers;
// worker-pool.js says why that is acceptable and how jobs of other code or series always get a
// worker of their own.
//
// Isolation comes from the iframe: the worker has an opaque origin and inherits its CSP (connect-src
// 'none', script-src without http(s): or 'unsafe-eval'). Removing the APIs below is a second line,
// so a job gets "fetch is not defined" rather than relying on one browser mechanism alone.

const Comlink = globalThis.Comlink;
delete globalThis.Comlink;

/**
 * Network, storage, cross-context channels and nested workers (which would get fresh globals). The
 * opaque origin already refuses the storage APIs; removing them keeps one list of what jobs lack.
 */
const REMOVED_GLOBALS = [
  'fetch', 'XMLHttpRequest', 'WebSocket', 'WebSocketStream', 'EventSource', 'WebTransport',
  'importScripts', 'indexedDB', 'caches', 'cookieStore', 'BroadcastChannel', 'Worker',
  'SharedWorker',
];

/** Deletes `name` from the global object and every prototype it is inherited through. */
function removeGlobal(name) {
  for (let holder = globalThis; holder !== null; holder = Object.getPrototypeOf(holder)) {
    if (Object.hasOwn(holder, name)) delete holder[name];
  }
}

/**
 * Without 'unsafe-eval' the sandbox CSP refuses `new Function`. If it is accepted here, the worker
 * is not under the iframe's CSP (a browser that does not pass CSP on to data: workers), so the
 * network would be open: refuse to run rather than rely on the removed globals alone.
 */
function cspInForce() {
  try {
    new Function('');
    return false;
  } catch {
    return true;
  }
}

const post = globalThis.postMessage.bind(globalThis);
const sandboxed = cspInForce();
for (const name of REMOVED_GLOBALS) removeGlobal(name);

function failure(code, message) {
  return { ok: false, code, message };
}

/** The job module's URL while it loads and runs: its stack frames are the ones worth showing. */
let moduleUrl = null;
/** Frames of a thrown error's stack that are the job's own, at most this many. */
const STACK_FRAMES = 10;

/**
 * A job's thrown value as text: `Name: message`, then the stack frames in the job's own module
 * (this runtime's frames are noise to its author), its blob: URL shown as `job.js`. The value is
 * the job's, so reading it may itself throw.
 */
function describe(error) {
  try {
    if (!(error instanceof Error)) return String(error);
    const head = `${error.name}: ${error.message}`;
    const stack = typeof error.stack === 'string' ? error.stack.split('\n') : [];
    const own = moduleUrl === null ? [] : stack.filter((line) => line.includes(moduleUrl)).slice(0, STACK_FRAMES)
      .map((line) => `    ${line.trim().replaceAll(moduleUrl, 'job.js')}`);
    return [head, ...own].join('\n');
  } catch {
    return 'an unprintable value';
  }
}

/** A value logged by a job, as text: strings as they are, anything else as JSON where it can be. */
function logText(values) {
  const parts = values.map((value) => {
    if (typeof value === 'string') return value;
    if (value instanceof Error) return describe(value);
    try {
      return JSON.stringify(value) ?? String(value);
    } catch {
      try {
        return String(value);
      } catch {
        return '[unprintable]';
      }
    }
  });
  return parts.join(' ').slice(0, CONFIG.logLineMaxChars);
}

/**
 * `ctx.log` and `console.*` for one run: each line goes to the page, at most logLinesPerRun of
 * them, then one that says how many more were dropped. Closed when the run answers, so a timer the
 * job left behind cannot log in the next job's name.
 */
function logReporter() {
  let sent = 0;
  let dropped = 0;
  let closed = false;
  const line = (level, values) => {
    if (closed) return;
    if (sent >= CONFIG.logLinesPerRun) {
      dropped += 1;
      return;
    }
    sent += 1;
    post({ type: CONFIG.messages.log, level, text: logText(values) });
  };
  const close = () => {
    if (!closed && dropped > 0) post({ type: CONFIG.messages.log, level: 'warn', text: `${dropped} more log lines dropped (at most ${CONFIG.logLinesPerRun} a job)` });
    closed = true;
  };
  return { line, close };
}

/** The running job's log; console.* write to it (and nowhere else: the sandbox has no console to read). */
let currentLog = null;
for (const level of CONFIG.logLevels) {
  const write = (...values) => currentLog?.line(level, values);
  try {
    Object.defineProperty(globalThis.console, level, { value: write, writable: true, configurable: true });
  } catch {
    // A console that cannot be patched: ctx.log still works.
  }
}

/**
 * `ctx.progress` for one run: at most one message per interval, and the latest value is never
 * lost. `close` sends a pending value before the run answers and ignores later calls, so a timer
 * the job left behind cannot report progress in the next job's name.
 */
function progressReporter() {
  let lastSentMs = -Infinity;
  let pending = null;
  let timer;
  let closed = false;
  const send = () => {
    clearTimeout(timer);
    lastSentMs = performance.now();
    post({ type: CONFIG.messages.progress, fraction: pending });
    pending = null;
  };
  const report = (fraction) => {
    if (closed || typeof fraction !== 'number' || !Number.isFinite(fraction)) return;
    const schedule = pending === null;
    pending = Math.min(1, Math.max(0, fraction));
    const waitMs = lastSentMs + CONFIG.progressMinIntervalMs - performance.now();
    if (waitMs <= 0) send();
    else if (schedule) timer = setTimeout(send, waitMs);
  };
  const close = () => {
    closed = true;
    if (pending !== null) send();
  };
  return { report, close };
}

async function loadJob(code) {
  const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
  moduleUrl = url;
  try {
    return await import(url);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Clones the result (as postMessage will) and bounds its size; the clone is what is sent. */
function checkResult(value) {
  let clone;
  try {
    clone = structuredClone(value);
  } catch (error) {
    return failure('RESULT_NOT_CLONEABLE', `the job returned a value that cannot be sent: ${describe(error)}`);
  }
  const bytes = estimateCloneBytes(clone, CONFIG.resultMaxBytes);
  if (bytes > CONFIG.resultMaxBytes) {
    return failure('RESULT_TOO_LARGE', `the job returned more than ${CONFIG.resultMaxBytes} bytes`);
  }
  return { ok: true, value: clone };
}

/** The code this worker is bound to and its module (a promise: concurrent first runs share it). */
let bound = null;

function jobModule(code) {
  bound ??= { code, module: loadJob(code) };
  return bound.code === code ? bound.module : null;
}

async function run(code, input, args) {
  if (!sandboxed) return failure('SANDBOX_FAILED', 'the job worker is not under the sandbox CSP');
  // The iframe never sends other code to a bound worker; refusing it keeps that a rule here too.
  const loading = jobModule(code);
  if (loading === null) return failure('SANDBOX_FAILED', 'the job worker is bound to other job code');
  let module;
  try {
    module = await loading;
  } catch (error) {
    return failure('SYNTAX_ERROR', `the job module failed to load: ${describe(error)}`);
  }
  if (typeof module.default !== 'function') {
    return failure('NO_DEFAULT_EXPORT', 'the job module does not export a default function');
  }
  const progress = progressReporter();
  const log = logReporter();
  currentLog = log;
  let value;
  try {
    const ctx = Object.freeze({ progress: progress.report, log: (...values) => log.line('log', values), args });
    value = await module.default(input, ctx);
  } catch (error) {
    return failure('JOB_THREW', `the job threw ${describe(error)}`);
  } finally {
    progress.close();
    log.close();
    if (currentLog === log) currentLog = null;
  }
  return checkResult(value);
}

Comlink.expose({ run });
