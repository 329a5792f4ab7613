// The listening workers other authorities hold, as each last sampled them for us: one list per
// authority, replaced whole by its next `directory`, dropped when it ages out or its link dies.
import { sample } from '../../src/protocol/random.ts';

interface Listing {
  readonly ids: readonly string[];
  readonly receivedMs: number;
}

export class RemoteDirectory {
  private readonly listings = new Map<string, Listing>();
  /** Every listed id once, for O(k) samples; rebuilt on change (a few times a second at most). */
  private pool: string[] = [];
  private holders = new Map<string, string>();

  constructor(private readonly ttlMs: number, private readonly clock: () => number) {}

  get size(): number {
    return this.pool.length;
  }

  replace(authorityId: string, ids: readonly string[]): void {
    this.listings.set(authorityId, { ids, receivedMs: this.clock() });
    this.rebuild();
  }

  drop(authorityId: string): void {
    if (this.listings.delete(authorityId)) this.rebuild();
  }

  /** Drops listings not renewed within the TTL: their authority has stopped telling us. */
  expire(): void {
    const cutoffMs = this.clock() - this.ttlMs;
    let changed = false;
    for (const [id, listing] of this.listings) {
      if (listing.receivedMs < cutoffMs) changed = this.listings.delete(id);
    }
    if (changed) this.rebuild();
  }

  /** The authority that listed `peerId`, if any did. */
  holder(peerId: string): string | undefined {
    return this.holders.get(peerId);
  }

  count(authorityId: string): number {
    return this.listings.get(authorityId)?.ids.length ?? 0;
  }

  sample(max: number, random: () => number): string[] {
    return sample(this.pool, max, random);
  }

  private rebuild(): void {
    this.holders = new Map();
    for (const [authorityId, { ids }] of this.listings) for (const id of ids) this.holders.set(id, authorityId);
    this.pool = [...this.holders.keys()];
  }
}

/**
 * How many of `max` draws over `local + remote` items fall on the local ones, as a uniform sample
 * without replacement of the union would have it, so a big remote directory is not favoured over
 * a few local workers or the other way round.
 */
export function localShare(local: number, remote: number, max: number, random: () => number): number {
  let [leftLocal, leftRemote, picked] = [local, remote, 0];
  for (let draw = Math.min(max, local + remote); draw > 0; draw--) {
    if (random() * (leftLocal + leftRemote) < leftLocal) {
      leftLocal--;
      picked++;
    } else {
      leftRemote--;
    }
  }
  return picked;
}
