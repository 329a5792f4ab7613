// The client role of the submit page (`window.peerfarm` there): joins as a client, sees the
// listening workers, and asks the network for bids through one worker it picks at random.
import type { Identity } from '../protocol/identity.ts';
import type { AuthorityConnection } from './authority-connection.ts';
import { decodeBids, type Bid } from './bids.ts';
import { chooseBids } from './farm/choose-bids.ts';
import { checkSubmit, type SubmitRequest } from './farm/submit-request.ts';
import type { Runner } from './farm/job-service.ts';
import { retryable } from './job-errors.ts';
import { runLocalSeries } from './farm/local-series.ts';
import { Foreman, type SeriesResult, type WorkerLink, type WorkerReplies } from './farm/foreman.ts';
import { JobState } from './farm/job-queue.ts';
import { SeriesHandle, type SeriesStatus } from './farm/series-handle.ts';
import { openWorkerLink } from './farm/worker-link.ts';
import { Member, type MemberDeps } from './member.ts';
import { PeerLinks, type PeerLinksDeps } from './peer-links.ts';
import { PointsClient, type Balance, type HistoryEntry } from './points-client.ts';
import { hopWaitMs } from './solicitations.ts';
import { checkRequirements, unmet, type Requirements } from './capabilities.ts';
import type { BufferedJournal, SeriesStorage, StoredRequest, StoredResult, StoredSeries } from './farm/series-store.ts';
import { settleLeftovers } from './farm/payment-recovery.ts';
import { randomTag } from '../protocol/random.ts';
import type { SeriesSpec } from './farm/foreman.ts';

/** Margin over the first hop's wait for the proffer to travel back. */
const PROFFER_MARGIN_MS = 3000;

export const SeriesState = { idle: 'idle', bidding: 'bidding', farming: 'farming', done: 'done', failed: 'failed' } as const;
export type SeriesState = (typeof SeriesState)[keyof typeof SeriesState];

export interface ClientRoleDeps extends MemberDeps {
  /** This tab's own sandbox pool, for runLocally. */
  readonly createRunner: (threads: number) => Promise<Runner>;
  /** Where series are kept to be resumed after a reload (series-store.ts); none in ephemeral tabs. */
  readonly seriesStore?: SeriesStorage | undefined;
  /** The WebRTC implementation outside a browser (src/node/wrtc.ts); a page uses its own. */
  readonly wrtc?: PeerLinksDeps['wrtc'];
}

/** A kept series as `series()` lists it (its request stays in the store). */
export interface SavedSeries {
  readonly id: string;
  /** The job code's first comment line, or its first line. */
  readonly label: string;
  readonly created: number;
  readonly updated: number;
  readonly state: StoredSeries['state'];
  readonly total: number;
  readonly computed: number;
  readonly paid: number;
  readonly error?: string;
  /** Run by this tab now, or by another tab of this browser. */
  readonly running?: 'here' | 'elsewhere';
}

/** What a series needs to start: from a request, or read back from the store to resume. */
interface Plan {
  readonly spec: SeriesSpec;
  readonly request: StoredRequest & Pick<SubmitRequest, 'workers'>;
  readonly requires: Requirements | undefined;
  readonly resumed?: {
    readonly journal: BufferedJournal;
    readonly results: readonly StoredResult[];
    readonly unlock: () => Promise<void>;
  };
}

export const SolicitState = { idle: 'idle', soliciting: 'soliciting', done: 'done', failed: 'failed' } as const;
export type SolicitState = (typeof SolicitState)[keyof typeof SolicitState];

export class ClientRole extends Member {
  bids: readonly Bid[] = [];
  solicitState: SolicitState = SolicitState.idle;
  /** The worker the last solicit went through, and when it was sent and answered. */
  solicitedVia: string | undefined;
  solicitStartedAt: number | undefined;
  solicitDeadline: number | undefined;
  private links: PeerLinks | undefined;
  private counter = 0;
  /**
   * Names this tab's series apart from an earlier tab's of the same identity: a worker may still
   * hold the closed tab's `series-1` when the reopened tab starts its own.
   */
  private readonly tabTag = randomTag(4);

