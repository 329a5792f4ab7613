// One peer's session at the authority: challenge, join, then the role's commands.
// The implementations of p2p:authority<-worker/1, /2 and p2p:authority<-client/1 live here.
import { CommandError, ErrorCode } from '../src/protocol/errors.ts';
import { formatList } from '../src/protocol/format.ts';
import { bind, type Binding, type Handler, type Reply } from '../src/protocol/handler.ts';
import { joinMessage, peerIdOfKey, verify } from '../src/protocol/identity.ts';
import { authorityFromClient1, authorityFromWorker1, authorityFromWorker2 } from '../src/protocol/protocols/index.ts';
import { PeerRole, PeerState, type PeerRecord, type PeerRegistry } from './registry.ts';
import { relaySignal } from './relay.ts';
import type { Payer, PointsDesk } from './points.ts';
import type { EventStore } from './event-store.ts';
import { readEvent } from '../src/protocol/events.ts';

/** Sample size of `peers`/`workers` replies without -max: 10 x max_peer_connections, as the original. */
export const DEFAULT_SAMPLE_SIZE = 40;

export interface SessionDeps {
  readonly registry: PeerRegistry;
  readonly clock: () => number;
  readonly random: () => number;
  /** Options pushed to each peer after the handshake, besides its observed address. */
  readonly pushedOptions: () => Record<string, string>;
  readonly points: PointsDesk;
  readonly events: EventStore;
}

interface JoinArgs { id: string; key: string; signature: string }

export class PeerSession {
  readonly nonce: string;
  peer: PeerRecord | undefined;
  /** The public key proved at join: points requests are verified against it. */
  private key = '';

  constructor(readonly handler: Handler, readonly role: PeerRole, private readonly deps: SessionDeps) {
    this.nonce = randomToken();
  }

  /** Sent right after the mirror `protocol`: what to sign, and how to behave. */
  greet(): void {
    this.handler.sendWords(['challenge', this.nonce]);
    const settings = { ...this.deps.pushedOptions(), address: this.handler.link.remote };
    this.handler.sendWords(['options', ...Object.entries(settings).flat()]);
  }

  async join({ id, key, signature }: JoinArgs): Promise<Reply> {
    if (this.peer) throw new CommandError(ErrorCode.BAD_VALUE, `already joined as "${this.peer.id}"`);
    if ((await peerIdOfKey(key)) !== id) {
      throw new CommandError(ErrorCode.BAD_SIGNATURE, `key does not match id "${id}": the id is the SHA-256 of the raw public key`);
    }
    if (!(await verify(key, joinMessage(this.nonce), signature))) {
      throw new CommandError(ErrorCode.BAD_SIGNATURE, 'bad signature: sign "peerfarm join <nonce>" with the key of the challenge');
    }
    if (this.handler.state !== 'declared') return undefined; // the link closed while we verified
    const record: PeerRecord = {
      id, role: this.role, handler: this.handler, address: this.handler.link.remote,
      joinedAt: this.deps.clock(), state: PeerState.joined, neighbours: [],
    };
    this.deps.registry.add(record)?.handler.close('replaced by a newer connection of the same peer');
    this.peer = record;
    this.key = key;
    this.handler.displayName = id; // the authority's own events name the peer, not its address
    this.deps.points.onJoin(id, record.address);
    return ['welcome', id];
  }

  joined(): PeerRecord {
    if (!this.peer) throw new CommandError(ErrorCode.NOT_JOINED, 'not joined: answer the challenge with "join" first');
    return this.peer;
  }

  /** Stores the events this peer shipped, under its joined id whatever they claim. */
  log(entries: readonly string[]): Reply {
    const node = this.joined().id;
    for (const json of entries) {
      const event = readEvent(json, node);
      if (event) this.deps.events.add(event);
    }
    return undefined;
  }

  /** The joined peer as the points desk sees it. */
  payer(): Payer {
    return { id: this.joined().id, key: this.key };
  }

  sample(reply: string, max = DEFAULT_SAMPLE_SIZE): Reply {
    const me = this.joined();
    return [reply, formatList(this.deps.registry.sampleListening(max, me.id, this.deps.random))];
  }

  signal(to: string, payload: Record<string, string>): Reply {
    relaySignal(this.deps.registry, this.joined().id, to, payload);
    return undefined;
  }

  leave(): void {
    if (this.peer) this.deps.registry.remove(this.peer.id, this.handler);
  }
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The authority's inbound protocols, each bound to a session per link. */
export function authorityBindings(sessions: Map<Handler, PeerSession>, deps: SessionDeps): Binding[] {
  const open = (handler: Handler, role: PeerRole): PeerSession => {
    const session = new PeerSession(handler, role, deps);
    sessions.set(handler, session);
    return session;
  };
  // Commands every joined peer has, whatever its role and version.
  const memberCommands = (session: PeerSession) => ({
    join: (args: JoinArgs) => session.join(args),
    heartbeat: () => void session.joined(),
    signal: (args: { to: string; payload: Record<string, string> }) => session.signal(args.to, args.payload),
  });
  // The points and event commands of p2p:authority<-worker/2 and p2p:authority<-client/1.
  const pointsCommands = (session: PeerSession) => ({
    balance: () => deps.points.balance(session.payer()),
    history: ({ limit }: { limit?: number }) => deps.points.history(session.payer(), limit),
    log: ({ events }: { events: string[] }) => session.log(events),
  });
  const workerCommands = (session: PeerSession) => ({
    ...memberCommands(session),
    listening: () => {
      session.joined().state = PeerState.listening;
    },
    peers: (args: { max?: number }) => session.sample('peers', args.max),
  });
  return [
    bind(authorityFromWorker1, (handler) => workerCommands(open(handler, PeerRole.worker))),
    bind(authorityFromWorker2, (handler) => {
      const session = open(handler, PeerRole.worker);
      return {
        ...workerCommands(session),
        ...pointsCommands(session),
        neighbours: ({ ids }) => {
          session.joined().neighbours = ids;
        },
        record: () => deps.points.record(session.payer()),
      };
    }),
    bind(authorityFromClient1, (handler) => {
      const session = open(handler, PeerRole.client);
      return {
        ...memberCommands(session),
        ...pointsCommands(session),
        workers: (args) => session.sample('workers', args.max),
        award: (args) => deps.points.award(session.payer(), args),
        settle: (args) => deps.points.settle(session.payer(), args),
      };
    }),
  ];
}
