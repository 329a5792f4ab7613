// The WebSocket endpoint /ws: checks every upgrade (target, method, WebSocket headers, Origin,
// connection caps) and refuses with a status and one plain line before accepting; then hands each
// socket to the protocol Server as a Link. Links that have not joined yet are bounded: in number
// (the oldest goes first) and in time (handshake and join limits, swept by the authority).
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_FRAME_BYTES, type Handler } from '../src/protocol/handler.ts';
import type { Server } from '../src/protocol/server.ts';
import { WebSocketLink, type WebSocketLike } from '../src/net/ws-link.ts';
import type { Log } from './log.ts';
import type { AuthorityMetrics } from './metrics.ts';
import { quote, refusal, refuseSocket, isRefusal, type Refusal } from './refusal.ts';
import { readTarget } from './request-target.ts';
import { originAllowed, type OriginPolicy } from './security-headers.ts';

export const WS_PATH = '/ws';
/**
 * One address may open this many links by default: several tabs of one person, not a botnet's
 * worth (`--max-connections-per-address`: a lab behind one NAT, a proxy, a load test).
 */
export const MAX_CONNECTIONS_PER_ADDRESS = 64;
/**
 * `ws` itself drops frames past this (close 1009) without buffering them; frames between
 * MAX_FRAME_BYTES and this get a readable `exception` from the Handler instead.
 */
export const WS_MAX_PAYLOAD_BYTES = 4 * MAX_FRAME_BYTES;
/** A pending link closed by us gets this long to answer the close frame before its socket is cut (ws waits 30 s). */
export const PENDING_CLOSE_GRACE_MS = 2_000;
/** RFC 6455 section 4.1: the key is 16 random bytes in base64. */
const WEBSOCKET_KEY = /^[+/0-9A-Za-z]{22}==$/;
/** Versions `ws` speaks; RFC 6455 is 13, 8 is its last draft. */
const WEBSOCKET_VERSIONS = ['13', '8'];

export interface WebSocketDeps {
  readonly server: Server;
  readonly maxConnections: number;
  /** Links one address may hold; MAX_CONNECTIONS_PER_ADDRESS unless set. */
  readonly maxConnectionsPerAddress?: number;
  readonly maxUnjoined: number;
  readonly handshakeTimeoutMs: number;
  readonly joinTimeoutMs: number;
  readonly isJoined: (handler: Handler) => boolean;
  readonly origins: OriginPolicy;
  readonly metrics: AuthorityMetrics;
  readonly log: Log;
}

export interface WebSockets {
  readonly wss: WebSocketServer;
  /** Open links that have not joined yet. */
  unjoined(): number;
  /** Closes pending links past the handshake or join limit. */
  sweep(nowMs: number): void;
}

