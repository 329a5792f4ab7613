// A Link over a WebSocket: the browser's WebSocket and Node's `ws` share this API,
// so one adapter serves the tab, the authority and Node test clients.
import { LinkState } from '../protocol/link.ts';
import { QueuedLink } from './queued-link.ts';

/** The part of the WebSocket API both the browser and `ws` implement. */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onopen: ((event: unknown) => void) | null;
}

const OPEN = 1;
/** WebSocket close code for a normal close (RFC 6455 section 7.4.1). */
const NORMAL_CLOSURE = 1000;
/** Close reasons are limited to 123 bytes by RFC 6455. */
const MAX_CLOSE_REASON_CHARS = 120;

export class WebSocketLink extends QueuedLink {
  constructor(private readonly socket: WebSocketLike, remote: string) {
    super(remote);
    socket.onmessage = (event) => {
      // Binary frames are not part of the command protocol: never parsed, but refused (Handler).
      if (typeof event.data === 'string') this.deliver(event.data);
      else this.deliverBinary(binaryLength(event.data));
    };
    socket.onclose = (event) => this.closed(event.reason || `websocket closed (${event.code})`);
    socket.onerror = () => undefined; // an error is always followed by close, which reports it
  }

  send(frame: string): void {
    if (this.state !== LinkState.open || this.socket.readyState !== OPEN) return;
    this.socket.send(frame);
  }

  close(reason = 'closed', code = NORMAL_CLOSURE): void {
    if (this.state !== LinkState.open) return;
    this.state = LinkState.closing;
    this.socket.close(code, reason.slice(0, MAX_CLOSE_REASON_CHARS));
  }
}

function binaryLength(data: unknown): number {
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  if (Array.isArray(data)) return data.reduce((sum: number, part: ArrayBufferView) => sum + part.byteLength, 0);
  return (data as { size?: number }).size ?? 0;
}

/** Opens a WebSocket and resolves with its Link once it is open. */
export function openWebSocketLink(socket: WebSocketLike, remote: string, timeoutMs: number): Promise<WebSocketLink> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`cannot reach ${remote}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.onerror = () => undefined; // always followed by close, which rejects with the reason
    socket.onopen = () => {
      clearTimeout(timer);
      resolve(new WebSocketLink(socket, remote));
    };
    socket.onclose = (event) => {
      clearTimeout(timer);
      reject(new Error(`cannot reach ${remote}: ${event.reason || `connection refused (${event.code})`}`));
    };
  });
}