  private localRunner: Promise<Runner> | undefined;

  constructor(private readonly clientDeps: ClientRoleDeps) {
    super('client', clientDeps);
  }

  /**
   * Runs a series in this tab's own sandbox with `threads` workers and no network: the local
   * baseline of bench/farm, and a dry run of job code. Resolves with the results in input order.
   */
  async runLocally(request: Pick<SubmitRequest, 'code' | 'inputs' | 'group' | 'args' | 'timeoutMs'> & { threads: number }): Promise<unknown[]> {
    const spec = checkSubmit(request);
    const runner = await (this.localRunner ??= retryable(this.clientDeps.createRunner(request.threads), () => (this.localRunner = undefined)));
    runner.setThreads?.(request.threads);
    return runLocalSeries(runner, spec);
  }

  /** The series being farmed (or the last one), for the page's progress views. */
  foreman: Foreman | undefined;
  seriesState: SeriesState = SeriesState.idle;
  seriesResult: SeriesResult | undefined;
  seriesError: string | undefined;
  /** This client's points, as the authority last reported them. */
  balance: Balance | undefined;
  private points: PointsClient | undefined;
  private cancelled = false;

  /**
   * Farms a job series: asks for bids (unless `workers` names them), hires the best by value,
   * and resolves with `results[i]` for job i plus per-job and per-worker records. The handle
   * also streams results as they are decided, tells the status and cancels (series-handle.ts).
   */
  submit(request: SubmitRequest): SeriesHandle {
    return this.start(async () => {
      const spec = checkSubmit(request);
      return { spec, request, requires: checkRequirements(request.requires) };
    });
  }

  /**
   * Resumes a kept series that did not finish (closed tab, reload, every worker gone): what the
   * earlier tab owed is paid and its escrows released first, then only the undecided jobs run.
   * The handle streams the kept results first, then the new ones.
   */
  resume(id: string): SeriesHandle {
    return this.start(async () => {
      const store = this.storeOrThrow('resume');
      const unlock = await store.lock(id);
      try {
        const record = await store.get(id);
        if (!record) throw new Error(`resume: no series ${id} is kept in this browser`);
        if (record.state !== 'unfinished') throw new Error(`resume: series ${id} is ${record.state}`);
        const spec = checkSubmit(record.request);
        const results = await store.results(id);
        const journal = this.journalOf(store, record);
        return { spec, request: record.request, requires: checkRequirements(record.request.requires), resumed: { journal, results, unlock } };
      } catch (error) {
        await unlock();
        throw error;
      }
    });
  }

  /** The series kept in this browser, newest first (the submit page lists them). */
  async series(): Promise<SavedSeries[]> {
    await this.refreshSaved();
    return [...this.saved];
  }

  /** Kept series as last read (the page's snapshot); `series()` reads them again. */
  saved: readonly SavedSeries[] = [];

  /** Whether this tab keeps its series (not ephemeral, IndexedDB present). */
  get keepsSeries(): boolean {
    return this.clientDeps.seriesStore !== undefined;
  }

  /**
   * Cancels a kept series: the running one stops; an interrupted one has what its tab owed paid and
   * its escrows released, and is marked cancelled. Its results stay until it is deleted.
   */
  async cancelSaved(id: string): Promise<void> {
    if (this.runningId === id) return this.cancelSeries();
    await this.settleAndMark(id, 'cancelled');
  }

  /** Deletes a kept series and its results (an unfinished one is cancelled first). */
  async deleteSaved(id: string): Promise<void> {
    if (this.runningId === id) throw new Error('delete: the series is running on this page; cancel it first');
    const store = this.storeOrThrow('delete');
    const record = await store.get(id);
    if (record?.state === 'unfinished') await this.settleAndMark(id, 'cancelled');
    await store.delete(id);
    await this.refreshSaved();
  }

