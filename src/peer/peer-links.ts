// WebRTC links between tabs, signaled through the authority. Every link has an id chosen by its
// dialer, carried in each signal payload, so two tabs may hold several links (or dial each other
// at once) without mixing their offers.
import { randomTag } from '../protocol/random.ts';
import { RtcLink, type RtcLinkOptions, type SignalPayload, type Wrtc } from '../net/rtc-link.ts';
import type { AuthorityConnection, SignalEventDetail } from './authority-connection.ts';
import type { Options } from './options.ts';

export interface PeerLinksDeps {
  readonly authority: AuthorityConnection;
  readonly options: Options;
  /** Decides whether an offer from `from` may open an inbound link; a refusal says why. */
  readonly admit: (from: string) => string | undefined;
  /** An inbound link is connected. */
  readonly onInbound: (link: RtcLink, from: string) => void;
  readonly createLink?: (options: RtcLinkOptions) => RtcLink;
  /** The WebRTC implementation outside a browser, made for the link's loopback rule (src/node/wrtc.ts). */
  readonly wrtc?: ((loopbackOnly: boolean) => Wrtc) | undefined;
}

/** Dials of one peer before its link is given up. */
const DIAL_TRIES = 2;

export class PeerLinks {
  private readonly links = new Map<string, RtcLink>();
  private readonly refusals = new Map<string, (reason: string) => void>();
  private counter = 0;
  /**
   * Names this tab's links apart from those of an earlier tab of the same identity (a reloaded
   * client): a peer still holding the old tab's link 1 must not take the new tab's offer for it.
   */
  private readonly tabTag = randomTag(6);
  private readonly onSignal = (event: Event) => this.receive((event as CustomEvent<SignalEventDetail>).detail);

  constructor(private readonly deps: PeerLinksDeps) {
    deps.authority.addEventListener('signal', this.onSignal);
  }

  /**
   * Opens a link to `to`; resolves once the data channel is open. A link that fails to connect
   * (not a refusal) is dialed once more as a new link: node-datachannel sometimes loses a fresh
   * connection's ICE transport under load (docs/ARCHITECTURE.md, src/node).
   */
  async dial(to: string): Promise<RtcLink> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dialOnce(to);
      } catch (error) {
        if (error instanceof LinkRefused || attempt >= DIAL_TRIES) throw error;
      }
    }
  }

  private async dialOnce(to: string): Promise<RtcLink> {
    const linkId = `${this.deps.authority.id.slice(0, 8)}-${this.tabTag}-${++this.counter}`;
    const link = this.create(to, linkId, true);
    const refused = new Promise<never>((_, reject) => {
      this.refusals.set(key(to, linkId), (reason) => {
        link.close(`refused: ${reason}`);
        reject(new LinkRefused(`${to} refused the link: ${reason}`));
      });
    });
    try {
      await Promise.race([link.connected, refused]);
      return link;
    } finally {
      this.refusals.delete(key(to, linkId));
    }
  }

  closeAll(reason: string): void {
    for (const link of this.links.values()) link.close(reason);
    this.links.clear();
  }

  stop(): void {
    this.deps.authority.removeEventListener('signal', this.onSignal);
    this.closeAll('leaving');
  }

  private create(remote: string, linkId: string, initiator: boolean): RtcLink {
    const { options, authority } = this.deps;
    const loopbackOnly = Number(options.get('ice_loopback_only')) === 1;
    const link = (this.deps.createLink ?? ((o: RtcLinkOptions) => new RtcLink(o)))({
      initiator,
      remote,
      iceServers: iceServers(String(options.get('ice_servers')), pushedTurnCredentials(options)),
      loopbackOnly,
      wrtc: this.deps.wrtc?.(loopbackOnly),
      sendSignal: (payload) => {
        if (authority.state === 'joined') authority.signal(remote, { ...payload, link: linkId });
      },
    });
    const id = key(remote, linkId);
    this.links.set(id, link);
    void link.whenClosed.then(() => this.links.delete(id));
    return link;
  }

  private receive({ from, payload }: SignalEventDetail): void {
    const linkId = payload['link'];
    if (!linkId) return;
    const existing = this.links.get(key(from, linkId));
    if (existing) return existing.signal(payload);
    if (payload['type'] === 'refuse') return this.refusals.get(key(from, linkId))?.(payload['reason'] ?? 'no reason');
    if (payload['type'] !== 'offer') return; // a late candidate of a link already gone
    const refusal = this.deps.admit(from);
    if (refusal) {
      this.deps.authority.signal(from, { type: 'refuse', link: linkId, reason: refusal });
      return;
    }
    const link = this.create(from, linkId, false);
    link.signal(payload);
    void link.connected.then(() => this.deps.onInbound(link, from), () => undefined);
  }
}

/** A dial answered with a refusal: asking again would get the same answer. */
class LinkRefused extends Error {
  override readonly name = 'LinkRefused';
}

function key(remote: string, linkId: string): string {
  return `${remote}/${linkId}`;
}

/** TURN credentials the authority pushed (`turn_username`, `turn_credential`), for turn(s): URLs without their own. */
export interface TurnCredentials {
  readonly username: string;
  readonly credential: string;
}

const ICE_URL = /^(stuns?|turns?):/;
const INLINE_CREDENTIALS = /^(turns?):([^:@]+):([^@]+)@(.+)$/;

/**
 * The `ice_servers` option: space-separated stun:, turn: and turns: URLs. A turn URL takes inline
 * static credentials (turn:user:pass@host) or else `credentials`; one with neither is left out,
 * since RTCPeerConnection throws on it, and so is anything that is not an ICE URL.
 */
export function iceServers(option: string, credentials?: TurnCredentials): RTCIceServer[] {
  const servers: RTCIceServer[] = [];
  for (const url of option.split(/\s+/).filter((text) => ICE_URL.test(text))) {
    const inline = INLINE_CREDENTIALS.exec(url);
    if (inline) servers.push({ urls: `${inline[1]}:${inline[4]}`, username: inline[2]!, credential: inline[3]! });
    else if (!url.startsWith('turn')) servers.push({ urls: url });
    else if (credentials) servers.push({ urls: url, ...credentials });
  }
  return servers;
}

/** The credentials pushed in `turn_username`/`turn_credential`, if any. */
export function pushedTurnCredentials(options: Options): TurnCredentials | undefined {
  const username = String(options.get('turn_username'));
  const credential = String(options.get('turn_credential'));
  return username !== '' && credential !== '' ? { username, credential } : undefined;
}

/** Payload dictionaries are strings only; this is what the authority relays. */
export type { SignalPayload };
