// Coded refusals of bad HTTP input: a status and a one-line reason, sent as JSON `{error}` under
// /api, as a plain line elsewhere, and written raw on sockets that have no response object (an
// upgrade, CONNECT, a request Node could not parse). Never a stack trace, never silence.
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface Refusal {
  readonly status: number;
  /** One line for the client: what was wrong and, where there is one, what to do instead. */
  readonly reason: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export function refusal(status: number, reason: string, headers?: Record<string, string>): Refusal {
  return headers ? { status, reason, headers } : { status, reason };
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && 'status' in value && 'reason' in value;
}

/** A reason quotes request bytes at times: cut it, and keep it printable so it cannot split a line. */
const MAX_REASON_CHARS = 300;
/** A refused socket gets this long to take its answer before it is destroyed (a client not reading). */
const REFUSED_SOCKET_LINGER_MS = 5_000;

export function oneLine(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > MAX_REASON_CHARS ? `${printable.slice(0, MAX_REASON_CHARS - 3)}...` : printable;
}

/** Quotes a piece of the request in a reason, cut short. */
export function quote(text: string, maxChars = 80): string {
  return `"${text.length > maxChars ? `${text.slice(0, maxChars)}...` : text}"`;
}

/** Answers on a raw socket (no ServerResponse) with a status line and one line of text, then closes it. */
export function refuseSocket(socket: Duplex, { status, reason, headers = {} }: Refusal): void {
  if (socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${oneLine(reason)}\n`;
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Refused'}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    'X-Content-Type-Options: nosniff',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  const linger = setTimeout(() => socket.destroy(), REFUSED_SOCKET_LINGER_MS);
  linger.unref();
  socket.once('close', () => clearTimeout(linger));
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
}

/** Answers an HTTP request with a refusal: JSON `{error}` when `json`, else a plain line. */
export function sendRefusal(response: ServerResponse, { status, reason, headers = {} }: Refusal, json: boolean): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const line = oneLine(reason);
  const body = json ? JSON.stringify({ error: line }) : `${line}\n`;
  response.writeHead(status, {
    ...headers,
    'content-type': json ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}