  /**
   * A kept series as far as it got, shaped like a finished one's result for the downloads: results
   * in input order, and `queued` for the jobs without one.
   */
  async savedResult(id: string): Promise<SeriesResult> {
    const store = this.storeOrThrow('results');
    const record = await store.get(id);
    if (!record) throw new Error(`results: no series ${id} is kept in this browser`);
    const results: unknown[] = new Array(record.total).fill(undefined);
    const jobs: SeriesResult['jobs'] = Array.from({ length: record.total }, (_, index) => ({ index, state: JobState.queued, failures: 0, reassigned: 0 }));
    for (const { index, text, worker } of await store.results(id)) {
      results[index] = JSON.parse(text) as unknown;
      jobs[index] = { index, state: JobState.done, failures: 0, reassigned: 0, doneBy: worker };
    }
    return { results, jobs, workers: [], paid: record.paid };
  }

  /** Re-reads the kept series into `saved`. */
  async refreshSaved(): Promise<void> {
    const store = this.clientDeps.seriesStore;
    if (!store) return;
    try {
      const [records, elsewhere] = await Promise.all([store.list(), store.runningElsewhere()]);
      this.saved = records.map((record) => summary(record, record.id === this.runningId ? 'here' : elsewhere.has(record.id) ? 'elsewhere' : undefined));
      this.emitChange();
    } catch (error) {
      this.error = `the kept series cannot be read: ${error instanceof Error ? error.message : String(error)}`;
      this.emitChange();
    }
  }

  /** The kept id of the series this tab runs now. */
  private runningId: string | undefined;
  /** The kept id of the series this client runs or ran last (the Node CLI names it for resume). */
  keptId: string | undefined;

  /** Bidders the last series left out for its requirements, and why (the submit page shows them). */
  leftOut: readonly { id: string; reason: string }[] = [];

  /** The handle of the series this page runs (or ran last). */
  private handle: SeriesHandle | undefined;

  /** Makes the handle of a series about to start from `plan`, and starts it. */
  private start(plan: () => Promise<Plan>): SeriesHandle {
    let total = 0;
    let foreman: Foreman | undefined;
    const handle: SeriesHandle = new SeriesHandle({
      status: () => seriesStatus(total, foreman),
      // Only this handle's own series: a refused submit must not cancel the one running.
      cancel: () => {
        if (this.handle === handle) this.cancelSeries();
      },
    });
    this.farm(plan, handle, (jobs) => (total = jobs), (started) => (foreman = started))
      .then((result) => handle.finish({ result }), (error: unknown) => handle.finish({ error }));
    return handle;
  }

  private async farm(plan: () => Promise<Plan>, handle: SeriesHandle, counted: (jobs: number) => void, started: (foreman: Foreman) => void): Promise<SeriesResult> {
    if (this.seriesState === SeriesState.bidding || this.seriesState === SeriesState.farming) {
      throw new Error('submit: a series is already running on this page');
    }
    this.handle = handle;
    this.foreman = undefined;
    this.seriesResult = undefined;
    this.seriesError = undefined;
    this.cancelled = false;
    this.keptId = undefined;
    let journal: BufferedJournal | undefined;
    let unlock: (() => Promise<void>) | undefined;
    try {
      const { spec, request, requires, resumed } = await plan();
      journal = resumed?.journal;
      unlock = resumed?.unlock;
      if (journal) this.runningId = this.keptId = journal.key;
      counted(spec.inputs.length);
      void this.refreshSaved();
      this.leftOut = [];
      this.setSeries(SeriesState.bidding);
      if (resumed) await this.settleLeftovers(journal!);
      const restored = resumed?.results ?? [];
      const hired = restored.length >= spec.inputs.length ? new Map<string, number>() : await this.hire(request, requires);
      if (this.cancelled) throw new Error('cancelled by the person');
      if (!journal) ({ journal, unlock } = await this.keep(request, spec.inputs.length));
      this.keptId = journal?.key;
      const foreman = new Foreman(spec, {
        connect: (worker, replies) => this.connectWorker(worker, replies),
        onChange: () => this.emitChange(),
        ...(this.points && { payments: this.points }),
        ...(journal && { journal }),
        record: (event) => this.events.record(event),
        onResult: (index, value, worker) => handle.push({ index, value, worker }),
        onLog: (line) => handle.log(line),
      }, `series-${this.tabTag}-${++this.counter}`);
      foreman.restore(restored);
      this.foreman = foreman;
      started(foreman);
      this.setSeries(SeriesState.farming);
      this.seriesResult = await foreman.run(hired);
      await journal?.finish('done');
      this.setSeries(SeriesState.done);
      return this.seriesResult;
    } catch (error) {
      this.seriesError = error instanceof Error ? error.message : String(error);
      // Stopped but not finished: kept as unfinished (resumable), unless the person cancelled it.
      await journal?.finish(this.cancelled ? 'cancelled' : 'unfinished', this.seriesError);
      this.setSeries(SeriesState.failed);
      throw error;
    } finally {
      this.runningId = undefined;
      await unlock?.();
      void this.refreshBalance();
      void this.refreshSaved();
    }
  }

