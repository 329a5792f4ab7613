// What a joined worker does on the peer network: accept WebRTC links (overlay neighbours and
// clients), keep the overlay, and answer and flood solicits. Built at join, stopped at leave.
import { openClient } from '../protocol/client.ts';
import { bind } from '../protocol/handler.ts';
import {
  clientFromWorker1, clientFromWorker2, clientFromWorker3, createRegistry, peerFromWorker1, workerFromClient1, workerFromClient2,
  workerFromClient3, workerFromPeer1,
} from '../protocol/protocols/index.ts';
import { PEER_LINK_LIMITS } from '../protocol/protocols/peer-common.ts';
import { Server } from '../protocol/server.ts';
import type { AuthorityConnection } from './authority-connection.ts';
import type { Bid } from './bids.ts';
import type { ClientLink, JobService } from './farm/job-service.ts';
import type { EventLog } from './event-log.ts';
import type { Options } from './options.ts';
import { Overlay, type Neighbour, type OverlayHandler } from './overlay.ts';
import { PeerLinks } from './peer-links.ts';
import { Solicitations, type SolicitArgs } from './solicitations.ts';

/** Links from clients (submit pages) a worker keeps at once, besides its overlay links. */
export const MAX_CLIENT_LINKS = 16;

export interface WorkerNetworkDeps {
  readonly authority: AuthorityConnection;
  readonly options: Options;
  readonly ownBid: () => Bid;
  /** Runs the job series clients open on their links. */
  readonly jobs: JobService;
  readonly events: EventLog;
  readonly onChange: () => void;
}

interface PeerCommandsDeps {
  readonly overlay: Overlay;
  readonly solicitations: Solicitations;
}

/** The commands both directions of an overlay link understand. */
export function overlayCommands(handler: OverlayHandler, { overlay, solicitations }: PeerCommandsDeps) {
  const remote = handler.link.remote;
  return {
    ping: ({ token }: { token: string }) => ['pong', { token }] as const,
    pong: ({ token }: { token: string }) => overlay.onPong(token),
    solicit: (args: SolicitArgs) => solicitations.onSolicit(args, (token, bids) => handler.send('proffer', { token, bids }), remote),
    proffer: ({ token, bids }: { token: string; bids: string[] }) => solicitations.onProffer(token, bids, remote),
  };
}

export class WorkerNetwork {
  neighbours: readonly Neighbour[] = [];
  readonly overlay: Overlay;
  private readonly solicitations: Solicitations;
  private readonly links: PeerLinks;
  private readonly server: Server;
  private readonly rebuildTimer: ReturnType<typeof setInterval>;
  private lastPeers: readonly string[] | undefined;
  private readonly onPeers = (): void => {
    const { peers } = this.deps.authority;
    if (peers === this.lastPeers) return; // a state change, not a fresh list
    this.lastPeers = peers;
    void this.overlay.onPeers(peers);
  };

  constructor(private readonly deps: WorkerNetworkDeps) {
    const { authority, options } = deps;
    this.overlay = new Overlay({
      selfId: authority.id,
      connect: (id) => this.connect(id),
      maxOutbound: () => Number(options.get('max_peer_connections')),
      onChange: (neighbours) => this.onNeighbours(neighbours),
      onGone: (id) => this.solicitations.onNeighbourGone(id),
    });
    this.solicitations = new Solicitations({
      selfId: authority.id,
      neighbours: () => this.overlay.handlers(),
      ownBid: deps.ownBid,
      ttl: () => Number(options.get('peer_time_to_live')),
    });
    const commands = { overlay: this.overlay, solicitations: this.solicitations };
    this.server = new Server({
      registry: createRegistry(),
      limits: PEER_LINK_LIMITS,
      log: deps.events.sink,
      bindings: [
        bind(workerFromPeer1, peerFromWorker1, (handler) => overlayCommands(handler, commands)),
        // Every version of the client protocol, one implementation: /2 adds the batched commands, /3 args and logs.
        bind(workerFromClient1, clientFromWorker1, (handler) => this.clientCommands(handler as ClientLink)),
        bind(workerFromClient2, clientFromWorker2, (handler) => this.clientCommands(handler as ClientLink)),
        bind(workerFromClient3, clientFromWorker3, (handler) => this.clientCommands(handler as ClientLink)),
      ],
      onProtocol: (handler) => {
        if (handler.inbound?.name === workerFromPeer1.name) this.overlay.addInbound(handler.link.remote, handler as OverlayHandler);
      },
    });
    this.links = new PeerLinks({
      authority, options,
      admit: (from) => this.admit(from),
      onInbound: (link) => void this.server.accept(link),
    });
    authority.addEventListener('change', this.onPeers);
    this.onPeers();
    this.rebuildTimer = setInterval(() => void this.overlay.rebuild(), Number(options.get('time_between_network_rebuilds')));
  }

  private clientCommands(handler: ClientLink) {
    return {
      ping: ({ token }: { token: string }) => ['pong', { token }] as const,
      solicit: (args: SolicitArgs) => this.solicitations.onSolicit(args, (token, bids) => handler.send('proffer', { token, bids }), handler.link.remote),
      ...this.deps.jobs.commands(handler),
    };
  }

  stop(): void {
    clearInterval(this.rebuildTimer);
    this.deps.authority.removeEventListener('change', this.onPeers);
    this.solicitations.stop();
    this.overlay.stop();
    this.server.close('leaving');
    this.links.stop();
  }

  private admit(from: string): string | undefined {
    const limit = this.overlay.maxInbound + MAX_CLIENT_LINKS;
    if (this.server.handlers.size >= limit) return `inbound links full (${limit})`;
    return undefined;
  }

  private async connect(id: string): Promise<OverlayHandler> {
    const link = await this.links.dial(id);
    const commands = { overlay: this.overlay, solicitations: this.solicitations };
    return openClient<typeof workerFromPeer1>({
      link,
      limits: PEER_LINK_LIMITS,
      log: this.deps.events.sink,
      sends: [workerFromPeer1],
      bindings: [bind(peerFromWorker1, workerFromPeer1, (handler) => overlayCommands(handler, commands))],
    });
  }

  private onNeighbours(neighbours: readonly Neighbour[]): void {
    this.neighbours = neighbours;
    const ids = neighbours.map((neighbour) => neighbour.id);
    this.deps.authority.reportNeighbours(ids);
    this.deps.events.record({ t: Date.now(), kind: 'overlay', ids, text: `connected to peers: ${ids.join(' ')}` });
    this.deps.onChange();
  }
}
