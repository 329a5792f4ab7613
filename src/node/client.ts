// The client role in Node: `import { connect } from 'peer-farm/client'`. The same ClientRole as the
// submit page's `window.peerfarm` (submit, solicit, resume, series, balance), with what differs
// from a tab injected: the `ws` WebSocket, node-datachannel for WebRTC, a key file for the
// identity and a folder for the kept series.
import WebSocket from 'ws';
import type { WebSocketLike } from '../net/ws-link.ts';
import { ClientRole } from '../peer/client-role.ts';
import { MemberState } from '../peer/member.ts';
import type { PeerLinksDeps } from '../peer/peer-links.ts';
import { DEFAULT_AUTHORITY, DEFAULT_KEY_FILE, DEFAULT_STORE } from './defaults.ts';
import { FileSeriesStore } from './file-series-store.ts';
import { loadOrCreateIdentity } from './key-file.ts';
import { nodeWrtc } from './wrtc.ts';

export { waitForWorkers } from './wait-for-workers.ts';
export type { ClientRole } from '../peer/client-role.ts';
export type { SubmitRequest } from '../peer/farm/submit-request.ts';
export type { ResultEvent, SeriesHandle, SeriesStatus } from '../peer/farm/series-handle.ts';
export type { SeriesResult } from '../peer/farm/foreman.ts';

export interface ConnectOptions {
  /** ws:// or wss:// URLs of authorities, tried in random order. */
  readonly authority?: string | readonly string[];
  /** The identity's key file (mode 0600), made on first use: `~/.peerfarm/key.json` by default. */
  readonly keyFile?: string;
  /** The folder of kept series (for resume): `~/.peerfarm/series` by default; `false` keeps none. */
  readonly store?: string | false;
  /** Another WebRTC implementation for simple-peer (benchmarks compare them, tests watch it). */
  readonly wrtc?: PeerLinksDeps['wrtc'];
  /** Opens the authority's WebSocket (`ws` by default; tests watch its frames). */
  readonly openSocket?: (url: string) => WebSocketLike;
}

/** The role made and not joined yet: for callers that watch it join (status, tests). */
export function createClient(options: ConnectOptions = {}): ClientRole {
  const urls = typeof options.authority === 'string' ? [options.authority] : options.authority ?? [DEFAULT_AUTHORITY];
  const store = options.store ?? DEFAULT_STORE;
  return new ClientRole({
    identity: loadOrCreateIdentity(options.keyFile ?? DEFAULT_KEY_FILE),
    urls,
    openSocket: options.openSocket ?? ((url) => new WebSocket(url) as unknown as WebSocketLike),
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
    const reason = role.error ?? 'could not join the authority';
    role.leave();
    throw new Error(reason);
  }
  return role;
}
