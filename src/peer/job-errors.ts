// Why a job did not produce a result. One closed set of codes, shared by the page-side runner and
// the sandbox (which reports codes as strings); tests assert the code, people read the message.

export const JobErrorCode = {
  /** The job's default export threw or rejected; the message includes the job's own message. */
  JOB_THREW: 'JOB_THREW',
  /** The module loaded but its default export is not a function. */
  NO_DEFAULT_EXPORT: 'NO_DEFAULT_EXPORT',
  /** The module failed to load: a parse error, a refused import, or a throw at its top level. */
  SYNTAX_ERROR: 'SYNTAX_ERROR',
  /** The job ran past its time limit; its worker was terminated and replaced. */
  TIMEOUT: 'TIMEOUT',
  /** The job returned something structured clone refuses (a function, a symbol, a WeakMap, ...). */
  RESULT_NOT_CLONEABLE: 'RESULT_NOT_CLONEABLE',
  /** The job's result is above RESULT_MAX_BYTES (estimated structured-clone size). */
  RESULT_TOO_LARGE: 'RESULT_TOO_LARGE',
  /**
   * The caller's AbortSignal fired, or the runner was closed, before the job finished. A running
   * job's worker is terminated (the job may still be running).
   */
  ABORTED: 'ABORTED',
  /** The sandbox iframe did not start, lost its isolation, or did not answer a run in time. */
  SANDBOX_FAILED: 'SANDBOX_FAILED',
  /**
   * The sandbox frame stopped answering its heartbeat: its renderer process died, most likely
   * because a job ran out of memory. Every run in that frame fails; the frame is replaced.
   */
  SANDBOX_CRASHED: 'SANDBOX_CRASHED',
} as const;
export type JobErrorCode = (typeof JobErrorCode)[keyof typeof JobErrorCode];

const CODES: ReadonlySet<string> = new Set(Object.values(JobErrorCode));

export function isJobErrorCode(value: unknown): value is JobErrorCode {
  return typeof value === 'string' && CODES.has(value);
}

/** A job that did not produce a result. `code` is stable; `message` is for people. */
export class JobError extends Error {
  override readonly name = 'JobError';
  constructor(readonly code: JobErrorCode, message: string) {
    super(message);
  }
}

/**
 * A sandbox that failed to start (a start timeout under load, a bad sandbox_url) is not kept: the
 * next job tries a new one instead of failing on the same rejected promise until the page reloads.
 */
export function retryable<T>(starting: Promise<T>, forget: () => void): Promise<T> {
  starting.catch(forget);
  return starting;
}
