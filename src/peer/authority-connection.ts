// A tab's one link to an authority: connect (authorities tried in random order), negotiate the
// protocol version, answer the challenge, then keep alive, refresh the peer list and relay signals.
// Reconnects with backoff when the link drops.
import { openClient } from '../protocol/client.ts';
import { bind, type AnyCommand, type Binding, type Handler, type LogEvent } from '../protocol/handler.ts';
import { joinMessage, sign, type Identity } from '../protocol/identity.ts';
import {
  authorityFromClient1, authorityFromClient2, authorityFromClient3, authorityFromWorker1, authorityFromWorker2,
  clientFromAuthority1, clientFromAuthority2, clientFromAuthority3, workerFromAuthority1, workerFromAuthority2,
} from '../protocol/protocols/index.ts';
import { shuffle } from '../protocol/random.ts';
import type { ProtocolSpec } from '../protocol/registry.ts';
import { openWebSocketLink, type WebSocketLike } from '../net/ws-link.ts';
import type { Options } from './options.ts';

export const ConnectionState = {
  offline: 'offline',
  connecting: 'connecting',
  joining: 'joining',
  joined: 'joined',
  stopped: 'stopped',
} as const;
export type ConnectionState = (typeof ConnectionState)[keyof typeof ConnectionState];

export type AuthorityRole = 'worker' | 'client';

/** An unreachable authority must not hang the page: give up on it after this. */
export const CONNECT_TIMEOUT_MS = 5000;
/** Reconnect backoff: first delay and ceiling. */
export const RECONNECT_FIRST_MS = 1000;
export const RECONNECT_MAX_MS = 30_000;

export interface AuthorityConnectionDeps {
  readonly role: AuthorityRole;
  readonly identity: Identity;
  /** ws:// URLs; the option authority_hosts, when pushed, replaces them for reconnects. */
  readonly urls: readonly string[];
  readonly openSocket: (url: string) => WebSocketLike;
  readonly options: Options;
  /** Where the link's traffic is recorded (src/peer/event-log.ts). */
  readonly log?: (event: LogEvent) => void;
  readonly random?: () => number;
}

/** Every version this tab may speak to an authority, in either role. */
type AuthorityOut = typeof authorityFromWorker1 | typeof authorityFromWorker2 | typeof authorityFromClient1 | typeof authorityFromClient2
  | typeof authorityFromClient3;
/** A command to the authority: one of any version; `send` checks the negotiated one has it. */
export type AuthorityCommand = AnyCommand<AuthorityOut>;

/** What each role offers (highest first after sorting) and accepts; mirrors pair by version. */
const PROTOCOLS: Record<AuthorityRole, { sends: ProtocolSpec[]; accepts: ProtocolSpec[]; list: 'peers' | 'workers' }> = {
  worker: { sends: [authorityFromWorker1, authorityFromWorker2], accepts: [workerFromAuthority1, workerFromAuthority2], list: 'peers' },
  client: {
    sends: [authorityFromClient1, authorityFromClient2, authorityFromClient3],
    accepts: [clientFromAuthority1, clientFromAuthority2, clientFromAuthority3],
    list: 'workers',
  },
};

/** Answers to points requests, dispatched as `reply` events for src/peer/points-client.ts. */
const REPLY_COMMANDS = ['balance', 'history', 'record', 'awarded', 'settled', 'refused', 'escrowed', 'paid', 'released'] as const;

export interface ReplyEventDetail {
  readonly command: (typeof REPLY_COMMANDS)[number];
  readonly args: Record<string, unknown>;
}

export interface SignalEventDetail {
  readonly from: string;
  readonly payload: Record<string, string>;
}

/**
 * Emits `change` on any state or list change, `signal` (CustomEvent<SignalEventDetail>), `reply`,
 * and `joined` after every welcome (the first and each rejoin), so requests left unanswered by a
 * dropped link can be sent again.
 */
export class AuthorityConnection extends EventTarget {
  state: ConnectionState = ConnectionState.offline;
  url: string | undefined;
  protocol: string | undefined;
  /** This tab's address as the authority sees it. */
  address: string | undefined;
  peers: readonly string[] = [];
  error: string | undefined;