  /** Keeps a new series in the store (when this tab has one) and takes its lock. */
  private async keep(request: SubmitRequest, total: number): Promise<{ journal?: BufferedJournal; unlock?: () => Promise<void> }> {
    const store = this.clientDeps.seriesStore;
    if (!store) return {};
    try {
      const record = await store.create(request, total);
      const unlock = await store.lock(record.id);
      this.runningId = record.id;
      void this.refreshSaved();
      return { journal: this.journalOf(store, record), unlock };
    } catch (error) {
      // No IndexedDB to spare (quota, private window): the series runs, but a reload would lose it.
      this.error = `the series is not kept, so a reload would lose it: ${error instanceof Error ? error.message : String(error)}`;
      return {};
    }
  }

  /** A journal whose failed writes the page shows: the series runs on, but a reload would lose them. */
  private journalOf(store: SeriesStorage, record: StoredSeries): BufferedJournal {
    return store.journal(record, (message) => {
      this.error = `the series could not be written to this browser's storage (${message}); a reload would lose its latest results`;
      this.emitChange();
    });
  }

  /** Pays what the tab that ran the series before owed (as it wrote down), and releases its escrows. */
  private async settleLeftovers(journal: BufferedJournal): Promise<void> {
    const { owed, escrows } = journal.record;
    if (owed.length === 0 && escrows.length === 0) return;
    if (!this.points) throw new Error(`resume: not joined (state ${this.state}); the series' payments need the authority`);
    await settleLeftovers(this.points, journal, [...owed], [...escrows]);
    await journal.flush();
  }

  /** Settles an interrupted kept series' payments and marks it `state`. */
  private async settleAndMark(id: string, state: 'cancelled'): Promise<void> {
    const store = this.storeOrThrow('cancel');
    const unlock = await store.lock(id);
    try {
      const record = await store.get(id);
      if (!record || record.state !== 'unfinished') return;
      const journal = this.journalOf(store, record);
      await this.settleLeftovers(journal);
      await journal.finish(state, record.error);
    } finally {
      await unlock();
      await this.refreshSaved();
    }
  }

  private storeOrThrow(verb: string): SeriesStorage {
    const store = this.clientDeps.seriesStore;
    if (!store) throw new Error(`${verb}: this tab keeps no series (it was opened with ?ephemeral, or the browser has no IndexedDB)`);
    return store;
  }

  /** The latest ledger entries of this client, newest first. */
  history(limit = 20): Promise<HistoryEntry[]> {
    if (!this.points) return Promise.reject(new Error(`history: not joined (state ${this.state})`));
    return this.points.history(limit);
  }

  /** Re-reads this client's points from the authority. */
  async refreshBalance(): Promise<void> {
    if (!this.points) return;
    try {
      this.balance = await this.points.balance();
      this.emitChange();
    } catch {
      // The authority link dropped; the balance is read again after the next join.
    }
  }

