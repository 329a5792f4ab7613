// The bid flood (DESIGN.md section 4): a solicit is answered with this worker's bid plus the bids
// of the neighbours it floods to, merged by worker, in one proffer upstream. Each hop adds itself
// to -path and itself and its recipients to -avoid, forwards while -path is shorter than
// peer_time_to_live, and waits (ttl - len(path) - 1) * 1000 + 3000 ms at most. Late proffers are ignored.
import { CommandError, ErrorCode } from '../protocol/errors.ts';
import type { OverlayHandler } from './overlay.ts';
import { decodeBids, encodeBid, mergeBids, type Bid } from './bids.ts';

/** A hop never waits less than this, however deep it is. */
const MIN_HOP_WAIT_MS = 1000;

export interface SolicitArgs {
  readonly job?: Record<string, string>;
  readonly path?: string[];
  readonly avoid?: string[];
  readonly token?: string;
}

export interface SolicitationsDeps {
  readonly selfId: string;
  /** Current overlay neighbours by peer id. */
  readonly neighbours: () => ReadonlyMap<string, OverlayHandler>;
  readonly ownBid: () => Bid;
  readonly ttl: () => number;
}

/** Answers a solicit where it came from (a neighbour, or a client on its link to this worker). */
export type Upstream = (token: string, bids: string[]) => void;

interface Solicitation {
  readonly upstream: Upstream;
  readonly upstreamToken: string;
  readonly jobKey: string;
  readonly waiting: Set<string>;
  readonly bids: Map<string, Bid>;
  readonly timer: ReturnType<typeof setTimeout>;
}

export function hopWaitMs(ttl: number, pathLength: number): number {
  return Math.max(MIN_HOP_WAIT_MS, (ttl - pathLength - 1) * 1000 + 3000);
}

export class Solicitations {
  private readonly pending = new Map<string, Solicitation>();
  private readonly activeJobs = new Set<string>();
  private counter = 0;

  constructor(private readonly deps: SolicitationsDeps) {}

  get size(): number {
    return this.pending.size;
  }

  /** Handles `solicit` arriving on `upstream` from peer `fromId` (a neighbour or a client). */
  onSolicit(args: SolicitArgs, upstream: Upstream, fromId: string): void {
    const token = args.token;
    if (!token) throw new CommandError(ErrorCode.WRONG_ARGS, 'solicit needs -token T to be answered');
    const { selfId } = this.deps;
    const path = args.path ?? [];
    const jobKey = args.job?.['id'] ?? `${fromId}/${token}`;
    // A loop, or the same job reaching us by a second route: our bid already travels the first one.
    if (path.includes(selfId) || this.activeJobs.has(jobKey)) return this.answer(upstream, token, []);
    const newPath = [...path, selfId];
    const avoid = new Set([...(args.avoid ?? []), selfId, fromId, ...path]);
    const recipients = newPath.length < this.deps.ttl()
      ? [...this.deps.neighbours()].filter(([id]) => !avoid.has(id)) : [];
    const myToken = `s${++this.counter}`;
    const solicitation: Solicitation = {
      upstream, upstreamToken: token, jobKey,
      waiting: new Set(recipients.map(([id]) => id)),
      bids: new Map(),
      timer: setTimeout(() => this.finish(myToken), hopWaitMs(this.deps.ttl(), path.length)),
    };
    this.pending.set(myToken, solicitation);
    this.activeJobs.add(jobKey);
    const newAvoid = [...avoid, ...recipients.map(([id]) => id)];
    for (const [, handler] of recipients) {
      handler.send('solicit', { job: args.job ?? {}, path: newPath, avoid: newAvoid, token: myToken });
    }
    if (recipients.length === 0) this.finish(myToken);
  }

  /** Handles `proffer` from neighbour `fromId`; ignored unless that neighbour still owes it. */
  onProffer(token: string, bids: readonly string[], fromId: string): void {
    const solicitation = this.pending.get(token);
    if (!solicitation?.waiting.delete(fromId)) return;
    mergeBids(solicitation.bids, decodeBids(bids));
    if (solicitation.waiting.size === 0) this.finish(token);
  }

  /** A neighbour that died owes nothing any more. */
  onNeighbourGone(id: string): void {
    for (const [token, solicitation] of this.pending) {
      if (solicitation.waiting.delete(id) && solicitation.waiting.size === 0) this.finish(token);
    }
  }

  stop(): void {
    for (const solicitation of this.pending.values()) clearTimeout(solicitation.timer);
    this.pending.clear();
    this.activeJobs.clear();
  }

  private finish(token: string): void {
    const solicitation = this.pending.get(token);
    if (!solicitation) return;
    clearTimeout(solicitation.timer);
    this.pending.delete(token);
    this.activeJobs.delete(solicitation.jobKey);
    mergeBids(solicitation.bids, [this.deps.ownBid()]);
    this.answer(solicitation.upstream, solicitation.upstreamToken, [...solicitation.bids.values()]);
  }

  private answer(upstream: Upstream, token: string, bids: Bid[]): void {
    upstream(token, bids.map(encodeBid));
  }
}
