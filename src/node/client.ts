// The client role in Node: `import { connect } from 'peer-farm/client'`. The same ClientRole as the
// submit page's `window.peerfarm` (submit, solicit, resume, series, balance), with what differs
// from a tab injected: the `ws` WebSocket, node-datachannel for WebRTC, a key file for the
// identity and a folder for the kept series.
import { homedir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { WebSocketLike } from '../net/ws-link.ts';
import { ClientRole } from '../peer/client-role.ts';
import { MemberState } from '../peer/member.ts';
import type { PeerLinksDeps } from '../peer/peer-links.ts';
import { FileSeriesStore } from './file-series-store.ts';
import { loadOrCreateIdentity } from './key-file.ts';
import { nodeWrtc } from './wrtc.ts';

export type { ClientRole } from '../peer/client-role.ts';
export type { SubmitRequest } from '../peer/farm/submit-request.ts';
export type { ResultEvent, SeriesHandle, SeriesStatus } from '../peer/farm/series-handle.ts';
export type { SeriesResult } from '../peer/farm/foreman.ts';

/** Where a Node client keeps its key and series unless told otherwise. */
export const DEFAULT_HOME = join(homedir(), '.peerfarm');
export const DEFAULT_AUTHORITY = 'ws://localhost:8080/ws';

export interface ConnectOptions {
  /** ws:// or wss:// URLs of authorities, tried in random order. */
  readonly authority?: string | readonly string[];
  /** The identity's key file (mode 0600), made on first use: `~/.peerfarm/key.json` by default. */
  readonly keyFile?: string;
  /** The folder of kept series (for resume): `~/.peerfarm/series` by default; `false` keeps none. */
  readonly store?: string | false;
  /** Another WebRTC implementation for simple-peer (benchmarks compare them). */
  readonly wrtc?: PeerLinksDeps['wrtc'];
}

/** The role made and not joined yet: for callers that watch it join (status, tests). */
export function createClient(options: ConnectOptions = {}): ClientRole {
  const urls = typeof options.authority === 'string' ? [options.authority] : options.authority ?? [DEFAULT_AUTHORITY];
  const store = options.store ?? join(DEFAULT_HOME, 'series');
  return new ClientRole({
    identity: loadOrCreateIdentity(options.keyFile ?? join(DEFAULT_HOME, 'key.json')),
    urls,
    openSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
    createRunner: () => Promise.reject(new Error('runLocally needs a page\'s job sandbox; in Node, import the job module and call it')),
    ...(store !== false && { seriesStore: new FileSeriesStore(store) }),
    wrtc: options.wrtc ?? nodeWrtc,
  });
}

/** A client joined to an authority; rejects with the reason when none could be joined. */
export async function connect(options: ConnectOptions = {}): Promise<ClientRole> {
  const role = createClient(options);
  await role.join();
  if (role.state !== MemberState.joined) {
    role.leave();
    throw new Error(role.error ?? 'could not join the authority');
  }
  return role;
}
