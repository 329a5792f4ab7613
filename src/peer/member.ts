// A tab's membership of the network: joins an authority when asked, in a role, and keeps what it
// learns. The worker and client roles build on it; the UI only reads it and calls join/leave.
import type { Identity } from '../protocol/identity.ts';
import type { WebSocketLike } from '../net/ws-link.ts';
import { AuthorityConnection, ConnectionState, type AuthorityRole } from './authority-connection.ts';
import { Options } from './options.ts';
import { EventLog, LOG_FLUSH_MS } from './event-log.ts';

export const MemberState = {
  idle: 'idle',
  joining: 'joining',
  joined: 'joined',
} as const;
export type MemberState = (typeof MemberState)[keyof typeof MemberState];

export interface MemberDeps {
  readonly identity: Promise<Identity>;
  readonly urls: readonly string[];
  readonly openSocket: (url: string) => WebSocketLike;
}

/** Emits `change` whenever anything shown on the page changes. */
export class Member extends EventTarget {
  state: MemberState = MemberState.idle;
  id: string | undefined;
  /** The key pair once loaded (IndexedDB or fresh). */
  protected identity: Identity | undefined;
  error: string | undefined;
  readonly options = new Options();
  protected connection: AuthorityConnection | undefined;
  /** Everything this tab records for the admin replay, shipped to the authority every 2 s. */
  readonly events = new EventLog((events) => {
    if (!this.connection?.can('log')) throw new Error('not joined, or the authority takes no log');
    this.connection.send('log', { events });
  });
  private logTimer: ReturnType<typeof setInterval> | undefined;

  constructor(readonly role: AuthorityRole, private readonly deps: MemberDeps) {
    super();
    void deps.identity.then((identity) => {
      this.id = identity.id;
      this.identity = identity;
      this.emitChange();
    }, (error: unknown) => this.fail(error instanceof Error && error.name === 'InsecureContextError' ? error.message : `no identity: ${String(error)}`));
  }

  /** The authority link's state: offline, connecting, joining, joined or stopped. */
  get connectionState(): ConnectionState {
    return this.connection?.state ?? ConnectionState.offline;
  }

  get authorityUrl(): string | undefined {
    return this.connection?.url;
  }

  get protocol(): string | undefined {
    return this.connection?.protocol;
  }

  get address(): string | undefined {
    return this.connection?.address;
  }

  /** Listening workers the authority told us about (other than us). */
  get peers(): readonly string[] {
    return this.connection?.peers ?? [];
  }

  async join(): Promise<void> {
    if (this.state !== MemberState.idle) return;
    this.setState(MemberState.joining);
    let identity: Identity;
    try {
      identity = await this.deps.identity;
    } catch {
      this.setState(MemberState.idle); // why is in `error` already (an insecure context, say)
      return;
    }
    const connection = new AuthorityConnection({
      role: this.role, identity, urls: this.deps.urls,
      openSocket: this.deps.openSocket, options: this.options, log: this.events.sink,
    });
    this.connection = connection;
    connection.addEventListener('change', () => this.onConnectionChange(connection));
    try {
      await connection.start();
    } catch (error) {
      if (this.connection === connection) this.fail(error instanceof Error ? error.message : String(error));
      return;
    }
    if (this.connection !== connection) return;
    clearInterval(this.logTimer);
    this.logTimer = setInterval(() => this.events.flush(), LOG_FLUSH_MS);
    this.onJoined(connection, await this.deps.identity);
  }

  /** Roles start their peer-network work here, once per join. */
  protected onJoined(_connection: AuthorityConnection, _identity: Identity): void {}

  /** And stop it here, before the authority link closes. */
  protected onLeaving(): void {}

  leave(): void {
    this.events.flush();
    clearInterval(this.logTimer);
    this.onLeaving();
    this.connection?.stop();
    this.connection = undefined;
    this.error = undefined;
    this.setState(MemberState.idle);
  }

  /** Re-reads the peer list now instead of waiting for the next periodic check. */
  refresh(): void {
    this.connection?.refresh();
  }

  /** A plain copy of what the page shows, for tests and the console. */
  snapshot() {
    return {
      role: this.role, state: this.state, id: this.id, connection: this.connectionState, authority: this.authorityUrl,
      protocol: this.protocol, address: this.address, peers: [...this.peers], error: this.error,
    };
  }

  private onConnectionChange(connection: AuthorityConnection): void {
    if (this.connection !== connection) return;
    this.error = connection.error;
    if (connection.state === ConnectionState.joined) this.state = MemberState.joined;
    else if (this.state === MemberState.joined) this.state = MemberState.joining; // reconnecting
    this.emitChange();
  }

  private fail(message: string): void {
    this.onLeaving();
    this.error = message;
    this.connection?.stop();
    this.connection = undefined;
    this.setState(MemberState.idle);
  }

  protected setState(state: MemberState): void {
    this.state = state;
    this.emitChange();
  }

  protected emitChange(): void {
    this.dispatchEvent(new Event('change'));
  }
}
