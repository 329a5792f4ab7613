// The worker overlay (DESIGN.md section 3, the original's peer-network machine): sample candidates
// from the authority's list, dial and ping them, keep the max_peer_connections lowest-RTT as
// outbound neighbours; inbound links count as neighbours too, capped. Rebuilt on every fresh peer
// list (filling free places), periodically (also replacing slow neighbours), and at once when a
// neighbour dies (the original never healed).
import type { Handler } from '../protocol/handler.ts';
import type { peerFromWorker1, workerFromPeer1 } from '../protocol/protocols/index.ts';

/** An overlay link in either direction: both speak ping, pong, solicit and proffer. */
export type OverlayHandler = Handler<typeof workerFromPeer1 | typeof peerFromWorker1>;
import { sample } from '../protocol/random.ts';

/** An overlay candidate that does not answer a ping within this is not kept. */
export const PING_TIMEOUT_MS = 5000;
/** A periodic rebuild replaces a neighbour only by one at least this much faster (avoids churn on noise). */
export const REPLACE_RTT_FACTOR = 0.5;
/** A peer that could not be dialed is not tried again for this long. */
export const DIAL_BACKOFF_MS = 30_000;
/**
 * A peer that turned our outbound link around is not turned around in its turn for this long: with
 * two workers one of them has no outbound neighbour, and without it the link flipped at every refresh.
 */
export const TURNAROUND_BACKOFF_MS = 10 * 60_000;

export const Direction = { outbound: 'outbound', inbound: 'inbound' } as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

export interface Neighbour {
  readonly id: string;
  readonly handler: OverlayHandler;
  readonly direction: Direction;
  rttMs: number | undefined;
}

export interface OverlayDeps {
  readonly selfId: string;
  /** Dials `id` and completes the overlay handshake as the declaring side. */
  readonly connect: (id: string) => Promise<OverlayHandler>;
  readonly maxOutbound: () => number;
  readonly random?: () => number;
  readonly onChange: (neighbours: readonly Neighbour[]) => void;
  readonly onGone: (id: string) => void;
}

export class Overlay {
  private readonly neighbours = new Map<string, Neighbour>();
  private readonly pings = new Map<string, () => void>();
  private readonly failedAt = new Map<string, number>();
  /** Peers that turned one of our outbound links around, and when. */
  private readonly turnedAroundAt = new Map<string, number>();
  private knownPeers: readonly string[] = [];
  private building: Promise<void> = Promise.resolve();
  private pingCounter = 0;
  private stopped = false;

  constructor(private readonly deps: OverlayDeps) {}

  get maxInbound(): number {
    return 2 * this.deps.maxOutbound();
  }

  list(): Neighbour[] {
    return [...this.neighbours.values()];
  }

  handlers(): Map<string, OverlayHandler> {
    return new Map([...this.neighbours].map(([id, neighbour]) => [id, neighbour.handler]));
  }

  count(direction: Direction): number {
    return this.list().filter((neighbour) => neighbour.direction === direction).length;
  }

  /** Why an inbound overlay link from `id` is refused, or undefined to accept it. */
  refusal(id: string): string | undefined {
    if (this.stopped) return 'not in the overlay';
    // A peer we dialed only dials us when it has dropped our link (or turned it around): accept.
    if (this.neighbours.get(id)?.direction === Direction.inbound) return 'already neighbours';
    if (this.count(Direction.inbound) >= this.maxInbound) return `inbound overlay links full (${this.maxInbound})`;
    return undefined;
  }

  addInbound(id: string, handler: OverlayHandler): void {
    const refusal = this.refusal(id);
    if (refusal) return handler.close(refusal);
    const replaced = this.neighbours.get(id);
    // The peer turned our link around, whether its new link came before or after the old one
    // closed (onClosed marks a dropped outbound link as failed): never turn it back, or the two
    // flip it at every peer-list refresh (measured: a new RTCPeerConnection a second on each side).
    const droppedOurs = replaced?.direction === Direction.outbound
      || Date.now() - (this.failedAt.get(id) ?? -Infinity) <= DIAL_BACKOFF_MS;
    if (droppedOurs) this.turnedAroundAt.set(id, Date.now());
    if (replaced) {
      this.neighbours.delete(id);
      replaced.handler.close('the peer opened a new link');
    }
    this.add({ id, handler, direction: Direction.inbound, rttMs: undefined });
  }

  /** A fresh peer list: fill free outbound places. */
  onPeers(peers: readonly string[]): Promise<void> {
    this.knownPeers = peers;
    return this.schedule(false);
  }

  /** The periodic rebuild: also probe new candidates and replace much slower neighbours. */
  rebuild(): Promise<void> {
    return this.schedule(true);
  }

