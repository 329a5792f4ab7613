// The authority's registry of joined peers: who is here, in which role and state, and since when.
// The original never removed anyone; here a peer leaves on disconnect or after silence.
import type { Handler } from '../src/protocol/handler.ts';
import type {
  clientFromAuthority1, clientFromAuthority2, workerFromAuthority1, workerFromAuthority2,
} from '../src/protocol/protocols/index.ts';

/** A joined peer's link, typed by what the authority may send on every version of it. */
export type AuthorityLink = Handler<
  typeof workerFromAuthority1 | typeof workerFromAuthority2 | typeof clientFromAuthority1 | typeof clientFromAuthority2>;
import { sample } from '../src/protocol/random.ts';

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
  state: PeerState;
  neighbours: string[];
}

export class PeerRegistry {
  private readonly peers = new Map<string, PeerRecord>();

  get size(): number {
    return this.peers.size;
  }

  get(id: string): PeerRecord | undefined {
    return this.peers.get(id);
  }

  /** Registers a peer; a second join of the same id replaces the older link (a reloaded tab). */
  add(record: PeerRecord): PeerRecord | undefined {
    const previous = this.peers.get(record.id);
    this.peers.set(record.id, record);
    return previous;
  }

  /** Removes the peer only if `handler` is still its link, so a replaced link cannot remove its successor. */
  remove(id: string, handler: AuthorityLink): boolean {
    if (this.peers.get(id)?.handler !== handler) return false;
    return this.peers.delete(id);
  }

  list(): PeerRecord[] {
    return [...this.peers.values()];
  }

  /** Up to `max` listening workers other than `excludeId`, uniformly sampled without replacement. */
  sampleListening(max: number, excludeId: string | undefined, random: () => number): string[] {
    const ids: string[] = [];
    for (const peer of this.peers.values()) {
      if (peer.role === PeerRole.worker && peer.state === PeerState.listening && peer.id !== excludeId) ids.push(peer.id);
    }
    return sample(ids, max, random);
  }

  /** Peers whose link has been silent since before `cutoffMs`. */
  silentSince(cutoffMs: number): PeerRecord[] {
    return this.list().filter((peer) => peer.handler.lastFrameMs < cutoffMs);
  }
}
