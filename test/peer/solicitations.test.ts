import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryPair } from '../../src/net/memory-link.ts';
import { openClient } from '../../src/protocol/client.ts';
import { bind, Handler } from '../../src/protocol/handler.ts';
import { formatList } from '../../src/protocol/format.ts';
import { parseList } from '../../src/protocol/parse.ts';
import { createRegistry, peerFromWorker1, workerFromPeer1 } from '../../src/protocol/protocols/index.ts';
import { Server } from '../../src/protocol/server.ts';
import { decodeBids } from '../../src/peer/bids.ts';
import type { Overlay, OverlayHandler } from '../../src/peer/overlay.ts';
import { hopWaitMs, Solicitations } from '../../src/peer/solicitations.ts';
import { overlayCommands } from '../../src/peer/worker-network.ts';

const id = (n: number) => n.toString(16).padStart(32, '0');
const noOverlay = { onPong: () => undefined } as unknown as Overlay;

interface Node {
  readonly id: string;
  readonly neighbours: Map<string, OverlayHandler>;
  readonly solicitations: Solicitations;
  readonly server: Server;
}

function node(n: number, ttl: number): Node {
  const neighbours = new Map<string, OverlayHandler>();
  const solicitations = new Solicitations({
    selfId: id(n), neighbours: () => neighbours, ttl: () => ttl,
    ownBid: () => ({ id: id(n), slots: 1, price: n, wonks: 1000 * n, jobs: 0, valid: 1, caps: [] }),
  });
  const server = new Server({
    registry: createRegistry(),
    bindings: [bind(workerFromPeer1, peerFromWorker1, (handler) => overlayCommands(handler, { overlay: noOverlay, solicitations }))],
    onProtocol: (handler) => void neighbours.set(handler.link.remote, handler as OverlayHandler),
  });
  return { id: id(n), neighbours, solicitations, server };
}

async function link(a: Node, b: Node): Promise<OverlayHandler> {
  const [atA, atB] = memoryPair(a.id, b.id);
  b.server.accept(atB);
  const handler = await openClient<typeof workerFromPeer1>({
    link: atA, sends: [workerFromPeer1],
    bindings: [bind(peerFromWorker1, workerFromPeer1, (h) => overlayCommands(h, { overlay: noOverlay, solicitations: a.solicitations }))],
  });
  a.neighbours.set(b.id, handler);
  return handler;
}

/** A client's solicit into `entry`: returns the proffer frames the client receives. */
function ask(entry: Node, token = 't1'): string[] {
  const received: string[] = [];
  const upstream = (answer: string, bids: string[]) => void received.push(formatList(['proffer', answer, formatList(bids)]));
  entry.solicitations.onSolicit({ job: { id: 'job-1' }, token }, upstream, 'c'.repeat(32));
  return received;
}

/** A neighbour that takes solicits and never answers. */
function silentNeighbour(of: Node): OverlayHandler {
  const handler = new Handler<typeof workerFromPeer1>({ link: memoryPair('x', of.id)[0], accepts: new Map() });
  handler.declare(workerFromPeer1);
  return handler;
}

function bidIds(frame: string): string[] {
  const [, , bids] = parseList(frame);
  return decodeBids(parseList(bids!)).map((bid) => bid.id).sort();
}

/** Memory links deliver in microtasks: once they have all run, every frame sent so far is handled. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.useRealTimers();
});

describe('the solicit flood', () => {
  it('collects the bids of every worker within peer_time_to_live hops of a chain', async () => {
    const nodes = [1, 2, 3, 4, 5].map((n) => node(n, 4));
    for (let i = 0; i < 4; i++) await link(nodes[i]!, nodes[i + 1]!);
    const received = ask(nodes[0]!);
    await settle();
    expect(received).toHaveLength(1);
    expect(bidIds(received[0]!)).toEqual([id(1), id(2), id(3), id(4)]);
  });

  it('merges a mesh into one bid per worker', async () => {
    const nodes = [1, 2, 3, 4].map((n) => node(n, 4));
    for (const [a, b] of [[0, 1], [0, 2], [1, 2], [1, 3], [2, 3], [3, 0]] as const) await link(nodes[a]!, nodes[b]!);
    const received = ask(nodes[0]!);
    await settle();
    expect(received).toHaveLength(1);
    expect(bidIds(received[0]!)).toEqual([id(1), id(2), id(3), id(4)]);
  });

  it('answers after the hop timeout when a neighbour stays silent, and ignores its late proffer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const [a, b] = [node(1, 4), node(2, 4)];
    await link(a, b);
    const silent = silentNeighbour(a);
    a.neighbours.set(id(9), silent);
    const received = ask(a);
    await vi.advanceTimersByTimeAsync(hopWaitMs(4, 0) - 100);
    expect(received).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(received).toHaveLength(1);
    expect(bidIds(received[0]!)).toEqual([id(1), id(2)]);
    a.solicitations.onProffer('s1', [`id ${id(9)} slots 1 price 1 wonks 1 jobs 0 valid 1`], id(9));
    await vi.advanceTimersByTimeAsync(10);
    expect(received).toHaveLength(1);
  });

  it('answers at once when the only missing neighbour dies', async () => {
    const a = node(1, 4);
    a.neighbours.set(id(9), silentNeighbour(a));
    const received = ask(a);
    a.neighbours.delete(id(9));
    a.solicitations.onNeighbourGone(id(9));
    await settle();
    expect(bidIds(received[0]!)).toEqual([id(1)]);
  });

  it('answers a second route of the same job with no bids, so nothing is counted twice', async () => {
    const a = node(1, 4);
    a.neighbours.set(id(9), silentNeighbour(a));
    ask(a, 't1');
    const second = ask(a, 't2');
    await settle();
    expect(second).toEqual(['proffer t2 {}']);
  });

  it('waits less at each hop further from the client', () => {
    expect([0, 1, 2, 3].map((hops) => hopWaitMs(4, hops))).toEqual([6000, 5000, 4000, 3000]);
  });
});