export function attachWebSockets(http: HttpServer, deps: WebSocketDeps): WebSockets {
  // No permessage-deflate (ws's server default, said here): compressing a 300-byte signal costs more than it saves.
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD_BYTES, perMessageDeflate: false });
  const perAddress = new Map<string, number>();
  /** Links not known to have joined, oldest first (a Set keeps insertion order); joined ones are pruned lazily. */
  const pending = new Set<Handler>();
  const sockets = new WeakMap<Handler, WebSocket>();
  const { server, metrics, log } = deps;

  const prune = () => {
    for (const handler of pending) if (deps.isJoined(handler)) pending.delete(handler);
  };
  const closePending = (handler: Handler, reason: 'handshake_timeout' | 'join_timeout' | 'evicted', message: string) => {
    pending.delete(handler);
    metrics.linksClosed.inc({ reason });
    log.debug({ link: handler.link.remote, reason }, message);
    handler.close(message);
    const socket = sockets.get(handler);
    setTimeout(() => socket?.terminate(), PENDING_CLOSE_GRACE_MS).unref();
  };
  const makeRoom = () => {
    if (pending.size < deps.maxUnjoined) return;
    prune();
    const oldest = pending.values().next().value;
    if (pending.size >= deps.maxUnjoined && oldest) {
      closePending(oldest, 'evicted', `closed: ${deps.maxUnjoined} links were waiting to join; the oldest goes first`);
    }
  };

  const accept = (request: IncomingMessage, socket: Duplex, head: Buffer, address: string) => {
    makeRoom();
    wss.handleUpgrade(request, socket, head, (ws) => {
      metrics.httpRequests.inc({ route: WS_PATH, status: '101' });
      perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
      const handler = server.accept(new WebSocketLink(ws as unknown as WebSocketLike, normalise(address)));
      pending.add(handler);
      sockets.set(handler, ws);
      void handler.closed.then(() => {
        pending.delete(handler);
        const left = (perAddress.get(address) ?? 1) - 1;
        if (left > 0) perAddress.set(address, left);
        else perAddress.delete(address);
      });
    });
  };

  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (error) => {
      log.debug({ err: error }, 'upgrade socket error');
      socket.destroy();
    });
    try {
      const address = request.socket.remoteAddress ?? 'unknown';
      const refused = check(request, deps, server.handlers.size, perAddress.get(address) ?? 0);
      if (refused) {
        metrics.httpRequests.inc({ route: WS_PATH, status: String(refused.status) });
        log.debug({ status: refused.status, reason: refused.reason, address }, 'upgrade refused');
        refuseSocket(socket, refused);
        return;
      }
      accept(request, socket, head, address);
    } catch (error) {
      log.error({ err: error }, 'WebSocket upgrade failed');
      metrics.httpRequests.inc({ route: WS_PATH, status: '500' });
      refuseSocket(socket, refusal(500, 'internal error'));
    }
  });

  return {
    wss,
    unjoined: () => {
      prune();
      return pending.size;
    },
    sweep: (nowMs) => {
      const { handshakeTimeoutMs, joinTimeoutMs } = deps;
      for (const handler of pending) {
        const ageMs = nowMs - handler.openedMs;
        if (ageMs < Math.min(handshakeTimeoutMs, joinTimeoutMs)) break; // the rest are younger
        if (deps.isJoined(handler)) pending.delete(handler);
        else if (handler.state === 'undeclared' && ageMs >= handshakeTimeoutMs) {
          closePending(handler, 'handshake_timeout', `no protocol declared within ${handshakeTimeoutMs} ms`);
        } else if (ageMs >= joinTimeoutMs) {
          closePending(handler, 'join_timeout', `no join within ${joinTimeoutMs} ms`);
        }
      }
    },
  };
}

/** The refusal an upgrade gets, or undefined when it may become a link. Checks cost nothing before the caps. */
function check(request: IncomingMessage, deps: WebSocketDeps, open: number, fromAddress: number): Refusal | undefined {
  const target = readTarget(request);
  if (isRefusal(target)) return target;
  if (target.path !== WS_PATH) return refusal(404, `no WebSocket endpoint at ${quote(target.path)}; connect to ${WS_PATH}`);
  if (request.method !== 'GET') return refusal(405, `a WebSocket opens with GET, not ${request.method}`, { Allow: 'GET' });
  const { upgrade, origin } = request.headers;
  if (upgrade?.toLowerCase() !== 'websocket') return refusal(400, `Upgrade must be "websocket", got ${quote(upgrade ?? '')}`);
  const version = request.headers['sec-websocket-version'];
  if (version === undefined || !WEBSOCKET_VERSIONS.includes(version)) {
    return refusal(426, `Sec-WebSocket-Version must be 13, got ${quote(version ?? '')}`, { 'Sec-WebSocket-Version': WEBSOCKET_VERSIONS.join(', ') });
  }
  if (!WEBSOCKET_KEY.test(request.headers['sec-websocket-key'] ?? '')) {
    return refusal(400, 'missing or invalid Sec-WebSocket-Key: 16 random bytes in base64');
  }
  if (!originAllowed(origin, request.headers.host, deps.origins)) {
    return refusal(403, `origin ${quote(origin ?? '')} may not connect here: only the authority's own origin and those given with --allow-origin`);
  }
  if (open >= deps.maxConnections) return refusal(503, `this authority is full (${deps.maxConnections} connections); try another or later`);
  const perAddress = deps.maxConnectionsPerAddress ?? MAX_CONNECTIONS_PER_ADDRESS;
  if (fromAddress >= perAddress) return refusal(429, `${perAddress} connections from your address are open, the limit per address`);
  return undefined;
}

/** `::ffff:127.0.0.1` is how Node reports IPv4 on a dual-stack socket; peers want the plain form. */
function normalise(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
