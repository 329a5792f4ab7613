// The federation of authorities as superpeers (DESIGN.md section 7): links to the other
// authorities (dialed from seeds and gossip, or accepted on /ws), their proofs, heartbeats and
// sampled directories, and signaling relayed to the peers they hold. `openFederation` (open.ts) makes one.
import { CommandError, ErrorCode } from '../../src/protocol/errors.ts';
import { bind, type Binding, type Handler, type LinkLimits, type LogEvent } from '../../src/protocol/handler.ts';
import type { Identity } from '../../src/protocol/identity.ts';
import type { Link } from '../../src/protocol/link.ts';
import {
  authorityFromAuthority1, MAX_AUTHORITIES, MAX_DIRECTORY_IDS,
} from '../../src/protocol/protocols/authority-authority.ts';
import { MAX_FRAME_BYTES } from '../../src/protocol/handler.ts';
import type { PeerRegistry } from '../registry.ts';
import { relaySignal } from '../relay.ts';
import { dialAuthority } from './dial.ts';
import { localShare, RemoteDirectory } from './directory.ts';
import { checkHello, makeHello, type Hello } from './membership.ts';
import { PendingRelays } from './pending-relays.ts';
import { RouteCache } from './routes.ts';
import { AuthorityState, FederationView, Member, type KnownAuthority } from './view.ts';

/**
 * An authority link carries the signaling of many peers at once (each peer link is held to 200
 * commands a second): ten times that, with the same frame limit as a peer link.
 */
export const AUTHORITY_LINK_LIMITS: LinkLimits = { maxFrameBytes: MAX_FRAME_BYTES, commandsPerSecond: 2000, burstCommands: 4000 };
/** The directory goes out this often at least, and at once when the listening count moved by a tenth. */
export const DIRECTORY_INTERVAL_MS = 10_000;
/** A directory not renewed for this long is dropped: its authority stopped telling us. */
export const DIRECTORY_TTL_MS = 3 * DIRECTORY_INTERVAL_MS;
/** A link that has not proved itself this long after it opened is closed. */
export const HELLO_TIMEOUT_MS = 10_000;
/** The period of the federation's checks; heartbeats go out on it when due. */
const TICK_MAX_MS = 1000;

export interface FederationDeps {
  readonly identity: Identity;
  /** Without it the authority federates with no one, and refuses every authority link. */
  readonly secret: string | undefined;
  readonly seeds: readonly string[];
  readonly registry: PeerRegistry;
  readonly clock: () => number;
  readonly random: () => number;
  /** Heartbeat period; a link silent for `silenceMs` is closed. */
  readonly heartbeatMs: number;
  readonly silenceMs: number;
  /** Every frame of a dialed link (accepted ones are logged by the Server). */
  readonly log: (event: LogEvent) => void;
  /** The set of linked authorities changed (peers are told the new authority_hosts). */
  readonly onChange: () => void;
}

export interface AuthoritySummary {
  readonly id: string | null;
  readonly url: string;
  readonly state: AuthorityState;
  readonly peers: number;
  readonly listed: number;
  readonly lastHeardAt: number | null;
}

/** The name an authority link goes by in events: stable across restarts (the key is kept). */
export function authorityNodeName(id: string): string {
  return `authority-${id.slice(0, 8)}`;
}

export class Federation {
  readonly binding: Binding;
  private readonly view: FederationView;
  private readonly members = new Map<Handler, Member>();
  private readonly dialedLinks = new Map<Link, string>();
  private readonly directory: RemoteDirectory;
  private readonly routes: RouteCache;
  private readonly relays = new PendingRelays();
  private publicUrl = '';
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastHeartbeatMs = -Infinity;
  private lastDirectoryMs = -Infinity;
  private lastDirectoryCount = 0;

  constructor(private readonly deps: FederationDeps) {
    this.view = new FederationView(deps.clock);
    this.directory = new RemoteDirectory(DIRECTORY_TTL_MS, deps.clock);
    this.routes = new RouteCache(deps.clock);
    this.binding = bind(authorityFromAuthority1, authorityFromAuthority1, (handler) => this.commands(this.open(handler)));
  }

  get id(): string {
    return this.deps.identity.id;
  }

  /** Starts dialing the seeds; `publicUrl` is where peers and other authorities reach this one. */
  start(publicUrl: string): void {
    this.publicUrl = publicUrl;
    for (const seed of this.deps.seeds) if (seed !== publicUrl) this.view.add(seed, true);
    const tickMs = Math.min(TICK_MAX_MS, this.deps.heartbeatMs);
    this.timer = setInterval(() => this.tick(), tickMs);
    this.tick();
  }

  close(): void {
    clearInterval(this.timer);
    this.relays.clear();
    for (const handler of this.members.keys()) handler.close('authority shutting down');
  }

  /** Whether `handler` is a proved authority link (it counts as joined for the connection caps). */
  isMember(handler: Handler): boolean {
    return this.members.get(handler)?.hello !== undefined;
  }

