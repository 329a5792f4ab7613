// What the page and the sandbox iframe say to each other (data only). The iframe side is plain JS
// (iframe-runtime.js) and gets these constants through the CONFIG object sandbox-document.ts writes
// into it; the page's own settings reach it in the URL fragment (sandboxFragment).
import type { JobErrorCode } from '../../src/peer/job-errors.ts';

/** Types of the plain (non-comlink) messages; prefixed so they cannot be mistaken for others. */
export const SandboxMessage = {
  /** iframe → page, once, when the runtime listens: `{type, origin, cspInForce}`. */
  READY: 'peerfarm-sandbox-ready',
  /**
   * iframe → page, once, instead of READY, when the URL fragment is not valid: `{type, message}`.
   * Posted to any origin (the page's is what the fragment failed to name); it carries no data.
   */
  FAILED: 'peerfarm-sandbox-failed',
  /** worker → iframe `{type, fraction}`, then iframe → page `{type, runId, fraction}`. */
  PROGRESS: 'peerfarm-job-progress',
  /** worker → iframe `{type, level, text}` (ctx.log, console.*), then iframe → page `{type, runId, level, text}`. */
  LOG: 'peerfarm-job-log',
  /** page → iframe `{type, seq}` while runs are in flight (heartbeat.ts); not comlink. */
  PING: 'peerfarm-sandbox-ping',
  /** iframe → page `{type, seq}`, the answer to PING. */
  PONG: 'peerfarm-sandbox-pong',
} as const;

/** The page's settings for the sandbox document, in its URL fragment (never sent to a server). */
export interface SandboxSettings {
  /** The page's origin: the only origin the iframe accepts messages from and posts to. */
  parentOrigin: string;
  /** Workers that run jobs at once, 1..MAX_THREADS. */
  threads: number;
}

/**
 * Jobs that may run at once in one tab. More than the cores pays for jobs that mostly wait (an
 * awaited timer or a slow promise); the ceiling keeps a typo from starting hundreds of workers.
 */
export const MAX_THREADS = 32;

/** `parent=<origin>&threads=N`, read back and checked by page-settings.js. */
export function sandboxFragment(settings: SandboxSettings): string {
  return new URLSearchParams({ parent: settings.parentOrigin, threads: String(settings.threads) }).toString();
}

/**
 * The largest result a job may return, by estimated structured-clone size (clone-size.js). Results
 * travel to the client over a WebRTC data channel in 16 KiB chunks; 16 MiB is a thousand chunks,
 * plenty for computed results and small enough that a tab never holds many of them.
 */
export const RESULT_MAX_BYTES = 16 * 1024 * 1024;

/** Progress reaches the page at most this often per job; a job may call ctx.progress in a tight loop. */
export const PROGRESS_MIN_INTERVAL_MS = 50;

/** Levels of a job's log lines: `ctx.log` is `log`, `console.x` is `x`. */
export const LOG_LEVELS = ['log', 'info', 'warn', 'error', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** A log line is cut to this many characters in the sandbox. */
export const LOG_LINE_MAX_CHARS = 1000;
/** Lines one run may log; past it one line says how many more were dropped. */
export const LOG_LINES_PER_RUN = 100;

/**
 * How long a warm worker (worker-pool.js) waits for another job of its code before it ends. Long
 * enough to bridge a client's pauses between pulls, short enough not to hold memory for a series
 * that is over.
 */
export const WARM_WORKER_IDLE_MS = 30_000;

/** What a job run comes to, as the iframe reports it. */
export type JobOutcome =
  /** `ms`: how long the job ran on its thread, timed in the sandbox (sizes a worker's prefetch). */
  | { ok: true; value: unknown; ms?: number }
  /** A run asked for as JSON: the result as UTF-8 JSON text, stringified in the sandbox and transferred. */
  | { ok: true; json: Uint8Array; ms?: number }
  | { ok: false; code: JobErrorCode; message: string };

/** The iframe's comlink API (iframe-runtime.js). */
export interface SandboxApi {
  /**
   * Runs `code` on `input` on a worker that ran only this code for this `series` (or none yet);
   * never rejects. With `asJson` a result comes back as `json` bytes: a structured clone above
   * ~16 KiB crossing from the frame's process to the page's cost the page ~2.5 ms to read here
   * (a 12 KiB one 0.01 ms), a transferred buffer 0.01 ms at any size, and the page needs JSON anyway.
   * `args` reach the job as `ctx.args`.
   */
  run(runId: number, code: string, input: unknown, timeoutMs: number, series: string | null, asJson?: boolean, args?: unknown): Promise<JobOutcome>;
  /** Terminates the worker of `runId`, if it is still running. */
  cancel(runId: number): void;
  setThreads(threads: number): void;
  /** Workers started since the frame loaded, spares included. */
  workersStarted(): number;
}

export interface ReadyMessage {
  type: typeof SandboxMessage.READY;
  origin: string;
  cspInForce: boolean;
}

export interface FailedMessage {
  type: typeof SandboxMessage.FAILED;
  message: string;
}

export interface PongMessage {
  type: typeof SandboxMessage.PONG;
  seq: number;
}

export interface ProgressMessage {
  type: typeof SandboxMessage.PROGRESS;
  runId: number;
  fraction: number;
}

export interface LogMessage {
  type: typeof SandboxMessage.LOG;
  runId: number;
  level: LogLevel;
  text: string;
}
