// One peer's session at the authority: challenge, join, then the role's commands.
// The implementations of p2p:authority<-worker/1, /2 and p2p:authority<-client/1, /2, /3 live here.
import { CommandError, ErrorCode } from '../src/protocol/errors.ts';
import { bind, type Binding, type Handler } from '../src/protocol/handler.ts';
import { joinMessage, peerIdOfKey, verify } from '../src/protocol/identity.ts';
import {
  authorityFromClient1, authorityFromClient2, authorityFromClient3, authorityFromWorker1, authorityFromWorker2,
  clientFromAuthority1, clientFromAuthority2, clientFromAuthority3, workerFromAuthority1, workerFromAuthority2,
} from '../src/protocol/protocols/index.ts';
import { PeerRole, PeerState, type AuthorityLink, type PeerRecord, type PeerRegistry } from './registry.ts';
import { relaySignal } from './relay.ts';
import type { BatchResults, Payer, PointsDesk } from './points.ts';
import type { EventStore } from './event-store.ts';
import { readEvent } from '../src/protocol/events.ts';
import { redactTurnCredential } from './turn.ts';
import { randomHex } from '../src/protocol/random.ts';

/** Sample size of `peers`/`workers` replies without -max: 10 x max_peer_connections, as the original. */
export const DEFAULT_SAMPLE_SIZE = 40;

export interface SessionDeps {
  readonly registry: PeerRegistry;
  readonly clock: () => number;
  readonly random: () => number;
  /**
   * Options pushed to each peer after the handshake, besides its observed address; `token` names
   * the link in what is minted for it alone (the TURN username).
   */
  readonly pushedOptions: (token: string) => Record<string, string>;
  readonly points: PointsDesk;
  readonly events: EventStore;
  /** Other authorities' workers in samples, and signals to peers they hold (signaling/federation). */
  readonly federation?: RemotePeers | undefined;
}

export interface RemotePeers {
  sample(max: number, excludeId: string): string[];
  relay(from: string, to: string, payload: Record<string, string>): Promise<void>;
}

interface JoinArgs { id: string; key: string; signature: string }

export class PeerSession {
  readonly nonce: string;
  peer: PeerRecord | undefined;
  /** The public key proved at join: points requests are verified against it. */
  private key = '';
  /** The join being verified: a link holds one identity, so a second join waits on the first. */
  private joining: { id: string; done: Promise<void> } | undefined;
  /** When `options` last went out (their TURN credentials are renewed from it). */
  optionsSentAtMs: number | undefined;

  constructor(readonly handler: AuthorityLink, readonly role: PeerRole, private readonly deps: SessionDeps) {
    this.nonce = randomHex(18);
  }

  /** Sent right after the mirror `protocol`: what to sign, and how to behave. */
  greet(): void {
    this.handler.send('challenge', { nonce: this.nonce });
    this.sendOptions();
  }

  /** Pushes the options, with credentials minted now; again when they near their expiry. */
  sendOptions(): void {
    if (this.handler.state !== 'declared') return;
    this.optionsSentAtMs = this.deps.clock();
    this.handler.send('options', { settings: { ...this.deps.pushedOptions(this.nonce), address: this.handler.link.remote } });
  }

  /**
   * Proves the identity. A repeated join of the same id on this link is answered again (no second
   * grant, no second registration); a join of another id, or one whose proof fails, is refused
   * and closes the link, so a link never holds two identities and never a half-proved one.
   */
  async join({ id, key, signature }: JoinArgs): Promise<void> {
    const current = this.peer?.id ?? this.joining?.id;
    if (current === id) {
      await this.joining?.done;
      if (!this.peer) throw new CommandError(ErrorCode.NOT_JOINED, 'the first join of this id was refused');
      return;
    }
    if (current !== undefined) this.refuseJoin(ErrorCode.ALREADY_JOINED, `this link has joined as "${current}" already; one identity per link`);
    let finish!: () => void;
    this.joining = { id, done: new Promise((resolve) => (finish = resolve)) };
    try {
      await this.prove(id, key, signature);
      if (this.handler.state !== 'declared') return; // the link closed while we verified
      // Before it is registered: a joined peer always has its account (a ledger down refuses the join).
      await this.deps.points.admit(id, this.handler.link.remote, this.role === PeerRole.client);
      if (this.handler.state !== 'declared') return;
      this.register(id, key);
    } finally {
      this.joining = undefined;
      finish();
    }
  }

