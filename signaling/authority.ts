// The authority: one Node process serving the pages, the WebSocket endpoint, the registry,
// the signaling relay and the ledger. `startAuthority` returns {address, url, close}.
import type { AddressInfo } from 'node:net';
import type { Handler, LogEvent } from '../src/protocol/handler.ts';
import { createRegistry } from '../src/protocol/protocols/index.ts';
import { Server } from '../src/protocol/server.ts';
import { isLoopback, type AuthorityConfig } from './config.ts';
import { createHttpServer } from './http.ts';
import { redactUrl } from './ledger/database-url.ts';
import { openLedgerStore, type LedgerStore } from './ledger/store.ts';
import { PointsDesk } from './points.ts';
import { EventStore, MAX_STORED_EVENTS } from './event-store.ts';
import { fromLogEvent } from '../src/protocol/events.ts';
import { PeerRegistry } from './registry.ts';
import { authorityBindings, type PeerSession } from './session.ts';
import { attachWebSockets, WS_PATH } from './websocket.ts';
import { SANDBOX_PATH } from '../workers/sandbox/sandbox-csp.ts';
import { DEFAULT_COMMANDS } from '../src/protocol/registry.ts';
import { Downloads } from './downloads.ts';
import { createLog, type Log } from './log.ts';
import { AuthorityMetrics } from './metrics.ts';
import { observeRelays } from './relay.ts';
import { listenOrigins } from './security-headers.ts';
import { iceOptions, redactTurnCredential, TURN_RENEW_AFTER_MS } from './turn.ts';
import { loadTls, type TlsMaterial } from './tls.ts';
import { tlsFront } from './tls-listener.ts';
import type { Server as NetServer } from 'node:net';
import type { Federation } from './federation/federation.ts';
import { openFederation } from './federation/open.ts';

/** How often silent peers and unfinished handshakes and joins are looked for. */
const SWEEP_INTERVAL_MS = 1000;
/** Default period of a peer's `peers`/`workers` refresh (the original's time_between_authority_checks). */
const AUTHORITY_CHECK_MS = 60_000;

export interface Authority {
  readonly host: string;
  readonly port: number;
  /** http://host:port, or https:// with TLS */
  readonly url: string;
  /** ws://host:port/ws, or wss:// with TLS */
  readonly wsUrl: string;
  /** The certificate served, with TLS on. */
  readonly tls: TlsMaterial | undefined;
  readonly registry: PeerRegistry;
  /** The points ledger: the SQLite file, or PostgreSQL with `config.databaseUrl`. */
  readonly points: LedgerStore;
  readonly events: EventStore;
  readonly metrics: AuthorityMetrics;
  readonly federation: Federation;
  close(): Promise<void>;
}

export interface AuthorityDeps {
  /** Where log lines go; by default JSON lines on stdout at `config.logLevel`. */
  readonly log?: Log;
  /** Also export process-wide metrics (CPU, memory, event-loop delay): for the one authority of a process. */
  readonly processMetrics?: boolean;
}

export class StartError extends Error {
  override readonly name = 'StartError';
}

