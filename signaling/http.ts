// HTTP: the JSON API, /metrics, then the built pages from dist/. Every listener is guarded: a bad
// request gets a status and one line (JSON `{error}` under /api), an internal error a 500 with no
// detail (the detail goes to the log), and no input can end the process.
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { SANDBOX_PATH } from '../workers/sandbox/sandbox-csp.ts';
import { API_PATHS, handleApi, type ApiDeps } from './api.ts';
import type { Log } from './log.ts';
import type { AuthorityMetrics } from './metrics.ts';
import { Pages } from './pages.ts';
import { isRefusal, refusal, refuseSocket, sendRefusal, type Refusal } from './refusal.ts';
import { readTarget, type Target } from './request-target.ts';
import { DATA_HEADERS, pageHeaders, sandboxHeaders, type OriginPolicy } from './security-headers.ts';
import { WS_PATH } from './websocket.ts';

/** Node's own limit on a request head, named here: past it Node stops parsing and we answer 431. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** A client has this long to send its request head (slowloris); then 408. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** ...and this long for its whole request: our requests are GETs without a body. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** How often Node looks for requests past those limits (its default, 30 s, would let them run long). */
const CONNECTIONS_CHECK_INTERVAL_MS = 1_000;
export const METRICS_PATH = '/metrics';

export interface HttpDeps {
  readonly distDir: string;
  readonly api: ApiDeps;
  readonly metrics: AuthorityMetrics;
  readonly origins: OriginPolicy;
  readonly log: Log;
  /** PEM certificate and key: the server speaks HTTPS (and WSS) instead. */
  readonly tls?: { readonly cert: string; readonly key: string } | undefined;
}

export function createHttpServer(deps: HttpDeps): HttpServer {
  const pages = new Pages(deps.distDir);
  const { metrics, log } = deps;
  /** Sockets with a response under way: a parse error on them cannot be answered in the middle of it. */
  const busy = new WeakSet<Socket>();
  const options: ServerOptions = {
    maxHeaderSize: MAX_HEADER_BYTES,
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS,
    // Node would answer a missing Host with a bare 400; readTarget says why.
    requireHostHeader: false,
  };
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    busy.add(request.socket);
    request.on('error', (error) => log.debug({ err: error }, 'request stream error'));
    response.on('error', (error) => log.debug({ err: error }, 'response stream error'));
    const target = readTarget(request);
    const route = routeOf(target);
    response.on('close', () => {
      busy.delete(request.socket);
      metrics.httpRequests.inc({ route, status: response.headersSent ? String(response.statusCode) : 'aborted' });
    });
    for (const [name, value] of Object.entries(DATA_HEADERS)) response.setHeader(name, value);
    respond(request, response, target, pages, deps).catch((error: unknown) => {
      log.error({ err: error, method: request.method, url: request.url?.slice(0, 200) }, 'HTTP request failed');
      sendRefusal(response, refusal(500, 'internal error'), route.startsWith('/api/'));
    });
  };
  const server: HttpServer = deps.tls ? createHttpsServer({ ...options, cert: deps.tls.cert, key: deps.tls.key }, handle) : createServer(options, handle);
  // A TLS handshake that fails (a browser that does not trust the certificate yet) is its own business.
  server.on('tlsClientError', (error: Error) => log.debug({ err: error }, 'TLS handshake failed'));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const refused = clientErrorRefusal(error);
    if (!refused || busy.has(socket as Socket)) {
      socket.destroy();
      return;
    }
    metrics.httpRequests.inc({ route: 'malformed', status: String(refused.status) });
    log.debug({ code: error.code, status: refused.status }, 'malformed request refused');
    refuseSocket(socket, refused);
  });
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    metrics.httpRequests.inc({ route: 'connect', status: '405' });
    refuseSocket(socket, refusal(405, 'CONNECT is not served: this server is no proxy'));
  });
  return server;
}

async function respond(request: IncomingMessage, response: ServerResponse, target: Target | Refusal,
  pages: Pages, deps: HttpDeps): Promise<void> {
  const api = request.url?.startsWith('/api/') ?? false;
  if (isRefusal(target)) return sendRefusal(response, target, api);
  const { path } = target;
  if (path.startsWith('/api/')) return handleApi(request, response, target, deps.api);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return sendRefusal(response, refusal(405, `${request.method} is not allowed on ${path}; use GET`, { allow: 'GET, HEAD' }), false);
  }
  if (path === METRICS_PATH) {
    const text = await deps.metrics.text();
    response.writeHead(200, { 'content-type': deps.metrics.contentType, 'cache-control': 'no-store' });
    return void response.end(request.method === 'HEAD' ? undefined : text);
  }
  if (path === WS_PATH) {
    return sendRefusal(response, refusal(426, `${WS_PATH} is the WebSocket endpoint: open it with a WebSocket client`,
      { upgrade: 'websocket' }), false);
  }
  const host = request.headers.host;
  const headers = path === SANDBOX_PATH ? sandboxHeaders(host, deps.origins) : pageHeaders(host, deps.origins);
  const outcome = await pages.serve(request, response, path, headers);
  if (outcome === 'missing') sendRefusal(response, refusal(404, `not found: ${path}`), false);
  if (outcome === 'unbuilt') sendRefusal(response, refusal(503, `pages not built: ${deps.distDir} is missing; run "npm run build"`), false);
}

/** The metrics label of a request: a closed set, whatever the path. */
function routeOf(target: Target | Refusal): string {
  if (isRefusal(target)) return 'bad_target';
  const { path } = target;
  if (path.startsWith('/api/')) return API_PATHS.includes(path) ? path : '/api/other';
  if (path === METRICS_PATH || path === WS_PATH) return path;
  return 'page';
}

/** What a request Node could not parse is told; undefined when nobody is left to tell. */
function clientErrorRefusal(error: NodeJS.ErrnoException): Refusal | undefined {
  switch (error.code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined;
    case 'HPE_HEADER_OVERFLOW':
      return refusal(431, `request head larger than ${MAX_HEADER_BYTES} bytes`);
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return refusal(408, `request not received within ${HEADERS_TIMEOUT_MS} ms (head) or ${REQUEST_TIMEOUT_MS} ms (whole)`);
    case 'HPE_INVALID_METHOD':
      return refusal(400, 'malformed request: unknown method');
    case 'HPE_INVALID_URL':
      return refusal(400, 'malformed request: invalid request target');
    default:
      return refusal(400, `malformed request (${error.code ?? 'unparsable'})`);
  }
}