  /**
   * The addresses peers may fail over to: ours and every linked authority's. Pushed by a member
   * even while it is alone, so peers drop addresses of authorities that died; none without a secret.
   */
  hosts(): string[] {
    if (this.deps.secret === undefined) return [];
    return [this.publicUrl, ...this.view.linked().map((entry) => entry.advertised)];
  }

  /**
   * Ours and every address a member proved itself under since start, dead ones included: the
   * origins whose pages may open our sockets (a dead member's tabs fail over from its pages).
   */
  memberUrls(): string[] {
    if (this.deps.secret === undefined) return [];
    return [this.publicUrl, ...this.view.provedUrls()];
  }

  summary(): { id: string; url: string; authorities: AuthoritySummary[] } {
    return {
      id: this.id, url: this.publicUrl,
      authorities: this.view.all().map((entry) => ({
        id: entry.id ?? null, url: entry.advertised, state: entry.state,
        peers: entry.member?.peers ?? 0, listed: entry.id === undefined ? 0 : this.directory.count(entry.id),
        lastHeardAt: entry.lastHeardMs ?? null,
      })),
    };
  }

  /** Up to `max` listening workers drawn uniformly from ours (but `excludeId`) and those other authorities listed. */
  sample(max: number, excludeId: string): string[] {
    const { registry, random } = this.deps;
    const local = registry.listeningCount - (registry.get(excludeId)?.state === 'listening' ? 1 : 0);
    const fromLocal = localShare(local, this.directory.size, max, random);
    const ids = [...registry.sampleListening(fromLocal, excludeId, random), ...this.directory.sample(max - fromLocal, random)];
    return [...new Set(ids)].filter((id) => id !== excludeId);
  }

  /**
   * Relays a signal to a peer held elsewhere: to the authority whose directory or route names it,
   * else to every linked authority; resolves once one delivered it, fails with PEER_GONE otherwise.
   */
  relay(from: string, to: string, payload: Record<string, string>): Promise<void> {
    const holder = this.directory.holder(to) ?? this.routes.get(to);
    const named = holder === undefined ? undefined : this.view.byId(holder)?.member;
    const targets = named ? [named] : this.linkedMembers();
    if (targets.length === 0) {
      return Promise.reject(new CommandError(ErrorCode.PEER_GONE, `peer "${to}" is not connected to this authority`));
    }
    return this.relays.start(to, targets.length, (token) => {
      for (const member of targets) member.handler.send('relay', { token, from, to, payload });
    });
  }

  private open(handler: Handler): Member {
    const member = new Member(handler, this.dialedLinks.get(handler.link));
    this.dialedLinks.delete(handler.link);
    this.members.set(handler, member);
    void handler.closed.then(() => this.lost(member));
    (handler as Handler<typeof authorityFromAuthority1>).send('challenge', { nonce: member.nonce });
    return member;
  }

  private commands(member: Member) {
    const provedId = (): string => {
      if (member.id === undefined) throw new CommandError(ErrorCode.NOT_JOINED, 'not linked: answer the challenge with "hello" first');
      this.heard(member);
      return member.id;
    };
    return {
      challenge: async ({ nonce }: { nonce: string }) => {
        const secret = this.refuseWithoutSecret(member);
        return ['hello', await makeHello(this.deps.identity, secret, nonce, this.publicUrl)] as const;
      },
      hello: async (hello: Hello) => {
        await this.prove(member, hello);
        this.linked(member, hello);
      },
      heartbeat: ({ peers }: { peers: number }) => {
        provedId();
        member.peers = peers;
      },
      authorities: ({ urls }: { urls: string[] }) => {
        provedId();
        this.learn(urls);
      },
      directory: ({ ids }: { ids: string[] }) => this.directory.replace(provedId(), ids),
      relay: ({ token, from, to, payload }: { token: string; from: string; to: string; payload: Record<string, string> }) => {
        this.routes.remember(from, provedId());
        try {
          relaySignal(this.deps.registry, from, to, payload);
          return ['relayed', { token }] as const;
        } catch (error) {
          if (!(error instanceof CommandError)) throw error;
          return ['undelivered', { token, code: error.code, message: error.message }] as const;
        }
      },
      relayed: ({ token }: { token: string }) => {
        provedId();
        this.relays.delivered(token);
      },
      undelivered: ({ token }: { token: string }) => {
        provedId();
        this.relays.undelivered(token);
      },
    };
  }

  private refuseWithoutSecret(member: Member): string {
    if (this.deps.secret !== undefined) return this.deps.secret;
    this.refuse(member, new CommandError(ErrorCode.NOT_MEMBER, 'this authority federates with no one (no --federation-secret)'));
  }

  private async prove(member: Member, hello: Hello): Promise<void> {
    const secret = this.refuseWithoutSecret(member);
    if (member.hello !== undefined) throw new CommandError(ErrorCode.ALREADY_JOINED, 'this link is linked already');
    try {
      await checkHello(hello, member.nonce, secret);
    } catch (error) {
      this.refuse(member, error);
    }
    if (hello.id === this.id) {
      const entry = member.dialedUrl === undefined ? undefined : this.view.get(member.dialedUrl);
      if (entry) this.view.markSelf(entry);
      this.refuse(member, new CommandError(ErrorCode.BAD_VALUE, 'this is a link to myself'));
    }
  }