export async function startAuthority(config: AuthorityConfig, clock: () => number = Date.now, deps: AuthorityDeps = {}): Promise<Authority> {
  const log = deps.log ?? createLog(config.logLevel);
  const tls = config.tls ? await loadTls(config.tls, config.dataDir, clock) : undefined;
  const points = await openPoints(config, clock, log);
  let metrics!: AuthorityMetrics;
  const desk = new PointsDesk(points, clock, undefined, (operation, result) => metrics.transfers.inc({ operation, result }));
  const events = new EventStore(MAX_STORED_EVENTS, clock);
  const registry = new PeerRegistry();
  const sessions = new Map<Handler, PeerSession>();
  const protocols = createRegistry();
  const federation = await openFederation(config.federation, config.dataDir, {
    registry, clock, random: Math.random,
    heartbeatMs: Math.floor(config.peerExpiryMs / 3), silenceMs: config.peerExpiryMs,
    log: (event) => record(event),
    // Joined peers learn the new set of addresses to fail over to.
    onChange: () => { for (const session of sessions.values()) if (session.peer) session.sendOptions(); },
  });
  const pushedOptions = (token: string) => ({
    time_between_authority_checks: String(AUTHORITY_CHECK_MS),
    max_peer_connections: '4',
    heartbeat_interval_ms: String(Math.floor(config.peerExpiryMs / 3)),
    ice_loopback_only: isLoopback(config.host) ? '1' : '0',
    ...iceOptions(config.ice, token, clock()),
    ...(config.sandboxOrigin === undefined ? {} : { sandbox_url: `${config.sandboxOrigin}${SANDBOX_PATH}` }),
    ...authorityHosts(federation.hosts()),
    ...config.options,
  });
  const bindings = authorityBindings(sessions, { registry, clock, random: Math.random, pushedOptions, points: desk, events, federation });
  metrics = new AuthorityMetrics(
    [...Object.keys(DEFAULT_COMMANDS), ...[...bindings, federation.binding].flatMap((binding) => Object.keys(binding.spec.commands))],
    { processMetrics: deps.processMetrics ?? false },
  );
  observeRelays(registry, (seconds) => metrics.relaySeconds.observe(seconds));
  // Commands are counted under the link's protocol once it has joined.
  const protocolOf = (handler: Handler) => ((sessions.get(handler)?.peer || federation.isMember(handler)) && handler.inbound?.name) || 'unjoined';
  // Authority links are recorded too (dialed ones without a Server handler): the replay draws authority↔authority arrows.
  function record(event: LogEvent, handler?: Handler): void {
    if (handler && event.kind === 'in' && event.result) metrics.countCommand(protocolOf(handler), event.text, event.result);
    if (event.text.startsWith('log ')) return;
    // Relays are sampled (SIGNAL_EVENTS_PER_S); a refused one is always kept.
    if (event.result !== 'exception' && /^(signal|relay) /.test(event.text) && !events.recordsSignal()) return;
    events.add(fromLogEvent('authority', { ...event, text: redactTurnCredential(event.text) }));
  }
  const server = new Server({
    registry: protocols,
    bindings: [...bindings, federation.binding],
    clock,
    log: record,
    onRefusal: (code) => metrics.refusals.inc({ code }),
    onProtocol: (handler) => sessions.get(handler)?.greet(),
    onDisconnect: (handler) => {
      sessions.get(handler)?.leave();
      sessions.delete(handler);
    },
  });
  const downloads = new Downloads();
  // The federation's other authorities: their tabs may fail over to us, ours to them (security-headers.ts).
  const origins = {
    ownOrigins: [] as string[], allowOrigins: config.allowOrigins, sandboxOrigin: config.sandboxOrigin,
    federation: () => federation.memberUrls(),
  };
  const http = createHttpServer({
    distDir: config.distDir, metrics, origins, log, tls,
    api: {
      registry, clock, ledger: points, events, startedAtMs: clock(), downloads,
      connections: () => server.handlers.size,
      protocols: bindings.map((binding) => binding.spec.name),
      federation: () => federation.summary(),
    },
  });
  const sockets = attachWebSockets(http, {
    server, metrics, origins, log,
    maxConnections: config.maxConnections,
    maxConnectionsPerAddress: config.maxConnectionsPerAddress,
    maxUnjoined: config.maxUnjoined,
    handshakeTimeoutMs: config.handshakeTimeoutMs,
    joinTimeoutMs: config.joinTimeoutMs,
    isJoined: (handler) => sessions.get(handler)?.peer !== undefined || federation.isMember(handler),
  });
  const { wss } = sockets;
  // With TLS, one port serves HTTPS and redirects plain HTTP to it (tls-listener.ts).
  const listener: NetServer = tls ? tlsFront(http as unknown as import('node:https').Server) : http;
  await listen(listener, config.host, config.port);
  // After listening, an accept failure (EMFILE: out of file descriptors) is an error event, not a crash.
  listener.on('error', (error) => log.error({ err: error }, 'HTTP server error'));
  const ledgerSweep = new LedgerSweep(points, log);
  const sweeper = setInterval(() => {
    try {
      expireSilent(server.handlers, config.peerExpiryMs, clock());
      if (config.ice.secret !== undefined) renewTurnCredentials(sessions.values(), clock());
      sockets.sweep(clock());
      ledgerSweep.run();
    } catch (error) {
      log.error({ err: error }, 'sweep failed');
    }
  }, SWEEP_INTERVAL_MS);
  const port = (listener.address() as AddressInfo).port;
  origins.ownOrigins = listenOrigins(config.host, port, tls ? 'https' : 'http');
  metrics.observe({
    connections: () => server.handlers.size,
    unjoined: () => sockets.unjoined(),
    peersByRole: () => countRoles(registry),
    openHolds: async () => (await points.openHolds(0)).total,
    downloads: () => downloads.count,
  });
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const wsUrl = `${tls ? 'wss' : 'ws'}://${hostForUrl}:${port}${WS_PATH}`;
  federation.start(config.federation.publicUrl ?? wsUrl);
  return {
    host: config.host,
    port,
    url: `${tls ? 'https' : 'http'}://${hostForUrl}:${port}`,
    wsUrl,
    tls,
    registry,
    points,
    events,
    metrics,
    federation,
    close: async () => {
      clearInterval(sweeper);
      federation.close();
      server.close('authority shutting down');
      for (const client of wss.clients) client.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      if (listener !== http) http.close();
      http.closeAllConnections(); // downloads under way and keep-alive sockets end now, not at their clients' pace
      await closed;
      await ledgerSweep.done();
      await points.close();
    },
  };
}

