// The worker role of a tab (`window.peerfarm` on the worker page). It joins only when the person
// presses Join (or the page was opened with ?join); then it keeps overlay links to other workers,
// measures its speed (wonks) and answers solicits with bids.
import type { Identity } from '../protocol/identity.ts';
import type { AuthorityConnection } from './authority-connection.ts';
import type { Bid } from './bids.ts';
import type { Capability } from './capabilities.ts';
import { Member, type MemberDeps } from './member.ts';
import { PointsClient, type Balance, type HistoryEntry, type PointsRecord } from './points-client.ts';
import { Direction } from './overlay.ts';
import { UNKNOWN_WONKS } from './wonks.ts';
import { WorkerNetwork } from './worker-network.ts';
import { JobService, type Runner } from './farm/job-service.ts';
import { retryable } from './job-errors.ts';

export interface WorkerRoleDeps extends MemberDeps {
  /** The wonks benchmark (a Web Worker in the page). */
  readonly measureWonks: () => Promise<number>;
  /** Job slots offered in bids. */
  readonly slots: number;
  /** The sandboxed job runner (src/peer/job-runner.ts), made when the first job arrives. */
  readonly createRunner: (threads: number) => Promise<Runner>;
  /** What this tab offers job code beyond the baseline, advertised in bids (capabilities.ts); none by default. */
  readonly probeCapabilities?: () => Promise<Capability[]>;
}

export class WorkerRole extends Member {
  wonks = UNKNOWN_WONKS;
  /** Capabilities offered in bids, once probed. */
  caps: readonly Capability[] = [];
  paused = false;
  /** Points and record as the authority last reported them. */
  balance: Balance | undefined;
  record: PointsRecord | undefined;
  private points: PointsClient | undefined;
  private pointsTimer: ReturnType<typeof setInterval> | undefined;
  threads: number;
  cpuLimit = 100;
  readonly jobs: JobService;
  private network: WorkerNetwork | undefined;
  private runner: Promise<Runner> | undefined;
  private wonksTimer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly workerDeps: WorkerRoleDeps) {
    super('worker', workerDeps);
    this.threads = workerDeps.slots;
    this.jobs = new JobService({
      runner: () => (this.runner ??= retryable(workerDeps.createRunner(this.threads), () => (this.runner = undefined))),
      slots: () => this.threads,
      paused: () => this.paused,
      cpuShare: () => this.cpuLimit / 100,
      onChange: () => this.emitChange(),
      identity: () => this.identity,
    });
    void workerDeps.probeCapabilities?.().then((caps) => {
      this.caps = caps;
      this.emitChange();
    }, () => undefined);
  }

  /** Stops taking new jobs (running ones finish); bids offer no slot while paused. */
  pause(): void {
    this.paused = true;
    this.emitChange();
  }

  resume(): void {
    this.paused = false;
    this.jobs.pullAll();
    this.emitChange();
  }

  /** The most threads setThreads takes: the slots the page was opened with. */
  get maxThreads(): number {
    return this.workerDeps.slots;
  }

  /** Worker threads, 1..maxThreads; a running job is never cut short. */
  setThreads(threads: number): void {
    if (!Number.isInteger(threads) || threads < 1 || threads > this.workerDeps.slots) {
      throw new RangeError(`setThreads: threads must be a whole number from 1 to ${this.workerDeps.slots}, got ${threads}`);
    }
    this.threads = threads;
    void this.runner?.then((runner) => runner.setThreads?.(threads));
    this.jobs.pullAll();
    this.emitChange();
  }

  /** Share of CPU time jobs may use, in percent (10..100). */
  setCpuLimit(percent: number): void {
    if (!Number.isFinite(percent) || percent < 10 || percent > 100) {
      throw new RangeError(`setCpuLimit: percent must be from 10 to 100, got ${percent}`);
    }
    this.cpuLimit = percent;
    this.emitChange();
  }

  /** Overlay neighbours with direction and last measured round trip. */
  get neighbours() {
    return (this.network?.neighbours ?? []).map(({ id, direction, rttMs }) => ({ id, direction, rttMs }));
  }

  bid(): Bid {
    return {
      id: this.id ?? '', slots: this.paused ? 0 : this.threads, price: Number(this.options.get('price_per_job')),
      wonks: this.wonks, jobs: this.record?.jobs ?? 0, valid: this.record?.recent ?? 1, caps: this.caps,
    };
  }

  override snapshot() {
    const neighbours = this.neighbours;
    const base = super.snapshot();
    return {
      ...base,
      // The worker's lifecycle: idle | joining | joined | paused (DESIGN.md, STYLE.md lesson 8).
      workerState: base.state === 'joined' && this.paused ? 'paused' as const : base.state,
      paused: this.paused, threads: this.threads, cpuLimit: this.cpuLimit,
      earned: this.jobs.earned, balance: this.balance, record: this.record,
      jobs: this.jobs.jobs.map((job) => ({ ...job })),
      wonks: this.wonks,
      neighbours,
      outbound: neighbours.filter((n) => n.direction === Direction.outbound).map((n) => n.id),
      inbound: neighbours.filter((n) => n.direction === Direction.inbound).map((n) => n.id),
    };
  }

  /** The latest ledger entries of this worker, newest first. */
  history(limit = 20): Promise<HistoryEntry[]> {
    if (!this.points) return Promise.reject(new Error(`history: not joined (state ${this.state})`));
    return this.points.history(limit);
  }

  /** Re-reads balance and record (the record goes into bids). */
  async refreshPoints(): Promise<void> {
    const points = this.points;
    if (!points) return;
    try {
      [this.balance, this.record] = await Promise.all([points.balance(), points.record()]);
      this.emitChange();
    } catch {
      // A /1 authority link has no points commands, or the link dropped: bids keep the last record.
    }
  }

  protected override onJoined(connection: AuthorityConnection, identity: Identity): void {
    this.points = new PointsClient(connection, identity);
    void this.refreshPoints();
    this.pointsTimer = setInterval(() => void this.refreshPoints(), Number(this.options.get('time_between_authority_checks')));
    this.network = new WorkerNetwork({
      authority: connection, options: this.options, ownBid: () => this.bid(), jobs: this.jobs, events: this.events,
      onChange: () => this.emitChange(),
    });
    void this.sampleWonks();
    this.wonksTimer = setInterval(() => void this.sampleWonks(), Number(this.options.get('wonks_time_between_checks')));
  }

  protected override onLeaving(): void {
    clearInterval(this.wonksTimer);
    clearInterval(this.pointsTimer);
    this.points?.stop();
    this.points = undefined;
    this.jobs.stop();
    this.network?.stop();
    this.network = undefined;
  }

  private async sampleWonks(): Promise<void> {
    try {
      this.wonks = await this.workerDeps.measureWonks();
      this.emitChange();
    } catch (error) {
      console.warn('peerfarm: wonks benchmark failed:', error);
    }
  }
}
