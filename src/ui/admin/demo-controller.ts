// The admin page's demo (DESIGN.md section 6; the original's Start button and client panel): N
// worker tabs as small same-origin iframes of `/?ephemeral&join`, and one client tab
// (`/submit.html?ephemeral`) driven through its `window.peerfarm` to get bids or spend points.
// The element renders the frames this lists and hands each one's window back with `attach`.
import type { Bid } from '../../peer/bids.ts';
import type { ClientRole } from '../../peer/client-role.ts';
import type { SeriesResult } from '../../peer/farm/foreman.ts';

export const MAX_DEMO_WORKERS = 20;
export const DEFAULT_DEMO_WORKERS = 5;
/** The client tab must join and hear of a worker within this. */
const CLIENT_READY_MS = 30_000;
const READY_POLL_MS = 200;
/** The series "Spend N points" runs: one job per point, at the workers' price of 1. */
export const DEMO_JOB_CODE = 'export default (x) => x * 2';

export interface DemoFrame {
  readonly key: string;
  readonly kind: 'worker' | 'client';
  readonly src: string;
}

export type DemoOutcome =
  | { readonly kind: 'bids'; readonly bids: readonly Bid[]; readonly ms: number }
  | { readonly kind: 'spent'; readonly result: SeriesResult; readonly jobs: number; readonly ms: number }
  | { readonly kind: 'error'; readonly action: string; readonly message: string };

/** What a frame's tab says about itself, read from its `window.peerfarm`. */
export interface FrameStatus {
  readonly id: string | undefined;
  readonly state: string;
  /** A worker's overlay neighbours. */
  readonly neighbours: number | undefined;
}

/** Emits `change` when frames come or go, an action starts or ends, and about once a second while frames run. */
export class DemoController extends EventTarget {
  frames: readonly DemoFrame[] = [];
  busy: 'bids' | 'spend' | undefined;
  outcome: DemoOutcome | undefined;
  private readonly windows = new Map<string, Window>();
  private serial = 0;
  private ticker: ReturnType<typeof setInterval> | undefined;

  /** `query` is carried into every frame's URL, e.g. `authority=ws://host:port/ws`. */
  constructor(private readonly query = '') {
    super();
  }

  get workers(): number {
    return this.frames.filter((frame) => frame.kind === 'worker').length;
  }

  /** Adds `count` worker tabs (up to MAX_DEMO_WORKERS in all) and the client tab. */
  start(count: number): void {
    const room = MAX_DEMO_WORKERS - this.workers;
    const adding = Math.max(0, Math.min(Math.floor(count), room));
    const added = Array.from({ length: adding }, () => this.frame('worker', './?ephemeral&join'));
    const client = this.frames.some((frame) => frame.kind === 'client') ? [] : [this.frame('client', './submit.html?ephemeral')];
    this.frames = [...this.frames, ...added, ...client];
    this.ticker ??= setInterval(() => this.emit(), 1000);
    this.emit();
  }

  /** Removes every demo tab; their links close and the authority forgets them. */
  stop(): void {
    this.frames = [];
    this.windows.clear();
    this.outcome = undefined;
    clearInterval(this.ticker);
    this.ticker = undefined;
    this.emit();
  }

  /** The element calls this when a frame has loaded. */
  attach(key: string, window: Window | null): void {
    if (window && this.frames.some((frame) => frame.key === key)) this.windows.set(key, window);
    this.emit();
  }

  status(key: string): FrameStatus | undefined {
    const role = this.windows.get(key)?.peerfarm as { id?: string; state?: string; neighbours?: readonly unknown[] } | undefined;
    return role ? { id: role.id, state: role.state ?? 'loading', neighbours: role.neighbours?.length } : undefined;
  }

  /** Asks the network for bids through the client tab. */
  getBids(): Promise<void> {
    return this.run('bids', async () => {
      const startedMs = performance.now();
      const bids = await (await this.client()).solicit({ kind: 'demo' });
      return { kind: 'bids', bids, ms: performance.now() - startedMs };
    });
  }

  /** Farms `points` jobs (x * 2 of 1..N) through the client tab, paying a point a job. */
  spend(points: number): Promise<void> {
    const jobs = Math.max(1, Math.floor(points));
    return this.run('spend', async () => {
      const startedMs = performance.now();
      const inputs = Array.from({ length: jobs }, (_, i) => i + 1);
      const result = await (await this.client()).submit({ code: DEMO_JOB_CODE, inputs });
      return { kind: 'spent', result, jobs, ms: performance.now() - startedMs };
    });
  }

  private async run(action: 'bids' | 'spend', work: () => Promise<DemoOutcome>): Promise<void> {
    if (this.busy) return;
    this.busy = action;
    this.outcome = undefined;
    this.emit();
    try {
      this.outcome = await work();
    } catch (error) {
      this.outcome = { kind: 'error', action: action === 'bids' ? 'Get bids' : 'Spend', message: error instanceof Error ? error.message : String(error) };
    } finally {
      this.busy = undefined;
      this.emit();
    }
  }

  /** The client tab's role once it has joined and knows a worker; opens the tab if needed. */
  private async client(): Promise<ClientRole> {
    if (!this.frames.some((frame) => frame.kind === 'client')) {
      this.frames = [...this.frames, this.frame('client', './submit.html?ephemeral')];
      this.emit();
    }
    const key = this.frames.find((frame) => frame.kind === 'client')!.key;
    const deadline = Date.now() + CLIENT_READY_MS;
    for (;;) {
      const role = this.windows.get(key)?.peerfarm as ClientRole | undefined;
      if (role && typeof role.submit === 'function' && role.state === 'joined' && role.workers.length > 0) return role;
      if (!this.frames.some((frame) => frame.key === key)) throw new Error('the demo was stopped');
      if (Date.now() > deadline) {
        throw new Error(role?.state === 'joined' ? 'the authority knows no listening worker: start the demo first' : 'the client tab did not join the authority in time');
      }
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    }
  }

  private frame(kind: DemoFrame['kind'], path: string): DemoFrame {
    const src = this.query ? `${path}&${this.query}` : path;
    return { key: `${kind}-${++this.serial}`, kind, src };
  }

  private emit(): void {
    this.dispatchEvent(new Event('change'));
  }
}