  /** Stops the running series; its promise rejects. */
  cancelSeries(): void {
    this.cancelled = true;
    this.foreman?.abort('cancelled by the person');
  }

  private setSeries(state: SeriesState): void {
    this.seriesState = state;
    this.emitChange();
  }

  private async hire(request: SubmitRequest, requires: Requirements | undefined): Promise<Map<string, number>> {
    const offered = request.workers ? this.bids.filter((bid) => request.workers!.includes(bid.id)) : await this.solicit();
    const bids: Bid[] = [];
    const leftOut: { id: string; reason: string }[] = [];
    for (const bid of offered) {
      const reason = unmet(bid, requires);
      if (reason === undefined) bids.push(bid);
      else leftOut.push({ id: bid.id, reason });
    }
    this.leftOut = leftOut;
    this.emitChange();
    if (offered.length > 0 && bids.length === 0) throw new Error(`submit: no worker meets the series' requirements: ${leftOutSummary(this.leftOut)}`);
    const filters = { ...(request.maxPrice !== undefined && { maxPrice: request.maxPrice }), ...(request.minValid !== undefined && { minValid: request.minValid }) };
    const chosen = chooseBids(bids, filters);
    const redundancy = request.redundancy ?? 1;
    if (chosen.length === 0) throw new Error(`submit: no bid fits (${bids.length} bids${request.maxPrice !== undefined ? `, max price ${request.maxPrice}` : ''})`);
    if (chosen.length < redundancy) throw new Error(`submit: redundancy ${redundancy} needs ${redundancy} workers; only ${chosen.length} can be hired`);
    return new Map(chosen.map((bid) => [bid.id, bid.price]));
  }

  /** The workers this client could farm to. */
  get workers(): readonly string[] {
    return this.peers;
  }

  /** Asks the network for bids on `job`; resolves with every bid that came back in time. */
  async solicit(job: Record<string, string> = {}): Promise<Bid[]> {
    const worker = this.pickWorker();
    const token = `c${++this.counter}`;
    const waitMs = hopWaitMs(Number(this.options.get('peer_time_to_live')), 0) + PROFFER_MARGIN_MS;
    this.setSolicit(SolicitState.soliciting, worker, waitMs);
    try {
      const bids = await this.exchangeWith(worker, async (handler, replies) => {
        const jobSpec = { id: `${this.id}-${token}`, ...job };
        handler.send('solicit', { job: jobSpec, token });
        return decodeBids(await replies.proffer(token, waitMs));
      });
      this.bids = bids;
      this.setSolicit(SolicitState.done, worker, undefined);
      return bids;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
      this.setSolicit(SolicitState.failed, worker, undefined);
      throw error;
    }
  }

  /**
   * Diagnostic: opens a client link to `worker`, sends raw `frames` after the handshake and
   * returns every frame received within `waitMs`. Tests use it to send garbage to a worker.
   */
  async exchange(worker: string, frames: readonly string[], waitMs = 1000): Promise<string[]> {
    return this.exchangeWith(worker, async (handler) => {
      const received: string[] = [];
      const { link } = handler;
      const dispatch = link.onframe!;
      link.onframe = (frame) => {
        received.push(frame);
        dispatch(frame);
      };
      for (const frame of frames) link.send(frame);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      return received;
    });
  }

  override snapshot() {
    return {
      ...super.snapshot(), solicit: this.solicitState, bids: [...this.bids],
      series: this.seriesState, seriesError: this.seriesError, balance: this.balance, saved: [...this.saved],
    };
  }

  protected override onJoined(connection: AuthorityConnection, identity: Identity): void {
    this.points = new PointsClient(connection, identity);
    void this.refreshBalance();
    void this.refreshSaved();
    this.links = new PeerLinks({
      authority: connection, options: this.options,
      admit: () => 'clients take no inbound links',
      onInbound: (link) => link.close('unexpected'),
      wrtc: this.clientDeps.wrtc,
    });
  }

  protected override onLeaving(): void {
    this.links?.stop();
    this.links = undefined;
    this.points?.stop();
    this.points = undefined;
  }

