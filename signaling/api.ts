// The authority's JSON API (docs/PROTOCOL.md, "HTTP API"): read-only views for pages and tests.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Ledger } from './ledger/ledger.ts';
import type { PeerRegistry } from './registry.ts';

export interface ApiDeps {
  readonly registry: PeerRegistry;
  readonly ledger: Ledger;
  readonly startedAtMs: number;
  readonly connections: () => number;
  readonly protocols: readonly string[];
  readonly clock: () => number;
}

type Route = (deps: ApiDeps) => unknown;

const ROUTES: Record<string, Route> = {
  '/api/health': health,
  '/api/peers': peers,
  '/api/ledger': ledger,
};

export const API_VERSION = 1;

function health(deps: ApiDeps) {
  const all = deps.registry.list();
  return {
    ok: true,
    api: API_VERSION,
    uptimeS: Math.round((deps.clock() - deps.startedAtMs) / 1000),
    connections: deps.connections(),
    peers: {
      workers: all.filter((peer) => peer.role === 'worker').length,
      clients: all.filter((peer) => peer.role === 'client').length,
    },
    protocols: deps.protocols,
  };
}

function peers(deps: ApiDeps) {
  return {
    peers: deps.registry.list().map((peer) => ({
      id: peer.id,
      role: peer.role,
      state: peer.state,
      address: peer.address,
      protocol: peer.handler.inbound?.name ?? null,
      joinedAt: peer.joinedAt,
      lastSeenAt: peer.handler.lastFrameMs,
      balance: deps.ledger.balance(peer.id) ?? 0,
      ...(peer.role === 'worker' && { neighbours: peer.neighbours }),
    })),
  };
}

function ledger(deps: ApiDeps) {
  return { totals: deps.ledger.totals(), leaderboard: deps.ledger.leaderboard(20) };
}

/** Answers /api/* requests; returns false for any other path. */
export function handleApi(request: IncomingMessage, response: ServerResponse, deps: ApiDeps): boolean {
  const path = new URL(request.url ?? '/', 'http://authority').pathname;
  if (!path.startsWith('/api/')) return false;
  const route = ROUTES[path];
  if (!route) {
    sendJson(response, 404, { error: `no such API: ${path}; try ${Object.keys(ROUTES).join(', ')}` });
  } else if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    sendJson(response, 405, { error: `${request.method} is not allowed on ${path}; use GET` });
  } else {
    sendJson(response, 200, route(deps));
  }
  return true;
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
