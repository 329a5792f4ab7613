// The WebSocket endpoint /ws: caps connections before accepting, then hands each socket to the
// protocol Server as a Link.
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { MAX_FRAME_BYTES } from '../src/protocol/handler.ts';
import type { Server } from '../src/protocol/server.ts';
import { WebSocketLink, type WebSocketLike } from '../src/net/ws-link.ts';

export const WS_PATH = '/ws';
/** One address may open this many links: several tabs of one person, not a botnet's worth. */
export const MAX_CONNECTIONS_PER_ADDRESS = 64;
/**
 * `ws` itself drops frames past this (close 1009) without buffering them; frames between
 * MAX_FRAME_BYTES and this get a readable `exception` from the Handler instead.
 */
export const WS_MAX_PAYLOAD_BYTES = 4 * MAX_FRAME_BYTES;

export function attachWebSockets(http: HttpServer, server: Server, maxConnections: number): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD_BYTES });
  const perAddress = new Map<string, number>();
  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const address = request.socket.remoteAddress ?? 'unknown';
    const refusal = refuse(request, server.handlers.size, maxConnections, perAddress.get(address) ?? 0);
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
      const handler = server.accept(new WebSocketLink(ws as unknown as WebSocketLike, normalise(address)));
      void handler.closed.then(() => {
        const left = (perAddress.get(address) ?? 1) - 1;
        if (left > 0) perAddress.set(address, left);
        else perAddress.delete(address);
      });
    });
  });
  return wss;
}

function refuse(request: IncomingMessage, open: number, max: number, fromAddress: number): string | undefined {
  if (new URL(request.url ?? '/', 'http://authority').pathname !== WS_PATH) return '404 Not Found';
  if (open >= max) return '503 Service Unavailable';
  if (fromAddress >= MAX_CONNECTIONS_PER_ADDRESS) return '429 Too Many Requests';
  return undefined;
}

/** `::ffff:127.0.0.1` is how Node reports IPv4 on a dual-stack socket; peers want the plain form. */
function normalise(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