  private async prove(id: string, key: string, signature: string): Promise<void> {
    if ((await peerIdOfKey(key)) !== id) {
      this.refuseJoin(ErrorCode.BAD_SIGNATURE, `key does not match id "${id}": the id is the SHA-256 of the raw public key`);
    }
    if (!(await verify(key, joinMessage(this.nonce), signature))) {
      this.refuseJoin(ErrorCode.BAD_SIGNATURE, 'bad signature: sign "peerfarm join <nonce>" with the key of the challenge');
    }
  }

  private register(id: string, key: string): void {
    const record: PeerRecord = {
      id, role: this.role, handler: this.handler, address: this.handler.link.remote,
      joinedAt: this.deps.clock(), state: PeerState.joined, neighbours: [],
    };
    this.deps.registry.add(record)?.handler.close('replaced by a newer connection of the same peer');
    this.peer = record;
    this.key = key;
    this.handler.displayName = id; // the authority's own events name the peer, not its address
  }

  /** Refuses a join with `code` and closes the link once the refusal is on its way. */
  private refuseJoin(code: ErrorCode, message: string): never {
    setImmediate(() => this.handler.close(`join refused: ${message}`));
    throw new CommandError(code, message);
  }

  joined(): PeerRecord {
    if (!this.peer) throw new CommandError(ErrorCode.NOT_JOINED, 'not joined: answer the challenge with "join" first');
    return this.peer;
  }

  /** Stores the events this peer shipped, under its joined id whatever they claim. */
  log(entries: readonly string[]): void {
    const node = this.joined().id;
    for (const json of entries) {
      const event = readEvent(json, node);
      if (event) this.deps.events.add(event.text === undefined ? event : { ...event, text: redactTurnCredential(event.text) });
    }
  }

  /** The joined peer as the points desk sees it. */
  payer(): Payer {
    return { id: this.joined().id, key: this.key };
  }

  sample(max = DEFAULT_SAMPLE_SIZE): string[] {
    const me = this.joined();
    if (this.deps.federation) return this.deps.federation.sample(max, me.id);
    return this.deps.registry.sampleListening(max, me.id, this.deps.random);
  }

  /** Relayed here when the target is ours; else through the federation, answered once another authority delivered it. */
  signal(to: string, payload: Record<string, string>): void | Promise<void> {
    const from = this.joined().id;
    if (this.deps.registry.get(to) !== undefined || !this.deps.federation || to === from) {
      return relaySignal(this.deps.registry, from, to, payload);
    }
    return this.deps.federation.relay(from, to, payload);
  }

  leave(): void {
    this.deps.points.forget(this.handler);
    if (this.peer) this.deps.registry.remove(this.peer.id, this.handler);
  }
}


/** A refused /2 points request: its token, the catalogue code and the message. */
function refusal(token: string, error: unknown): readonly ['refused', { token: string; code: string; message: string }] {
  if (!(error instanceof CommandError)) throw error;
  return ['refused', { token, code: error.code, message: error.message }];
}

