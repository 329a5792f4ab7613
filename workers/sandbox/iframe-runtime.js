// The sandbox iframe's script (inlined into sandbox.html by sandbox-document.ts, after comlink's UMD
// build, page-settings.js and worker-pool.js): runs jobs on the pool with a time limit, forwards progress, and answers the page
// over comlink. The page is the only party it listens to: messages must come from `parent` with the
// page's origin. Workers are untrusted (they run job code): their answers are checked, and nothing
// is ever proxied to them, so a job cannot call back into this realm.

const active = new Map();

function failure(code, message) {
  return { ok: false, code, message };
}

/** A worker's answer, reduced to the outcome shape; null for anything else (a job forging messages). */
function checkOutcome(outcome) {
  const isRecord = typeof outcome === 'object' && outcome !== null;
  if (isRecord && outcome.ok === true && Object.hasOwn(outcome, 'value')) {
    return { ok: true, value: outcome.value };
  }
  if (isRecord && outcome.ok === false && CONFIG.codes.includes(outcome.code)) {
    return failure(outcome.code, String(outcome.message));
  }
  return null;
}

const utf8 = new TextEncoder();

/**
 * A result as UTF-8 JSON text in a buffer the page takes over (comlink transfers it), stringified
 * in this realm, which job code cannot reach: see SandboxApi.run in sandbox-protocol.ts for why.
 */
function toJson({ value, ms }) {
  let text;
  try {
    text = JSON.stringify(value === undefined ? null : value);
  } catch (error) {
    return failure('RESULT_NOT_CLONEABLE', `the job returned a value that cannot be sent as JSON: ${error}`);
  }
  if (text.length > CONFIG.resultMaxBytes) {
    return failure('RESULT_TOO_LARGE', `the job returned more than ${CONFIG.resultMaxBytes} bytes of JSON`);
  }
  const json = utf8.encode(text);
  return Comlink.transfer({ ok: true, json, ms }, [json.buffer]);
}

/** Forwards a job's progress to the page, at most once per interval (the latest value wins). */
function progressForwarder(runId) {
  let lastSentMs = -Infinity;
  let pending = null;
  let timer = null;
  const send = () => {
    timer = null;
    lastSentMs = performance.now();
    parent.postMessage({ type: CONFIG.messages.progress, runId, fraction: pending }, PAGE.parentOrigin);
  };
  const onMessage = (event) => {
    const { data } = event;
    if (data === null || typeof data !== 'object' || data.type !== CONFIG.messages.progress) return;
    if (typeof data.fraction !== 'number' || !(data.fraction >= 0 && data.fraction <= 1)) return;
    pending = data.fraction;
    const waitMs = lastSentMs + CONFIG.progressMinIntervalMs - performance.now();
    if (waitMs <= 0) send();
    else if (timer === null) timer = setTimeout(send, waitMs);
  };
  return { onMessage, stop: () => clearTimeout(timer) };
}

/**
 * Forwards a run's log lines to the page. The worker caps them, but job code can post to this
 * frame itself, so the cap (and the line length and levels) are checked again here.
 */
function logForwarder(runId) {
  let lines = 0;
  return (event) => {
    const { data } = event;
    if (data === null || typeof data !== 'object' || data.type !== CONFIG.messages.log) return;
    if (!CONFIG.logLevels.includes(data.level) || typeof data.text !== 'string') return;
    if (++lines > CONFIG.logLinesPerRun + 1) return;
    parent.postMessage({ type: CONFIG.messages.log, runId, level: data.level, text: data.text.slice(0, CONFIG.logLineMaxChars) }, PAGE.parentOrigin);
  };
}

/**
 * Runs one job on a worker of its code and series (worker-pool.js); resolves with an outcome,
 * never rejects. The worker is kept only if its `run` answered with an outcome: then the job is
 * over (bar what it left scheduled). On a timeout, an abort, an error outside the job's promise or
 * a forged answer the job may still be running, so the worker is terminated.
 */
