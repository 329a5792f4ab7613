// The worker role of a tab (`window.peerfarm` on the worker page). It joins only when the person
// presses Join (or the page was opened with ?join); then it keeps overlay links to other workers,
// measures its speed (wonks) and answers solicits with bids.
import type { Identity } from '../protocol/identity.ts';
import type { AuthorityConnection } from './authority-connection.ts';
import type { Bid } from './bids.ts';
import { Member, type MemberDeps } from './member.ts';
import { Direction } from './overlay.ts';
import { UNKNOWN_WONKS } from './wonks.ts';
import { WorkerNetwork } from './worker-network.ts';

export interface WorkerRoleDeps extends MemberDeps {
  /** The wonks benchmark (a Web Worker in the page). */
  readonly measureWonks: () => Promise<number>;
  /** Job slots offered in bids. */
  readonly slots: number;
}

export class WorkerRole extends Member {
  wonks = UNKNOWN_WONKS;
  private network: WorkerNetwork | undefined;
  private wonksTimer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly workerDeps: WorkerRoleDeps) {
    super('worker', workerDeps);
  }

  /** Overlay neighbours with direction and last measured round trip. */
  get neighbours() {
    return (this.network?.neighbours ?? []).map(({ id, direction, rttMs }) => ({ id, direction, rttMs }));
  }

  bid(): Bid {
    return {
      id: this.id ?? '', slots: this.workerDeps.slots, price: Number(this.options.get('price_per_job')),
      wonks: this.wonks, jobs: 0, valid: 1,
    };
  }

  override snapshot() {
    const neighbours = this.neighbours;
    return {
      ...super.snapshot(),
      wonks: this.wonks,
      neighbours,
      outbound: neighbours.filter((n) => n.direction === Direction.outbound).map((n) => n.id),
      inbound: neighbours.filter((n) => n.direction === Direction.inbound).map((n) => n.id),
    };
  }

  protected override onJoined(connection: AuthorityConnection, _identity: Identity): void {
    this.network = new WorkerNetwork({
      authority: connection, options: this.options, ownBid: () => this.bid(), onChange: () => this.emitChange(),
    });
    void this.sampleWonks();
    this.wonksTimer = setInterval(() => void this.sampleWonks(), Number(this.options.get('wonks_time_between_checks')));
  }

  protected override onLeaving(): void {
    clearInterval(this.wonksTimer);
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
