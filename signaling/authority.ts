// The authority: one Node process serving the pages, the WebSocket endpoint, the registry,
// the signaling relay and the ledger. `startAuthority` returns {address, url, close}.
import type { AddressInfo } from 'node:net';
import type { Handler } from '../src/protocol/handler.ts';
import { createRegistry } from '../src/protocol/protocols/index.ts';
import { Server } from '../src/protocol/server.ts';
import { isLoopback, type AuthorityConfig } from './config.ts';
import { createHttpServer } from './http.ts';
import { openLedger, type LedgerDatabase } from './ledger/database.ts';
import { Ledger } from './ledger/ledger.ts';
import { PointsDesk } from './points.ts';
import { EventStore } from './event-store.ts';
import { fromLogEvent } from '../src/protocol/events.ts';
import { PeerRegistry } from './registry.ts';
import { authorityBindings, type PeerSession } from './session.ts';
import { attachWebSockets, WS_PATH } from './websocket.ts';
import { SANDBOX_PATH } from '../workers/sandbox/sandbox-csp.ts';

/** How often silent peers and unfinished joins are looked for. */
const SWEEP_INTERVAL_MS = 1000;
/** A link must answer the challenge this soon, or it only holds a connection slot. */
export const JOIN_TIMEOUT_MS = 15_000;
/** Default period of a peer's `peers`/`workers` refresh (the original's time_between_authority_checks). */
const AUTHORITY_CHECK_MS = 60_000;

export interface Authority {
  readonly host: string;
  readonly port: number;
  /** http://host:port */
  readonly url: string;
  /** ws://host:port/ws */
  readonly wsUrl: string;
  readonly registry: PeerRegistry;
  readonly ledger: LedgerDatabase;
  readonly points: Ledger;
  readonly events: EventStore;
  close(): Promise<void>;
}

export class StartError extends Error {
  override readonly name = 'StartError';
}

export async function startAuthority(config: AuthorityConfig, clock: () => number = Date.now): Promise<Authority> {
  const ledger = openLedger(config.dataDir);
  const points = new Ledger({ db: ledger, clock, options: { grantPoints: config.grantPoints, grantsPerIpPerDay: config.grantsPerIpPerDay } });
  const desk = new PointsDesk(points, clock);
  const events = new EventStore();
  const registry = new PeerRegistry();
  const sessions = new Map<Handler, PeerSession>();
  const protocols = createRegistry();
  const pushedOptions = () => ({
    time_between_authority_checks: String(AUTHORITY_CHECK_MS),
    max_peer_connections: '4',
    heartbeat_interval_ms: String(Math.floor(config.peerExpiryMs / 3)),
    ice_loopback_only: isLoopback(config.host) ? '1' : '0',
    ice_servers: '',
    ...(config.sandboxOrigin === undefined ? {} : { sandbox_url: `${config.sandboxOrigin}${SANDBOX_PATH}` }),
    ...config.options,
  });
  const bindings = authorityBindings(sessions, { registry, clock, random: Math.random, pushedOptions, points: desk, events });
  const server = new Server({
    registry: protocols,
    bindings,
    clock,
    log: (event) => {
      if (!event.text.startsWith('log ')) events.add(fromLogEvent('authority', event));
    },
    onProtocol: (handler) => sessions.get(handler)?.greet(),
    onDisconnect: (handler) => {
      sessions.get(handler)?.leave();
      sessions.delete(handler);
    },
  });
  const http = createHttpServer(config.distDir, {
    registry, clock, ledger: points, events, startedAtMs: clock(),
    connections: () => server.handlers.size,
    protocols: bindings.map((binding) => binding.spec.name),
  });
  const wss = attachWebSockets(http, server, config.maxConnections);
  await listen(http, config.host, config.port);
  const sweeper = setInterval(() => {
    sweep(server.handlers, sessions, config.peerExpiryMs, clock());
    points.expire();
  }, SWEEP_INTERVAL_MS);
  const port = (http.address() as AddressInfo).port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    host: config.host,
    port,
    url: `http://${hostForUrl}:${port}`,
    wsUrl: `ws://${hostForUrl}:${port}${WS_PATH}`,
    registry,
    ledger,
    points,
    events,
    close: async () => {
      clearInterval(sweeper);
      server.close('authority shutting down');
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      ledger.close();
    },
  };
}

function sweep(handlers: ReadonlySet<Handler>, sessions: Map<Handler, PeerSession>, expiryMs: number, nowMs: number): void {
  for (const handler of handlers) {
    if (handler.lastFrameMs < nowMs - expiryMs) {
      handler.close(`expired: silent for more than ${expiryMs} ms`);
    } else if (!sessions.get(handler)?.peer && handler.openedMs < nowMs - JOIN_TIMEOUT_MS) {
      handler.close(`no join within ${JOIN_TIMEOUT_MS} ms`);
    }
  }
}

function listen(http: ReturnType<typeof createHttpServer>, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    http.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      const reasons: Record<string, string> = {
        EADDRINUSE: `cannot listen on ${where}: the port is already in use (set PORT or --port)`,
        EACCES: `cannot listen on ${where}: permission denied (ports below 1024 need privileges)`,
        EADDRNOTAVAIL: `cannot listen on ${where}: no such address on this machine (check HOST or --host)`,
      };
      reject(new StartError(reasons[error.code ?? ''] ?? `cannot listen on ${where}: ${error.message}`));
    });
    http.listen(port, host, () => resolve());
  });
}
