// The authority's JSON API (docs/PROTOCOL.md, "HTTP API"): read-only views for pages and tests.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NetEvent } from '../src/protocol/events.ts';
import { MAX_EVENTS_PER_PAGE, type EventStore } from './event-store.ts';
import type { Ledger } from './ledger/ledger.ts';
import type { PeerRegistry } from './registry.ts';

export interface ApiDeps {
  readonly registry: PeerRegistry;
  readonly ledger: Ledger;
  readonly events: EventStore;
  readonly startedAtMs: number;
  readonly connections: () => number;
  readonly protocols: readonly string[];
  readonly clock: () => number;
}

type Route = (deps: ApiDeps, url: URL) => unknown;

const ROUTES: Record<string, Route> = {
  '/api/health': health,
  '/api/peers': peers,
  '/api/ledger': ledger,
  '/api/events': events,
};

/** The whole event store as a download: one JSON event per line. */
const NDJSON_PATH = '/api/events.ndjson';

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
  const inFlight = new Map<string, number>();
  for (const hold of deps.ledger.openHolds().holds) inFlight.set(hold.worker, (inFlight.get(hold.worker) ?? 0) + 1);
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
      ...(peer.role === 'worker' && {
        neighbours: peer.neighbours, jobs: deps.ledger.record(peer.id).jobs, inFlight: inFlight.get(peer.id) ?? 0,
      }),
    })),
  };
}

function events(deps: ApiDeps, url: URL) {
  const since = Number(url.searchParams.get('since') ?? 0);
  const limit = Number(url.searchParams.get('limit') ?? MAX_EVENTS_PER_PAGE);
  if (!Number.isFinite(since) || !Number.isInteger(limit) || limit < 1) {
    throw new ApiError(400, 'since must be a number (ms) and limit a whole number above 0');
  }
  return { events: deps.events.page(since, limit), stored: deps.events.size, dropped: deps.events.dropped };
}

class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Jobs in flight listed by /api/ledger at most; `inFlightTotal` counts them all. */
const IN_FLIGHT_LISTED = 200;

function ledger(deps: ApiDeps) {
  const { holds, total } = deps.ledger.openHolds(IN_FLIGHT_LISTED);
  return { totals: deps.ledger.totals(), leaderboard: deps.ledger.leaderboard(20), inFlight: holds, inFlightTotal: total };
}

/** Answers /api/* requests; returns false for any other path. */
export function handleApi(request: IncomingMessage, response: ServerResponse, deps: ApiDeps): boolean {
  const url = new URL(request.url ?? '/', 'http://authority');
  const path = url.pathname;
  if (!path.startsWith('/api/')) return false;
  const route = ROUTES[path];
  if (!route && path !== NDJSON_PATH) {
    sendJson(response, 404, { error: `no such API: ${path}; try ${[...Object.keys(ROUTES), NDJSON_PATH].join(', ')}` });
  } else if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    sendJson(response, 405, { error: `${request.method} is not allowed on ${path}; use GET` });
  } else if (!route) {
    sendNdjson(response, deps.events.all());
  } else {
    try {
      sendJson(response, 200, route(deps, url));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      sendJson(response, error.status, { error: error.message });
    }
  }
  return true;
}

function sendNdjson(response: ServerResponse, events: readonly NetEvent[]): void {
  response.writeHead(200, {
    'content-type': 'application/x-ndjson; charset=utf-8',
    'content-disposition': 'attachment; filename="peerfarm-events.ndjson"',
    'cache-control': 'no-store',
  });
  for (const event of events) response.write(`${JSON.stringify(event)}\n`);
  response.end();
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