  private pickWorker(): string {
    const workers = this.workers;
    if (this.state !== 'joined') throw new Error(`solicit: not joined (state ${this.state})`);
    if (workers.length === 0) throw new Error('solicit: the authority knows no listening worker yet');
    return workers[Math.floor(Math.random() * workers.length)]!;
  }

  private linksOrThrow(): PeerLinks {
    if (!this.links) throw new Error(`not joined (state ${this.state})`);
    return this.links;
  }

  private async exchangeWith<T>(worker: string, run: (handler: WorkerLink, replies: ProfferWaiter) => Promise<T>): Promise<T> {
    const replies = new ProfferWaiter();
    const handler = await this.connectWorker(worker, IGNORE_SERIES, replies);
    try {
      return await run(handler, replies);
    } finally {
      handler.close('done');
    }
  }

  /** Dials `worker` and completes the client handshake; series traffic goes to `series`. */
  protected async connectWorker(worker: string, series: WorkerReplies, proffers = new ProfferWaiter()): Promise<WorkerLink> {
    const link = await this.linksOrThrow().dial(worker);
    return openWorkerLink(link, series, { onProffer: (token, bids) => proffers.deliver(token, bids), log: this.events.sink });
  }

  private setSolicit(state: SolicitState, worker: string, waitMs: number | undefined): void {
    this.solicitState = state;
    this.solicitedVia = worker;
    if (waitMs !== undefined) {
      this.solicitStartedAt = Date.now();
      this.solicitDeadline = this.solicitStartedAt + waitMs;
    }
    this.emitChange();
  }
}

/** Series traffic on a link opened only for bids: a worker has no reason to send any. */
const IGNORE_SERIES: WorkerReplies = {
  key: async () => undefined, pull: () => undefined, progress: () => undefined, result: async () => undefined, results: async () => undefined,
  failed: () => undefined, log: () => undefined,
};

/** Matches proffers to the tokens waiting for them; a proffer nobody waits for is dropped. */
export class ProfferWaiter {
  private readonly waiting = new Map<string, (bids: string[]) => void>();

  proffer(token: string, timeoutMs: number): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(token);
        reject(new Error(`no proffer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(token, (bids) => {
        clearTimeout(timer);
        resolve(bids);
      });
    });
  }

  deliver(token: string, bids: string[]): void {
    const resolve = this.waiting.get(token);
    this.waiting.delete(token);
    resolve?.(bids);
  }
}

/** A series' progress for its handle: all queued until its foreman starts. */
function seriesStatus(total: number, foreman: Foreman | undefined): SeriesStatus {
  if (!foreman) return { total, distributed: 0, computed: 0, failed: 0 };
  const { queue } = foreman;
  return {
    total,
    distributed: total - queue.count(JobState.queued),
    computed: queue.count(JobState.done),
    failed: queue.count(JobState.poisoned),
  };
}

/** "no webgpu (3 workers), 2 slots, needs 4 (1 worker)": the reasons bidders were left out, counted. */
function leftOutSummary(leftOut: readonly { reason: string }[]): string {
  const counts = new Map<string, number>();
  for (const { reason } of leftOut) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${reason} (${n} ${n === 1 ? 'worker' : 'workers'})`).join(', ');
}

/** A kept series as `series()` lists it (the Node CLI's `status` too). */
export function summary(record: StoredSeries, running: SavedSeries['running']): SavedSeries {
  return {
    id: record.id, label: codeLabel(record.request.code), created: record.created, updated: record.updated, state: record.state,
    total: record.total, computed: record.computed, paid: record.paid,
    ...(record.error !== undefined && { error: record.error }), ...(running && { running }),
  };
}

/** A line that names a series in the list: the code's first comment, else its first line. */
function codeLabel(code: string): string {
  const lines = code.split('\n').map((line) => line.trim()).filter(Boolean);
  const comment = lines.find((line) => line.startsWith('//'));
  return (comment?.replace(/^\/\/\s*/, '') ?? lines[0] ?? 'series').slice(0, 80);
}
