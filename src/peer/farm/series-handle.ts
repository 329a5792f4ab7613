// What `submit()` returns: the series' promise (await it for the SeriesResult, as before) that also
// streams the results as jobs are decided — `on('result', fn)` and `for await (... of handle)` in
// completion order — tells its `status`, can `cancel()`, and holds `results` in input order once done
// (DCP's job handle works the same way). A Promise subclass, so every `await`, `.then` and
// playwright's evaluate treat it as the promise it was.
import type { JobLogLine, SeriesResult } from './foreman.ts';

/** One job's accepted result, as it is decided. */
export interface ResultEvent {
  /** The job's index: its input's, or its group's (docs/JOBS.md). */
  readonly index: number;
  readonly value: unknown;
  /** The worker whose result was accepted. */
  readonly worker: string;
}

export interface SeriesStatus {
  readonly total: number;
  /** Jobs out on a worker or decided: not waiting in the queue. */
  readonly distributed: number;
  /** Jobs with an accepted result. */
  readonly computed: number;
  /** Jobs given up after too many failures (poisoned). */
  readonly failed: number;
}

type Listener = (event: ResultEvent) => void;
type LogListener = (line: JobLogLine) => void;

export class SeriesHandle extends Promise<SeriesResult> implements AsyncIterable<ResultEvent> {
  // `then` and friends make plain promises: a handle is made only by submit().
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  /** Every result so far, in the order decided: a late `on` or iterator misses none. */
  private readonly decided: ResultEvent[] = [];
  private readonly listeners = new Set<Listener>();
  private readonly logListeners = new Set<LogListener>();
  private readonly wakers = new Set<() => void>();
  private outcome: { result: SeriesResult } | { error: unknown } | undefined;
  private settle!: { resolve: (result: SeriesResult) => void; reject: (error: unknown) => void };

  constructor(private readonly source: { status(): SeriesStatus; cancel(): void }) {
    let settle: SeriesHandle['settle'] | undefined;
    super((resolve, reject) => (settle = { resolve, reject }));
    this.settle = settle!;
    // An unawaited handle whose series fails must not be an unhandled rejection of ours: the
    // caller's own `await` or `.catch` still sees it.
    super.then(undefined, () => undefined);
  }

  /** Jobs in the series and how far they got (read live). */
  get status(): SeriesStatus {
    return this.source.status();
  }

  /** The results in input order once the series is done; undefined before (or when it failed). */
  get results(): unknown[] | undefined {
    return this.outcome && 'result' in this.outcome ? this.outcome.result.results : undefined;
  }

  /**
   * `result`: calls `listener` with every result decided so far, then with each as it is decided.
   * `log`: with each line a job logs from now on (ctx.log, console.*; the foreman keeps the latest).
   * Returns a function that stops the listener.
   */
  on(event: 'result', listener: Listener): () => void;
  on(event: 'log', listener: LogListener): () => void;
  on(event: 'result' | 'log', listener: Listener | LogListener): () => void {
    if (event === 'log') {
      this.logListeners.add(listener as LogListener);
      return () => this.logListeners.delete(listener as LogListener);
    }
    if (event !== 'result') throw new TypeError(`SeriesHandle.on: unknown event ${JSON.stringify(event)}; the events are 'result' and 'log'`);
    for (const decided of this.decided) (listener as Listener)(decided);
    this.listeners.add(listener as Listener);
    return () => this.listeners.delete(listener as Listener);
  }

  /** Stops the series: the handle rejects with the reason, results so far stay streamed. */
  cancel(): void {
    this.source.cancel();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ResultEvent> {
    for (let next = 0; ; next++) {
      while (next >= this.decided.length && this.outcome === undefined) {
        await new Promise<void>((wake) => this.wakers.add(wake));
      }
      if (next < this.decided.length) {
        yield this.decided[next]!;
        continue;
      }
      if (this.outcome !== undefined && 'error' in this.outcome) throw this.outcome.error;
      return;
    }
  }

  /** The foreman decided a job (src/peer/client-role.ts wires it). */
  push(event: ResultEvent): void {
    this.decided.push(event);
    tell(this.listeners, event);
    this.wake();
  }

  /** A job logged a line. */
  log(line: JobLogLine): void {
    tell(this.logListeners, line);
  }

  /** The series ended: resolves or rejects the handle and ends the iterators. */
  finish(outcome: { result: SeriesResult } | { error: unknown }): void {
    if (this.outcome !== undefined) return;
    this.outcome = outcome;
    if ('result' in outcome) this.settle.resolve(outcome.result);
    else this.settle.reject(outcome.error);
    this.wake();
  }

  private wake(): void {
    const wakers = [...this.wakers];
    this.wakers.clear();
    for (const wake of wakers) wake();
  }
}

/** Calls every listener; a throwing one is the caller's bug: it must not stop the series or the others. */
function tell<T>(listeners: ReadonlySet<(value: T) => void>, value: T): void {
  for (const listener of [...listeners]) {
    try {
      listener(value);
    } catch (error) {
      reportError(error);
    }
  }
}

/** `reportError` is in browsers; elsewhere (Node 20) the error goes to the console. */
const reportError = (error: unknown): void => {
  if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
  else console.error(error);
};
