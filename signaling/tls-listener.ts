// One port for HTTPS and for the plain HTTP a person types first: the first byte of a connection
// tells them apart (a TLS handshake starts with 0x16), so TLS connections go to the HTTPS server
// and plain requests get a redirect to the same place over https://.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { readTarget } from './request-target.ts';
import { isRefusal, refusal, sendRefusal } from './refusal.ts';
import { requestHost } from './security-headers.ts';

/** The first byte of every TLS record that opens a connection (ContentType handshake). */
const TLS_HANDSHAKE = 0x16;
/** A connection must say its first byte this soon, or it only holds a socket. */
const FIRST_BYTE_TIMEOUT_MS = 10_000;

/** A front server: listen on it, and HTTPS connections reach `https`, plain HTTP a redirect. */
export function tlsFront(https: HttpsServer): NetServer {
  const redirect = createHttpServer({ maxHeaderSize: 16 * 1024, headersTimeout: 10_000, requestTimeout: 10_000 }, redirectToHttps);
  redirect.on('clientError', (_error, socket) => socket.destroy());
  // The TLS socket takes the raw socket's handle over, so the raw one may never report its end:
  // closing the front ends its sockets itself instead of waiting for them.
  const sockets = new Set<Socket>();
  const front = createNetServer((socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.setTimeout(0);
      // Handed over with its first bytes put back; a TLS socket reads what is buffered before its handle.
      socket.pause();
      socket.unshift(first);
      (first[0] === TLS_HANDSHAKE ? https : redirect).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  const close = front.close.bind(front);
  front.close = (callback?: (error?: Error) => void) => {
    close(callback);
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    return front;
  };
  return front;
}

function redirectToHttps(request: IncomingMessage, response: ServerResponse): void {
  const target = readTarget(request);
  const host = requestHost(request.headers.host);
  if (isRefusal(target)) return sendRefusal(response, target, false);
  if (!host) return sendRefusal(response, refusal(400, 'this port speaks HTTPS: ask again with https:// and a Host header'), false);
  // readTarget has checked the target is a plain path (no scheme, no host): it goes back as sent.
  response.writeHead(308, { location: `https://${host}${request.url ?? '/'}`, 'content-length': 0, connection: 'close' });
  response.end();
}