/** The authority's inbound protocols, each bound to a session per link. */
export function authorityBindings(sessions: Map<Handler, PeerSession>, deps: SessionDeps): Binding[] {
  const open = (handler: Handler, role: PeerRole): PeerSession => {
    // Each binding's handler is typed by its own mirror; the session sends only what all share.
    const session = new PeerSession(handler as unknown as AuthorityLink, role, deps);
    sessions.set(handler, session);
    return session;
  };
  // Commands every joined peer has, whatever its role and version.
  const memberCommands = (session: PeerSession) => ({
    join: async (args: JoinArgs) => {
      await session.join(args);
      return ['welcome', { id: args.id }] as const;
    },
    heartbeat: () => void session.joined(),
    signal: (args: { to: string; payload: Record<string, string> }) => session.signal(args.to, args.payload),
  });
  // The points reads and the event log of p2p:authority<-worker/2 and p2p:authority<-client/1, /2.
  const pointsCommands = (session: PeerSession) => ({
    balance: async () => ['balance', await deps.points.balance(session.payer())] as const,
    history: async ({ limit }: { limit?: number }) => ['history', { entries: await deps.points.history(session.payer(), limit) }] as const,
    log: ({ events }: { events: string[] }) => session.log(events),
  });
  const workerCommands = (session: PeerSession) => ({
    ...memberCommands(session),
    listening: () => deps.registry.listen(session.joined()),
    peers: (args: { max?: number }) => ['peers', { ids: session.sample(args.max) }] as const,
  });
  const clientCommands = (session: PeerSession) => ({
    ...memberCommands(session),
    ...pointsCommands(session),
    workers: (args: { max?: number }) => ['workers', { ids: session.sample(args.max) }] as const,
  });
  const batch = async (handler: Handler, session: PeerSession, kind: 'award' | 'settle', args: { entries: string[]; signature: string }): Promise<BatchResults> =>
    deps.points[kind](handler, session.payer(), args);
  // award and settle of /2 and /3: the answer, or the refusal, repeats the request's token.
  const tokenBatches = (handler: Handler, session: PeerSession) => ({
    award: ({ token, ...args }: { token: string; entries: string[]; signature: string }) => batch(handler, session, 'award', args)
      .then((results) => ['awarded', { token, results }] as const, (error: unknown) => refusal(token, error)),
    settle: ({ token, ...args }: { token: string; entries: string[]; signature: string }) => batch(handler, session, 'settle', args)
      .then((results) => ['settled', { token, results }] as const, (error: unknown) => refusal(token, error)),
  });
  return [
    bind(authorityFromWorker1, workerFromAuthority1, (handler) => workerCommands(open(handler, PeerRole.worker))),
    bind(authorityFromWorker2, workerFromAuthority2, (handler) => {
      const session = open(handler, PeerRole.worker);
      return {
        ...workerCommands(session),
        ...pointsCommands(session),
        neighbours: ({ ids }) => {
          session.joined().neighbours = ids;
        },
        record: async () => ['record', await deps.points.record(session.payer())],
      };
    }),
    bind(authorityFromClient1, clientFromAuthority1, (handler) => {
      const session = open(handler, PeerRole.client);
      return {
        ...clientCommands(session),
        award: async (args) => ['awarded', { results: await batch(handler, session, 'award', args) }],
        settle: async (args) => ['settled', { results: await batch(handler, session, 'settle', args) }],
      };
    }),
    bind(authorityFromClient2, clientFromAuthority2, (handler) => {
      const session = open(handler, PeerRole.client);
      return { ...clientCommands(session), ...tokenBatches(handler, session) };
    }),
    bind(authorityFromClient3, clientFromAuthority3, (handler) => {
      const session = open(handler, PeerRole.client);
      return {
        ...clientCommands(session),
        ...tokenBatches(handler, session),
        escrow: ({ token, ...args }) => deps.points.escrow(handler, session.payer(), args)
          .then((result) => ['escrowed', { token, result }] as const, (error: unknown) => refusal(token, error)),
        pay: ({ token, ...args }) => deps.points.pay(handler, session.payer(), args)
          .then((results) => ['paid', { token, results }] as const, (error: unknown) => refusal(token, error)),
        release: ({ token, ...args }) => deps.points.release(handler, session.payer(), args)
          .then(({ result, amount }) => ['released', { token, result, amount }] as const, (error: unknown) => refusal(token, error)),
      };
    }),
  ];
}
