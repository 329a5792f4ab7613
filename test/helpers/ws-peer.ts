// Node-side peers for authority tests: the same AuthorityConnection the tabs use, over `ws`,
// and a raw command link for sending whatever a misbehaving peer might send.
import WebSocket from 'ws';
import { openWebSocketLink, type WebSocketLike, type WebSocketLink } from '../../src/net/ws-link.ts';
import { generateIdentity, joinMessage, sign, type Identity } from '../../src/protocol/identity.ts';
import { PointsClient } from '../../src/peer/points-client.ts';
import { AuthorityConnection, type AuthorityRole } from '../../src/peer/authority-connection.ts';
import { Options } from '../../src/peer/options.ts';

export function openSocket(url: string): WebSocketLike {
  return new WebSocket(url) as unknown as WebSocketLike;
}

export async function joinAs(role: AuthorityRole, url: string, options = new Options()): Promise<AuthorityConnection> {
  const connection = new AuthorityConnection({
    role, identity: await generateIdentity(), urls: [url], openSocket, options,
  });
  await connection.start();
  return connection;
}

/** A link that records every frame it receives, for asserting exact replies. */
export interface RawPeer {
  readonly link: WebSocketLink;
  readonly frames: string[];
  send(frame: string): void;
  /** Resolves with the next frame matching `pattern` (already received ones count). */
  next(pattern: RegExp, timeoutMs?: number): Promise<string>;
  closed: Promise<string>;
}

export async function rawPeer(url: string): Promise<RawPeer> {
  const link = await openWebSocketLink(openSocket(url), url, 5000);
  const frames: string[] = [];
  const waiters: { pattern: RegExp; resolve: (frame: string) => void; from: number }[] = [];
  const closed = new Promise<string>((resolve) => (link.onclose = resolve));
  link.onframe = (frame) => {
    frames.push(frame);
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(frame)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      }
    }
  };
  const consumed = new Set<number>();
  return {
    link, frames, closed,
    send: (frame) => link.send(frame),
    next: (pattern, timeoutMs = 5000) => {
      const index = frames.findIndex((frame, i) => !consumed.has(i) && pattern.test(frame));
      if (index >= 0) {
        consumed.add(index);
        return Promise.resolve(frames[index]!);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no frame matching ${pattern} within ${timeoutMs} ms; got ${JSON.stringify(frames)}`)), timeoutMs);
        waiters.push({ pattern, from: frames.length, resolve: (frame) => {
          clearTimeout(timer);
          consumed.add(frames.lastIndexOf(frame));
          resolve(frame);
        } });
      });
    },
  };
}

/** A raw link that declared `protocol`, answered its challenge with a fresh identity and was welcomed. */
export async function rawJoined(url: string, protocol = 'p2p:authority<-worker/2'): Promise<{ peer: RawPeer; identity: Identity }> {
  const peer = await rawPeer(url);
  peer.send(`protocol ${protocol}`);
  const nonce = (await peer.next(/^challenge /)).split(' ')[1]!;
  const identity = await generateIdentity();
  peer.send(`join ${identity.id} ${identity.publicKey} ${await sign(identity, joinMessage(nonce))}`);
  await peer.next(/^welcome /);
  return { peer, identity };
}

/** A member of the network as the tabs are (AuthorityConnection) with its points client. */
export async function joinedMember(role: AuthorityRole, url: string) {
  const identity = await generateIdentity();
  const connection = new AuthorityConnection({ role, identity, urls: [url], openSocket, options: new Options() });
  await connection.start();
  return { id: identity.id, identity, connection, points: new PointsClient(connection, identity) };
}
