// The dialing side of an authority link: a `ws` socket to another authority's /ws, then the
// handshake declaring p2p:authority<-authority/1 (the accepting side is the authority's Server).
import WebSocket from 'ws';
import { openClient } from '../../src/protocol/client.ts';
import type { Binding, Handler, LogEvent } from '../../src/protocol/handler.ts';
import type { Link } from '../../src/protocol/link.ts';
import { authorityFromAuthority1 } from '../../src/protocol/protocols/index.ts';
import { openWebSocketLink, type WebSocketLike } from '../../src/net/ws-link.ts';
import { WS_MAX_PAYLOAD_BYTES } from '../websocket.ts';

/** Connect and handshake each; an authority that takes longer is treated as down and dialed again later. */
export const DIAL_TIMEOUT_MS = 5000;

export interface DialDeps {
  readonly binding: Binding;
  readonly clock: () => number;
  /** Every frame in and out, as the Server's links are logged. */
  readonly log: (event: LogEvent) => void;
  /** Told the link before its Handler exists, so the binding can tell a dialed link from an accepted one. */
  readonly onLink: (link: Link) => void;
}

export async function dialAuthority(url: string, deps: DialDeps): Promise<Handler> {
  const socket = new WebSocket(url, { maxPayload: WS_MAX_PAYLOAD_BYTES, perMessageDeflate: false, handshakeTimeout: DIAL_TIMEOUT_MS });
  const link = await openWebSocketLink(socket as unknown as WebSocketLike, url, DIAL_TIMEOUT_MS);
  deps.onLink(link);
  return openClient({
    link, sends: [authorityFromAuthority1], bindings: [deps.binding], clock: deps.clock,
    timeoutMs: DIAL_TIMEOUT_MS, log: deps.log,
  });
}