  /** Refuses with `error` and closes the link once the refusal is on its way. */
  private refuse(member: Member, error: unknown): never {
    setImmediate(() => member.handler.close(`authority link refused: ${error instanceof Error ? error.message : String(error)}`));
    throw error;
  }

  private linked(member: Member, hello: Hello): void {
    if (member.handler.state !== 'declared') return;
    const entry = this.entryFor(member, hello);
    if (!entry) this.refuse(member, new CommandError(ErrorCode.BUSY, `this authority links to ${MAX_AUTHORITIES} authorities at most`));
    member.hello = hello;
    const other = this.view.byId(hello.id);
    if (other?.member && other.member !== member) {
      // Both dialed at once: each side keeps the link the smaller id dialed, so both keep the same one.
      const dialer = member.dialedUrl === undefined ? hello.id : this.id;
      if (dialer !== (this.id < hello.id ? this.id : hello.id)) {
        member.handler.close('duplicate authority link');
        return;
      }
      const old = other.member;
      other.member = undefined;
      if (other !== entry) other.state = AuthorityState.connecting;
      old.handler.close('duplicate authority link');
    }
    member.handler.displayName = authorityNodeName(hello.id);
    // Raised only once proved: a stranger on this link gets a peer's rate, not a federation's.
    member.handler.setLimits(AUTHORITY_LINK_LIMITS);
    this.view.linkedTo(entry, member);
    this.sendDirectory([member]);
    this.changed();
  }

  private entryFor(member: Member, hello: Hello): KnownAuthority | undefined {
    const url = member.dialedUrl ?? hello.url;
    this.view.add(url, false);
    return this.view.get(url);
  }

  private lost(member: Member): void {
    this.members.delete(member.handler);
    const entry = this.view.all().find((known) => known.member === member)
      ?? (member.dialedUrl === undefined ? undefined : this.view.get(member.dialedUrl));
    if (!entry || (entry.member !== undefined && entry.member !== member)) return;
    const wasLinked = entry.state === AuthorityState.linked;
    this.view.failed(entry);
    if (member.id !== undefined && this.view.byId(member.id) === undefined) {
      this.directory.drop(member.id);
      this.routes.forgetAuthority(member.id);
    }
    if (wasLinked) this.changed();
  }

  private heard(member: Member): void {
    const entry = this.view.all().find((known) => known.member === member);
    if (entry) entry.lastHeardMs = this.deps.clock();
  }

  private learn(urls: readonly string[]): void {
    for (const url of urls) {
      if (url !== this.publicUrl && !this.view.all().some((entry) => entry.advertised === url)) this.view.add(url, false);
    }
  }

  private changed(): void {
    const urls = this.hosts().slice(0, MAX_AUTHORITIES);
    for (const member of this.linkedMembers()) member.handler.send('authorities', { urls });
    this.deps.onChange();
  }

  private linkedMembers(): Member[] {
    return this.view.linked().flatMap((entry) => entry.member ?? []);
  }

  private sendDirectory(to: readonly Member[]): void {
    const { registry, random } = this.deps;
    const ids = registry.sampleListening(MAX_DIRECTORY_IDS, undefined, random);
    for (const member of to) member.handler.send('directory', { ids });
    if (to.length === this.linkedMembers().length) {
      this.lastDirectoryMs = this.deps.clock();
      this.lastDirectoryCount = registry.listeningCount;
    }
  }

  private tick(): void {
    const nowMs = this.deps.clock();
    for (const entry of this.view.due()) this.dial(entry);
    for (const [handler, member] of this.members) {
      const since = member.hello === undefined ? handler.openedMs : handler.lastFrameMs;
      const limitMs = member.hello === undefined ? HELLO_TIMEOUT_MS : this.deps.silenceMs;
      if (nowMs - since > limitMs) handler.close(member.hello ? `silent for more than ${limitMs} ms` : `no hello within ${limitMs} ms`);
    }
    const members = this.linkedMembers();
    if (nowMs - this.lastHeartbeatMs >= this.deps.heartbeatMs) {
      this.lastHeartbeatMs = nowMs;
      for (const member of members) member.handler.send('heartbeat', { peers: this.deps.registry.size });
    }
    const count = this.deps.registry.listeningCount;
    const moved = Math.abs(count - this.lastDirectoryCount) >= Math.max(1, this.lastDirectoryCount / 10);
    if (members.length > 0 && (moved || nowMs - this.lastDirectoryMs >= DIRECTORY_INTERVAL_MS)) this.sendDirectory(members);
    this.directory.expire();
  }

  private dial(entry: KnownAuthority): void {
    entry.dialing = true;
    dialAuthority(entry.url, {
      binding: this.binding, clock: this.deps.clock, log: this.deps.log,
      onLink: (link) => this.dialedLinks.set(link, entry.url),
    }).then((handler) => {
      entry.dialing = false;
      if (!this.members.has(handler)) handler.close('not an authority link');
    }, () => {
      if (entry.member === undefined) this.view.failed(entry);
      else entry.dialing = false;
    });
  }
}
