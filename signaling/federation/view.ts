// What one authority knows of the others: each by the URL it was dialed or announced at, its id
// once proved, its link state, and when to dial it again. Seeds stay known for good; an address
// learnt by gossip is forgotten after a few failed dials, so a dead one does not linger.
import type { Handler } from '../../src/protocol/handler.ts';
import { MAX_AUTHORITIES } from '../../src/protocol/protocols/authority-authority.ts';
import { randomHex } from '../../src/protocol/random.ts';
import type { Hello } from './membership.ts';

/** As a peer's challenge (session.ts): 144 bits never repeat. */
const NONCE_BYTES = 18;

export const AuthorityState = { connecting: 'connecting', linked: 'linked', dead: 'dead' } as const;
export type AuthorityState = (typeof AuthorityState)[keyof typeof AuthorityState];

/** First redial of a lost or unreachable authority, doubled on each failure up to the maximum. */
export const REDIAL_FIRST_MS = 500;
export const REDIAL_MAX_MS = 30_000;
/** Failed dials after which an address learnt by gossip (not a seed) is forgotten. */
export const MAX_GOSSIP_FAILURES = 5;

/** One authority link, dialed or accepted; `hello` is set once the other side has proved itself. */
export class Member {
  readonly nonce = randomHex(NONCE_BYTES);
  hello: Hello | undefined;
  /** Peers the other authority holds, from its last heartbeat. */
  peers = 0;

  constructor(readonly handler: Handler, readonly dialedUrl: string | undefined) {}

  get id(): string | undefined {
    return this.hello?.id;
  }
}

export interface KnownAuthority {
  readonly url: string;
  readonly seed: boolean;
  id: string | undefined;
  state: AuthorityState;
  member: Member | undefined;
  /** The URL it announced in its hello: what peers are told (authority_hosts). */
  advertised: string;
  dialing: boolean;
  redialMs: number;
  redialAtMs: number;
  failures: number;
  lastHeardMs: number | undefined;
  /** Our own address (a seed list shared by all members names every one): never dialed again. */
  self: boolean;
}

/** Addresses of proved members remembered for their pages' origins, newest kept. */
export const MAX_PROVED_URLS = 256;

export class FederationView {
  private readonly known = new Map<string, KnownAuthority>();
  /**
   * Every address a member proved itself under, dead ones too (newest last): the tabs of an
   * authority that died fail over from its pages, after it has left the view.
   */
  private readonly proved = new Set<string>();

  constructor(private readonly clock: () => number) {}

  all(): KnownAuthority[] {
    return [...this.known.values()].filter((entry) => !entry.self);
  }

  linked(): KnownAuthority[] {
    return this.all().filter((entry) => entry.state === AuthorityState.linked);
  }

  get(url: string): KnownAuthority | undefined {
    return this.known.get(url);
  }

  byId(id: string): KnownAuthority | undefined {
    return this.all().find((entry) => entry.id === id && entry.member?.hello !== undefined);
  }

  /** Adds an address to dial; false when the view is full (MAX_AUTHORITIES) or it is known already. */
  add(url: string, seed: boolean): boolean {
    if (this.known.has(url) || this.known.size >= MAX_AUTHORITIES) return false;
    this.known.set(url, {
      url, seed, id: undefined, state: AuthorityState.connecting, member: undefined, advertised: url,
      dialing: false, redialMs: REDIAL_FIRST_MS, redialAtMs: this.clock(), failures: 0, lastHeardMs: undefined, self: false,
    });
    return true;
  }

  /** Entries due for a dial: not linked, not being dialed, not ourselves, past their backoff. */
  due(): KnownAuthority[] {
    const nowMs = this.clock();
    return this.all().filter((entry) => entry.member === undefined && !entry.dialing && entry.redialAtMs <= nowMs
      && (entry.id === undefined || this.byId(entry.id) === undefined));
  }

  /** The addresses members proved themselves under since start (bounded), dead ones too. */
  provedUrls(): string[] {
    return [...this.proved];
  }

  linkedTo(entry: KnownAuthority, member: Member): void {
    this.proved.delete(member.hello!.url);
    this.proved.add(member.hello!.url);
    if (this.proved.size > MAX_PROVED_URLS) this.proved.delete(this.proved.values().next().value!);
    Object.assign(entry, {
      id: member.id, state: AuthorityState.linked, member, advertised: member.hello!.url,
      redialMs: REDIAL_FIRST_MS, failures: 0, lastHeardMs: this.clock(),
    });
  }

  /** The link of `entry` is gone or a dial failed: back off before the next dial, or forget a gossiped address. */
  failed(entry: KnownAuthority): void {
    entry.member = undefined;
    entry.dialing = false;
    if (entry.state === AuthorityState.linked) entry.state = AuthorityState.dead;
    entry.failures++;
    entry.redialAtMs = this.clock() + entry.redialMs;
    entry.redialMs = Math.min(entry.redialMs * 2, REDIAL_MAX_MS);
    if (!entry.seed && entry.failures >= MAX_GOSSIP_FAILURES) this.known.delete(entry.url);
  }

  markSelf(entry: KnownAuthority): void {
    Object.assign(entry, { self: true, member: undefined, dialing: false });
  }
}
