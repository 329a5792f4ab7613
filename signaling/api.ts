// The authority's JSON API (docs/PROTOCOL.md, "HTTP API"): read-only views for pages and tests.
// Every answer is bounded: pages of events, a capped list of peers, the top of the ledger. The
// security headers are set by http.ts before a request gets here.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { streamNdjson, type Downloads } from './downloads.ts';
import { MAX_EVENTS_PER_PAGE, type EventStore } from './event-store.ts';
import type { LedgerStore } from './ledger/store.ts';
import { isRefusal, refusal, sendRefusal } from './refusal.ts';
import type { PeerRegistry } from './registry.ts';
import type { Target } from './request-target.ts';

export interface ApiDeps {
  readonly registry: PeerRegistry;
  readonly ledger: LedgerStore;
  readonly events: EventStore;
  readonly startedAtMs: number;
  readonly connections: () => number;
  readonly protocols: readonly string[];
  readonly clock: () => number;
  readonly downloads: Downloads;
  /** This authority's federation: its id and URL, and each authority it knows (signaling/federation). */
  readonly federation?: () => unknown;
}

type Route = (deps: ApiDeps, query: URLSearchParams) => unknown;

const ROUTES: Record<string, Route> = {
  '/api/health': health,
  '/api/peers': peers,
  '/api/ledger': ledger,
  '/api/events': events,
};

/** The whole event store as a download: one JSON event per line. */
export const NDJSON_PATH = '/api/events.ndjson';
export const API_PATHS: readonly string[] = [...Object.keys(ROUTES), NDJSON_PATH];
/** /api/peers lists at most this many peers (two ledger reads each); `total` counts them all. */
export const MAX_PEERS_LISTED = 1000;

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
    ...(deps.federation && { federation: deps.federation() }),
  };
}

async function peers(deps: ApiDeps) {
  const inFlight = new Map<string, number>();
  for (const hold of (await deps.ledger.openHolds()).holds) inFlight.set(hold.worker, (inFlight.get(hold.worker) ?? 0) + 1);
  const all = deps.registry.list();
  const listed = all.slice(0, MAX_PEERS_LISTED);
  // One read for the whole page: on PostgreSQL each read is a transaction of its own.
  const books = await deps.ledger.accounts(listed.map((peer) => ({ id: peer.id, worker: peer.role === 'worker' })));
  return {
    total: all.length,
    peers: listed.map((peer, i) => ({
      id: peer.id,
      role: peer.role,
      state: peer.state,
      address: peer.address,
      protocol: peer.handler.inbound?.name ?? null,
      joinedAt: peer.joinedAt,
      lastSeenAt: peer.handler.lastFrameMs,
      balance: books[i]!.balance,
      ...(peer.role === 'worker' && {
        neighbours: peer.neighbours, jobs: books[i]!.record!.jobs, inFlight: inFlight.get(peer.id) ?? 0,
      }),
    })),
  };
}

function events(deps: ApiDeps, query: URLSearchParams): unknown {
  const since = Number(query.get('since') ?? 0);
  const limit = Number(query.get('limit') ?? MAX_EVENTS_PER_PAGE);
  if (!Number.isFinite(since) || !Number.isInteger(limit) || limit < 1) {
    return refusal(400, 'since must be a number (ms) and limit a whole number above 0');
  }
  return {
    events: deps.events.page(since, limit), stored: deps.events.size, dropped: deps.events.dropped,
    unrecordedSignals: deps.events.unrecordedSignals,
  };
}

/** Jobs in flight listed by /api/ledger at most; `inFlightTotal` counts them all. */
const IN_FLIGHT_LISTED = 200;

async function ledger(deps: ApiDeps) {
  const [{ holds, total }, totals, leaderboard] = await Promise.all([
    deps.ledger.openHolds(IN_FLIGHT_LISTED), deps.ledger.totals(), deps.ledger.leaderboard(20)]);
  return { totals, leaderboard, inFlight: holds, inFlightTotal: total };
}

/** Answers a request whose path starts with /api/. */
export async function handleApi(request: IncomingMessage, response: ServerResponse, { path, query }: Target, deps: ApiDeps): Promise<void> {
  const route = ROUTES[path];
  if (!route && path !== NDJSON_PATH) {
    return sendRefusal(response, refusal(404, `no such API: ${path}; try ${API_PATHS.join(', ')}`), true);
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return sendRefusal(response, refusal(405, `${request.method} is not allowed on ${path}; use GET`, { allow: 'GET, HEAD' }), true);
  }
  if (route) {
    const body = await route(deps, query);
    return isRefusal(body) ? sendRefusal(response, body, true) : sendJson(response, 200, body);
  }
  await download(request, response, deps);
}

async function download(request: IncomingMessage, response: ServerResponse, deps: ApiDeps): Promise<void> {
  const release = deps.downloads.claim();
  if (isRefusal(release)) return sendRefusal(response, release, true);
  response.once('close', release);
  try {
    await streamNdjson(response, request.method === 'HEAD' ? [] : deps.events.all());
  } finally {
    release();
  }
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