function runJob(runId, code, input, timeoutMs, series = null, asJson = false, args = undefined) {
  const slot = takeWorker(code, series);
  const progress = progressForwarder(runId);
  const log = logForwarder(runId);
  return new Promise((resolve) => {
    const onError = (event) => {
      event.preventDefault();
      finish(failure('JOB_THREW', `the job threw outside its promise: ${event.message}`), false);
    };
    const timer = setTimeout(() => finish(failure('TIMEOUT', `job exceeded ${timeoutMs} ms`), false), timeoutMs);
    function finish(outcome, reusable) {
      if (!active.has(runId)) return;
      active.delete(runId);
      clearTimeout(timer);
      progress.stop();
      slot.worker.removeEventListener('message', progress.onMessage);
      slot.worker.removeEventListener('message', log);
      slot.worker.removeEventListener('error', onError);
      releaseWorker(slot, reusable);
      resolve(outcome);
    }
    active.set(runId, (outcome) => finish(outcome, false));
    slot.worker.addEventListener('message', progress.onMessage);
    slot.worker.addEventListener('message', log);
    slot.worker.addEventListener('error', onError);
    // Timed here, on the sandbox's own thread: the page's main thread may answer much later.
    const startedMs = performance.now();
    slot.remote.run(code, input, args).then(
      (answer) => {
        const outcome = checkOutcome(answer);
        if (outcome?.ok === true) outcome.ms = performance.now() - startedMs;
        if (outcome !== null) finish(asJson && outcome.ok ? toJson(outcome) : outcome, true);
        else finish(failure('JOB_THREW', 'the job sent an answer that is not an outcome'), false);
      },
      () => finish(failure('JOB_THREW', 'the job sent an error instead of an outcome'), false),
    );
  });
}

function cancel(runId) {
  active.get(runId)?.(failure('ABORTED', 'the job was aborted'));
}

/** comlink's window endpoint, narrowed to messages from the page (source and origin). */
function parentEndpoint() {
  const filtered = new Map();
  const fromParent = (listener) => (event) => {
    if (event.source !== parent || event.origin !== PAGE.parentOrigin) return;
    if (typeof listener === 'function') listener(event);
    else listener.handleEvent(event);
  };
  return {
    postMessage: (message, transfer) => parent.postMessage(message, PAGE.parentOrigin, transfer),
    addEventListener: (type, listener) => {
      filtered.set(listener, fromParent(listener));
      addEventListener(type, filtered.get(listener));
    },
    removeEventListener: (type, listener) => {
      removeEventListener(type, filtered.get(listener));
      filtered.delete(listener);
    },
  };
}

/**
 * Answers the page's heartbeat (heartbeat.ts). This thread only relays, jobs run in workers, so it
 * answers at once unless the process is gone: that silence is how the page sees a crashed sandbox.
 */
function answerPings(event) {
  if (event.source !== parent || event.origin !== PAGE.parentOrigin) return;
  const { data } = event;
  if (data === null || typeof data !== 'object' || data.type !== CONFIG.messages.ping) return;
  if (!Number.isSafeInteger(data.seq)) return;
  parent.postMessage({ type: CONFIG.messages.pong, seq: data.seq }, PAGE.parentOrigin);
}

/** What the page checks before it trusts this frame: an opaque origin and the CSP in force. */
function selfCheck() {
  let cspInForce = false;
  try {
    new Function('');
  } catch {
    cspInForce = true;
  }
  return { origin: self.origin, cspInForce };
}

/** Workers started so far, spares included: tests count them to see warm workers reused. */
function workersStarted() {
  return pool.started;
}

Comlink.expose({ run: runJob, cancel, setThreads, workersStarted }, parentEndpoint(), [PAGE.parentOrigin]);
addEventListener('message', answerPings);
refillSpares();
parent.postMessage({ type: CONFIG.messages.ready, ...selfCheck() }, PAGE.parentOrigin);
