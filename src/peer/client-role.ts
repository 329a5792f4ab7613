// The client role of the submit page (`window.peerfarm` there): joins as a client, sees the
// listening workers, and asks the network for bids through one worker it picks at random.
import { openClient } from '../protocol/client.ts';
import { formatList } from '../protocol/format.ts';
import { bind, type Handler } from '../protocol/handler.ts';
import type { Identity } from '../protocol/identity.ts';
import { clientFromWorker1, workerFromClient1 } from '../protocol/protocols/index.ts';
import type { AuthorityConnection } from './authority-connection.ts';
import { decodeBids, type Bid } from './bids.ts';
import { Member, type MemberDeps } from './member.ts';
import { PeerLinks } from './peer-links.ts';
import { hopWaitMs } from './solicitations.ts';

/** Margin over the first hop's wait for the proffer to travel back. */
const PROFFER_MARGIN_MS = 3000;

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

  constructor(deps: MemberDeps) {
    super('client', deps);
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
        handler.sendWords(['solicit', '-job', formatList(Object.entries(jobSpec).flat()), '-token', token]);
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
    return { ...super.snapshot(), solicit: this.solicitState, bids: [...this.bids] };
  }

  protected override onJoined(connection: AuthorityConnection, _identity: Identity): void {
    this.links = new PeerLinks({
      authority: connection, options: this.options,
      admit: () => 'clients take no inbound links',
      onInbound: (link) => link.close('unexpected'),
    });
  }

  protected override onLeaving(): void {
    this.links?.stop();
    this.links = undefined;
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

  private async exchangeWith<T>(worker: string, run: (handler: Handler, replies: ProfferWaiter) => Promise<T>): Promise<T> {
    const replies = new ProfferWaiter();
    const link = await this.linksOrThrow().dial(worker);
    const handler = await openClient({
      link, sends: [workerFromClient1],
      bindings: [bind(clientFromWorker1, () => ({
        pong: () => undefined,
        proffer: ({ token, bids }) => replies.deliver(token, bids),
      }))],
    });
    try {
      return await run(handler, replies);
    } finally {
      handler.close('done');
    }
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

/** Matches proffers to the tokens waiting for them; a proffer nobody waits for is dropped. */
class ProfferWaiter {
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