  /** Sends `ping` and resolves with the round trip in ms, or undefined on timeout. */
  ping(handler: OverlayHandler): Promise<number | undefined> {
    const token = `p${++this.pingCounter}`;
    const started = performance.now();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pings.delete(token);
        resolve(undefined);
      }, PING_TIMEOUT_MS);
      this.pings.set(token, () => {
        clearTimeout(timer);
        resolve(performance.now() - started);
      });
      handler.send('ping', { token });
    });
  }

  onPong(token: string): void {
    const resolve = this.pings.get(token);
    this.pings.delete(token);
    resolve?.();
  }

  stop(): void {
    this.stopped = true;
    for (const neighbour of this.neighbours.values()) neighbour.handler.close('leaving the overlay');
    this.neighbours.clear();
  }

  private schedule(replace: boolean): Promise<void> {
    this.building = this.building.then(() => this.build(replace)).catch(() => undefined);
    return this.building;
  }

  private async build(replace: boolean): Promise<void> {
    if (this.stopped) return;
    const max = this.deps.maxOutbound();
    const free = max - this.count(Direction.outbound);
    const probes = replace ? Math.max(free, Math.ceil(max / 2)) : free;
    if (probes <= 0) return;
    const nowMs = Date.now();
    const pool = this.knownPeers.filter((id) => id !== this.deps.selfId && !this.neighbours.has(id)
      && nowMs - (this.failedAt.get(id) ?? -Infinity) > DIAL_BACKOFF_MS);
    const candidates = pool.length > 0 || this.count(Direction.outbound) > 0
      ? sample([...pool], Math.min(10 * max, pool.length), this.deps.random).slice(0, 2 * probes)
      : this.reverseOne();
    const measured = (await Promise.all(candidates.map((id) => this.probe(id)))).filter((n) => n !== undefined);
    measured.sort((a, b) => a.rttMs! - b.rttMs!);
    if (replace) await this.measureOutbound();
    for (const candidate of measured) this.place(candidate, max, replace);
    this.changed();
  }

  /**
   * A tab that joined first is dialed by every other tab and may be left with no candidate of its
   * own: it turns one inbound link around, so every worker keeps at least one neighbour it chose.
   */
  private reverseOne(): string[] {
    const nowMs = Date.now();
    const inbound = this.list().filter((n) => n.direction === Direction.inbound
      && nowMs - (this.turnedAroundAt.get(n.id) ?? -Infinity) > TURNAROUND_BACKOFF_MS);
    const chosen = sample(inbound, 1, this.deps.random)[0];
    if (!chosen) return [];
    this.turnedAroundAt.set(chosen.id, nowMs);
    this.neighbours.delete(chosen.id);
    chosen.handler.close('reversing the link: this side has no outbound neighbour');
    return [chosen.id];
  }

  private async probe(id: string): Promise<Neighbour | undefined> {
    try {
      const handler = await this.deps.connect(id);
      const rttMs = await this.ping(handler);
      if (rttMs === undefined) {
        handler.close('no pong');
        return undefined;
      }
      return { id, handler, direction: Direction.outbound, rttMs };
    } catch {
      this.failedAt.set(id, Date.now());
      return undefined;
    }
  }

  /** Keeps a probed candidate if there is a free place, or (when replacing) if it is much faster. */
  private place(candidate: Neighbour, max: number, replace: boolean): void {
    if (this.stopped || this.neighbours.has(candidate.id)) return candidate.handler.close('not needed');
    if (this.count(Direction.outbound) < max) return this.add(candidate);
    const slowest = this.list().filter((n) => n.direction === Direction.outbound)
      .sort((a, b) => (b.rttMs ?? Infinity) - (a.rttMs ?? Infinity))[0];
    if (replace && slowest && candidate.rttMs! < (slowest.rttMs ?? Infinity) * REPLACE_RTT_FACTOR) {
      slowest.handler.close('replaced by a faster neighbour');
      this.neighbours.delete(slowest.id);
      return this.add(candidate);
    }
    candidate.handler.close('not needed');
  }

  private async measureOutbound(): Promise<void> {
    const outbound = this.list().filter((n) => n.direction === Direction.outbound);
    await Promise.all(outbound.map(async (n) => {
      n.rttMs = await this.ping(n.handler);
    }));
  }

  private add(neighbour: Neighbour): void {
    this.neighbours.set(neighbour.id, neighbour);
    void neighbour.handler.closed.then(() => this.onClosed(neighbour));
    this.changed();
  }

  private onClosed(neighbour: Neighbour): void {
    if (this.neighbours.get(neighbour.id) !== neighbour) return;
    this.neighbours.delete(neighbour.id);
    this.deps.onGone(neighbour.id);
    this.changed();
    if (neighbour.direction !== Direction.outbound || this.stopped) return;
    // A neighbour that dropped us (or died) is not redialed at once: it may be reversing the link.
    this.failedAt.set(neighbour.id, Date.now());
    void this.schedule(false);
  }

  private changed(): void {
    this.deps.onChange(this.list());
  }
}
