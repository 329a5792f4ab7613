// A raw TCP client for hostile HTTP tests: writes exactly the bytes given and reads one answer,
// so malformed request lines and headers reach the server as they are (no client fixes them).
import { connect } from 'node:net';

export interface RawAnswer {
  /** 0 when the server closed without answering. */
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Whether the server closed the connection (awaited when the answer says `Connection: close`). */
  readonly closed: boolean;
}

/** Sends `bytes` to 127.0.0.1:`port`, resolves with the first answer (head and Content-Length body). */
export function rawRequest(port: number, bytes: string | Buffer, { head = false, timeoutMs = 10_000 } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let answer: RawAnswer | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms; got ${JSON.stringify(received.toString('latin1').slice(0, 300))}`));
    }, timeoutMs);
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      resolve(answer ? { ...answer, closed } : { status: 0, headers: {}, body: '', closed });
      socket.destroy();
    };
    socket.on('error', () => undefined); // a reset after the answer is the server closing; 'close' follows
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      answer ??= parse(received, head);
      // An answer saying `Connection: close` is complete when the server closes; others are now.
      if (answer && answer.headers['connection']?.toLowerCase() !== 'close') finish(false);
    });
    socket.on('close', () => finish(true));
    socket.write(bytes);
  });
}

function parse(bytes: Buffer, head: boolean): RawAnswer | undefined {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0);
  const length = head || status === 101 || status === 304 ? 0 : Number(headers['content-length'] ?? 0);
  const body = bytes.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
  if (body.length < length) return undefined;
  return { status, headers, body: body.subarray(0, length).toString('utf8'), closed: false };
}
