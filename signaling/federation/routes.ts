// Which authority a remote peer last signaled us through. Clients are in no directory, yet a
// worker here must answer a client held elsewhere: its offer came through that authority, so the
// answer goes back the same way. Bounded and expiring, least recently used dropped first.

/** A WebRTC negotiation takes seconds; a route this old belongs to a link long made or given up. */
export const ROUTE_TTL_MS = 5 * 60_000;
/** Routes kept at most (about 100 bytes each). */
export const MAX_ROUTES = 20_000;

export class RouteCache {
  private readonly routes = new Map<string, { authorityId: string; expiresMs: number }>();

  constructor(private readonly clock: () => number, private readonly ttlMs = ROUTE_TTL_MS, private readonly max = MAX_ROUTES) {}

  get size(): number {
    return this.routes.size;
  }

  remember(peerId: string, authorityId: string): void {
    this.routes.delete(peerId);
    this.routes.set(peerId, { authorityId, expiresMs: this.clock() + this.ttlMs });
    if (this.routes.size > this.max) this.routes.delete(this.routes.keys().next().value!);
  }

  get(peerId: string): string | undefined {
    const route = this.routes.get(peerId);
    if (route === undefined) return undefined;
    if (route.expiresMs > this.clock()) return route.authorityId;
    this.routes.delete(peerId);
    return undefined;
  }

  forgetAuthority(authorityId: string): void {
    for (const [peerId, route] of this.routes) if (route.authorityId === authorityId) this.routes.delete(peerId);
  }
}