/** The federation's addresses to fail over to, pushed as `authority_hosts` (none for a lone authority). */
function authorityHosts(hosts: readonly string[]): { authority_hosts?: string } {
  return hosts.length > 0 ? { authority_hosts: hosts.join(' ') } : {};
}

/** Opens the ledger; a PostgreSQL server that cannot be reached is a StartError, one line. */
async function openPoints(config: AuthorityConfig, clock: () => number, log: Log): Promise<LedgerStore> {
  try {
    return await openLedgerStore({
      dataDir: config.dataDir, databaseUrl: config.databaseUrl, clock,
      options: { grantPoints: config.grantPoints, grantsPerIpPerDay: config.grantsPerIpPerDay },
      // The error holds the whole connection object; its code and message say what happened.
      onDatabaseError: (error) => log.error({ code: (error as { code?: unknown }).code, reason: error.message }, 'ledger database connection lost'),
    });
  } catch (error) {
    if (config.databaseUrl === undefined) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new StartError(`cannot reach the ledger database at ${redactUrl(config.databaseUrl)}: ${reason}`);
  }
}

/** Expires due holds once a sweep, one run at a time: a PostgreSQL ledger may answer after the next tick. */
class LedgerSweep {
  private running: Promise<void> | undefined;

  constructor(private readonly points: LedgerStore, private readonly log: Log) {}

  run(): void {
    if (this.running !== undefined) return;
    this.running = this.points.expire()
      .then(() => undefined, (error: unknown) => this.log.error({ err: error }, 'ledger sweep failed'))
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Resolves once the sweep under way, if any, has ended. */
  async done(): Promise<void> {
    await this.running;
  }
}

function expireSilent(handlers: ReadonlySet<Handler>, expiryMs: number, nowMs: number): void {
  for (const handler of handlers) {
    if (handler.lastFrameMs < nowMs - expiryMs) handler.close(`expired: silent for more than ${expiryMs} ms`);
  }
}

/** Pushes fresh TURN credentials to every link whose last ones are past half their lifetime. */
function renewTurnCredentials(sessions: Iterable<PeerSession>, nowMs: number): void {
  for (const session of sessions) {
    if (session.optionsSentAtMs !== undefined && nowMs - session.optionsSentAtMs >= TURN_RENEW_AFTER_MS) session.sendOptions();
  }
}

function countRoles(registry: PeerRegistry): Record<string, number> {
  const counts: Record<string, number> = { worker: 0, client: 0 };
  for (const peer of registry.list()) counts[peer.role] = (counts[peer.role] ?? 0) + 1;
  return counts;
}

function listen(http: NetServer, host: string, port: number): Promise<void> {
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
