// The authority's registry of joined peers: who is here, in which role and state, and since when.
// The original never removed anyone; here a peer leaves on disconnect or after silence.
import type { Handler } from '../src/protocol/handler.ts';
import type {
  clientFromAuthority1, clientFromAuthority2, workerFromAuthority1, workerFromAuthority2,
} from '../src/protocol/protocols/index.ts';

/** A joined peer's link, typed by what the authority may send on every version of it. */
export type AuthorityLink = Handler<
  typeof workerFromAuthority1 | typeof workerFromAuthority2 | typeof clientFromAuthority1 | typeof clientFromAuthority2>;

export const PeerRole = { worker: 'worker', client: 'client' } as const;
export type PeerRole = (typeof PeerRole)[keyof typeof PeerRole];

export const PeerState = { joined: 'joined', listening: 'listening' } as const;
export type PeerState = (typeof PeerState)[keyof typeof PeerState];

export interface PeerRecord {
  readonly id: string;
  readonly role: PeerRole;
  readonly handler: AuthorityLink;
  readonly address: string;
  readonly joinedAt: number;
  /** Changed by the registry only (`listen`), which keeps its index of listening workers with it. */
  readonly state: PeerState;
  neighbours: string[];
}

/**
 * Joined peers by id, and the listening workers in an array as well, so that a `peers`/`workers`
 * sample costs O(k) and not a walk over every peer (at 10,000 peers asking once a minute, the walk
 * was the authority's largest cost: docs/BENCHMARKS.md, authority-load). A worker leaves the array
 * by a swap with its last element; `listeningAt` keeps each one's place.
 */
export class PeerRegistry {
  private readonly peers = new Map<string, PeerRecord>();
  private readonly listening: PeerRecord[] = [];
  private readonly listeningAt = new Map<string, number>();

  get size(): number {
    return this.peers.size;
  }

  /** Listening workers (those `peers` and `workers` replies are sampled from). */
  get listeningCount(): number {
    return this.listening.length;
  }

  get(id: string): PeerRecord | undefined {
    return this.peers.get(id);
  }

  /** Registers a peer; a second join of the same id replaces the older link (a reloaded tab). */
  add(record: PeerRecord): PeerRecord | undefined {
    const previous = this.peers.get(record.id);
    if (previous) this.unlist(previous.id);
    this.peers.set(record.id, record);
    if (isListeningWorker(record)) this.index(record);
    return previous;
  }

  /** Removes the peer only if `handler` is still its link, so a replaced link cannot remove its successor. */
  remove(id: string, handler: AuthorityLink): boolean {
    if (this.peers.get(id)?.handler !== handler) return false;
    this.unlist(id);
    return this.peers.delete(id);
  }

  /** The peer now takes links: a worker is listed in samples from now on. A replaced record is left alone. */
  listen(record: PeerRecord): void {
    if (this.peers.get(record.id) !== record) return;
    (record as { state: PeerState }).state = PeerState.listening;
    if (isListeningWorker(record) && !this.listeningAt.has(record.id)) this.index(record);
  }

  list(): PeerRecord[] {
    return [...this.peers.values()];
  }

  /**
   * Up to `max` listening workers other than `excludeId`, uniformly sampled without replacement:
   * a partial Fisher-Yates shuffle over the listening array that records its swaps in a small map
   * instead of making them, so a sample costs O(max) and leaves the array as it was.
   */
  sampleListening(max: number, excludeId: string | undefined, random: () => number): string[] {
    const swapped = new Map<number, number>();
    let size = this.listening.length;
    const excluded = excludeId === undefined ? undefined : this.listeningAt.get(excludeId);
    if (excluded !== undefined) {
      size -= 1;
      if (excluded !== size) swapped.set(excluded, size);
    }
    const count = Math.max(0, Math.min(max, size));
    const ids = new Array<string>(count);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(random() * (size - i));
      const picked = swapped.get(j) ?? j;
      swapped.set(j, swapped.get(i) ?? i);
      ids[i] = this.listening[picked]!.id;
    }
    return ids;
  }

  /** Peers whose link has been silent since before `cutoffMs`. */
  silentSince(cutoffMs: number): PeerRecord[] {
    return this.list().filter((peer) => peer.handler.lastFrameMs < cutoffMs);
  }

  private index(record: PeerRecord): void {
    this.listeningAt.set(record.id, this.listening.length);
    this.listening.push(record);
  }

  private unlist(id: string): void {
    const at = this.listeningAt.get(id);
    if (at === undefined) return;
    const last = this.listening.pop()!;
    if (last.id !== id) {
      this.listening[at] = last;
      this.listeningAt.set(last.id, at);
    }
    this.listeningAt.delete(id);
  }
}

function isListeningWorker(record: PeerRecord): boolean {
  return record.role === PeerRole.worker && record.state === PeerState.listening;
}