  private handler: Handler<AuthorityOut> | undefined;
  private timers: ReturnType<typeof setInterval>[] = [];
  private retryDelayMs = RECONNECT_FIRST_MS;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly deps: AuthorityConnectionDeps) {
    super();
  }

  get id(): string {
    return this.deps.identity.id;
  }

  /** Connects and joins; resolves once joined, rejects when no authority could be reached. */
  async start(): Promise<void> {
    if (this.state !== ConnectionState.offline) return;
    this.setState(ConnectionState.connecting);
    const urls = shuffle(this.candidateUrls(), this.deps.random ?? Math.random);
    const failures: string[] = [];
    for (const url of urls) {
      try {
        await this.connect(url);
        return;
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
        if ((this.state as ConnectionState) === ConnectionState.stopped) return;
      }
    }
    this.fail(`no authority reachable: ${failures.join('; ')}`);
    throw new Error(this.error);
  }

  stop(): void {
    this.setState(ConnectionState.stopped);
    clearTimeout(this.retryTimer);
    this.clearTimers();
    this.handler?.close('leaving');
  }

  /** Asks for a fresh sample of peers (workers for a client). */
  refresh(): void {
    if (this.state === ConnectionState.joined) this.handler?.sendAny(PROTOCOLS[this.deps.role].list, {});
  }

  /** Tells the authority our overlay neighbours (for /api/peers); only `/2` links carry it. */
  reportNeighbours(ids: readonly string[]): void {
    if (this.state === ConnectionState.joined && this.handler?.can('neighbours')) this.handler.sendAny('neighbours', { ids: [...ids] });
  }

  signal(to: string, payload: Record<string, string>): void {
    if (this.state !== ConnectionState.joined) throw new Error(`AuthorityConnection.signal: not joined (state ${this.state})`);
    this.handler!.send('signal', { to, payload });
  }

  private async connect(url: string): Promise<void> {
    this.url = url;
    const link = await openWebSocketLink(this.deps.openSocket(url), url, CONNECT_TIMEOUT_MS);
    const { sends, accepts } = PROTOCOLS[this.deps.role];
    const joined = new Promise<void>((resolve, reject) => {
      const bindings = accepts.map((spec) => this.binding(spec, resolve));
      openClient<AuthorityOut>({
        link, sends, bindings, onException: (message) => this.onException(message, reject),
        ...(this.deps.log && { log: this.deps.log }),
      })
        .then((handler) => {
          this.handler = handler;
          this.protocol = handler.outbound?.name;
          this.setState(ConnectionState.joining);
          void handler.closed.then((reason) => {
            reject(new Error(`${url}: ${reason}`));
            this.onClosed(handler, reason);
          });
        }, reject);
    });
    await joined;
  }

  private binding(spec: ProtocolSpec, joined: () => void): Binding {
    const onList = ({ ids }: { ids: string[] }) => {
      this.peers = ids;
      this.emitChange();
    };
    const mirror = PROTOCOLS[this.deps.role].sends.find((out) => out.version === spec.version)!;
    // One implementation serves every version; each command exists in some of them.
    return bind(spec as typeof workerFromAuthority1, mirror as typeof authorityFromWorker1, (handler) => ({
      challenge: ({ nonce }) => this.answerChallenge(handler as Handler<AuthorityOut>, nonce),
      options: ({ settings }) => this.applyOptions(settings),
      welcome: () => {
        this.onWelcome(handler as Handler<AuthorityOut>);
        joined();
      },
      peers: onList,
      workers: onList,
      signal: ({ from, payload }) => {
        this.dispatchEvent(new CustomEvent<SignalEventDetail>('signal', { detail: { from, payload } }));
      },
      ...Object.fromEntries(REPLY_COMMANDS.map((command) => [command, (args: Record<string, unknown>) => {
        this.dispatchEvent(new CustomEvent<ReplyEventDetail>('reply', { detail: { command, args } }));
      }])),
    }));
  }

  /** Whether the negotiated protocol is `name` (e.g. the /2 whose points requests carry a token). */
  speaks(name: string): boolean {
    return this.handler?.outbound?.name === name;
  }

  /** Whether the negotiated protocol has `command` (versions differ). */
  can(command: string): boolean {
    return this.state === ConnectionState.joined && this.handler !== undefined && this.handler.can(command);
  }

  /** Sends a command (a points request answers with a `reply` event); throws when not joined. */
  send<const C extends AuthorityCommand>(...command: C): void {
    if (this.state !== ConnectionState.joined || !this.handler) {
      throw new Error(`AuthorityConnection.send("${command[0]}"): not joined (state ${this.state})`);
    }
    this.handler.sendAny(...command);
  }

  private async answerChallenge(handler: Handler<AuthorityOut>, nonce: string): Promise<void> {
    const { identity } = this.deps;
    const signature = await sign(identity, joinMessage(nonce));
    handler.send('join', { id: identity.id, key: identity.publicKey, signature });
  }

  private applyOptions(settings: Record<string, string>): void {
    const { address, ...rest } = settings;
    this.address = address;
    this.deps.options.apply(rest);
    this.emitChange();
  }

  private onWelcome(handler: Handler<AuthorityOut>): void {
    this.retryDelayMs = RECONNECT_FIRST_MS;
    this.error = undefined;
    if (this.deps.role === 'worker') handler.sendAny('listening', {});
    this.setState(ConnectionState.joined);
    this.refresh();
    const { options } = this.deps;
    this.clearTimers();
    this.timers.push(
      setInterval(() => handler.send('heartbeat', {}), options.get('heartbeat_interval_ms')),
      setInterval(() => this.refresh(), options.get('time_between_authority_checks')),
    );
    this.dispatchEvent(new Event('joined'));
  }

  private onException(message: string, reject: (error: Error) => void): void {
    this.error = message;
    this.emitChange();
    if (this.state !== ConnectionState.joined) reject(new Error(`authority refused: ${message}`));
  }

  private onClosed(handler: Handler<AuthorityOut>, reason: string): void {
    if (this.handler !== handler) return;
    this.handler = undefined;
    this.clearTimers();
    if (this.state === ConnectionState.stopped) return;
    const wasJoined = this.state === ConnectionState.joined;
    this.peers = [];
    this.protocol = undefined;
    this.address = undefined;
    this.fail(`link to ${this.url} closed: ${reason}`);
    if (wasJoined) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, RECONNECT_MAX_MS);
    this.retryTimer = setTimeout(() => {
      this.start().catch(() => this.scheduleReconnect());
    }, delay);
  }

  private candidateUrls(): string[] {
    const pushed = String(this.deps.options.get('authority_hosts')).split(/\s+/).filter(Boolean);
    return pushed.length > 0 ? pushed : [...this.deps.urls];
  }

  private fail(message: string): void {
    this.error = message;
    this.setState(ConnectionState.offline);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.emitChange();
  }

  private emitChange(): void {
    this.dispatchEvent(new Event('change'));
  }
}
