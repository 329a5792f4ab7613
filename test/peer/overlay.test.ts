import { describe, expect, it } from 'vitest';
import { memoryPair } from '../../src/net/memory-link.ts';
import { until } from '../helpers/until.ts';
import { bind, Handler } from '../../src/protocol/handler.ts';
import { peerFromWorker1, workerFromPeer1 } from '../../src/protocol/protocols/index.ts';
import { Direction, Overlay, type Neighbour, type OverlayHandler } from '../../src/peer/overlay.ts';

const id = (n: number) => n.toString(16).padStart(32, '0');

/** An overlay whose candidates answer pings after `rttMs[id]` ms (never, when absent). */
function setup(rttMs: Record<string, number>, max = 2) {
  const changes: Neighbour[][] = [];
  const gone: string[] = [];
  const dialed: string[] = [];
  const overlay: Overlay = new Overlay({
    selfId: id(0),
    maxOutbound: () => max,
    random: () => 0.5,
    onChange: (neighbours) => changes.push([...neighbours]),
    onGone: (peer) => gone.push(peer),
    connect: async (peer) => {
      dialed.push(peer);
      const [near, far] = memoryPair(peer, id(0));
      const handler: OverlayHandler = new Handler<typeof workerFromPeer1>({
        link: near,
        accepts: new Map([[peerFromWorker1.name, bind(peerFromWorker1, workerFromPeer1, () => ({
          ping: () => undefined, solicit: () => undefined, proffer: () => undefined,
          pong: ({ token }) => overlay.onPong(token),
        }))]]),
      });
      handler.declare(workerFromPeer1);
      far.onframe = (frame) => {
        const [command, token] = frame.split(' ');
        if (command === 'protocol') return;
        const delay = rttMs[peer];
        if (command === 'ping' && delay !== undefined) setTimeout(() => far.send(`pong ${token}`), delay);
      };
      far.send(`protocol ${peerFromWorker1.name}`);
      return handler;
    },
  });
  return { overlay, changes, gone, dialed };
}

const outbound = (overlay: Overlay) => overlay.list().filter((n) => n.direction === Direction.outbound).map((n) => n.id).sort();

describe('Overlay', () => {
  it('keeps the max_peer_connections fastest candidates of a fresh peer list', async () => {
    const { overlay } = setup({ [id(1)]: 40, [id(2)]: 1, [id(3)]: 20, [id(4)]: 60 });
    await overlay.onPeers([id(0), id(1), id(2), id(3), id(4)]);
    expect(outbound(overlay)).toEqual([id(2), id(3)]);
  });

  it('leaves out a candidate that never answers its ping', async () => {
    const { overlay } = setup({ [id(1)]: 5 }, 2);
    await overlay.onPeers([id(1), id(2)]);
    expect(outbound(overlay)).toEqual([id(1)]);
  }, 10_000);

  it('replaces a neighbour that dies, at once', async () => {
    const { overlay, gone } = setup({ [id(1)]: 1, [id(2)]: 2, [id(3)]: 3 }, 2);
    await overlay.onPeers([id(1), id(2)]);
    await overlay.onPeers([id(1), id(2), id(3)]);
    overlay.list().find((n) => n.id === id(1))!.handler.close('died');
    await until(() => gone.length === 1 && outbound(overlay).length === 2);
    expect(gone).toEqual([id(1)]);
    expect(outbound(overlay)).toEqual([id(2), id(3)]);
  });

  it('caps inbound links at twice max_peer_connections', () => {
    const { overlay } = setup({}, 2);
    for (let n = 1; n <= 4; n++) overlay.addInbound(id(n), new Handler<typeof workerFromPeer1>({ link: memoryPair()[0], accepts: new Map() }));
    expect(overlay.refusal(id(5))).toBe('inbound overlay links full (4)');
    expect(overlay.refusal(id(1))).toBe('already neighbours');
  });

  it('turns an inbound link around when it has no candidate of its own', async () => {
    const { overlay, dialed } = setup({ [id(1)]: 1 }, 2);
    overlay.addInbound(id(1), new Handler<typeof workerFromPeer1>({ link: memoryPair()[0], accepts: new Map() }));
    await overlay.onPeers([id(1)]);
    expect(dialed).toEqual([id(1)]);
    expect(overlay.list().map((n) => [n.id, n.direction])).toEqual([[id(1), 'outbound']]);
  });

  it('does not turn back a link its peer has just turned around (two workers used to flip it at every refresh)', async () => {
    const { overlay, dialed } = setup({ [id(1)]: 1 }, 2);
    await overlay.onPeers([id(1)]);
    expect(overlay.list().map((n) => [n.id, n.direction])).toEqual([[id(1), 'outbound']]);
    overlay.addInbound(id(1), new Handler<typeof workerFromPeer1>({ link: memoryPair()[0], accepts: new Map() }));
    await overlay.onPeers([id(1)]);
    await overlay.rebuild();
    expect(dialed).toEqual([id(1)]);
    expect(overlay.list().map((n) => [n.id, n.direction])).toEqual([[id(1), 'inbound']]);
  });

  it('does not turn back a link its peer closed before dialing back (the order a real reversal takes)', async () => {
    const { overlay, dialed } = setup({ [id(1)]: 1 }, 2);
    await overlay.onPeers([id(1)]);
    overlay.list()[0]!.handler.close('reversing the link: this side has no outbound neighbour');
    await until(() => overlay.list().length === 0);
    overlay.addInbound(id(1), new Handler<typeof workerFromPeer1>({ link: memoryPair()[0], accepts: new Map() }));
    for (let refresh = 0; refresh < 3; refresh++) await overlay.onPeers([id(1)]);
    await overlay.rebuild();
    expect(dialed).toEqual([id(1)]);
    expect(overlay.list().map((n) => [n.id, n.direction])).toEqual([[id(1), 'inbound']]);
  });

  it('turns a given peer around once, not at every refresh', async () => {
    const { overlay, dialed } = setup({ [id(1)]: 1 }, 2);
    overlay.addInbound(id(1), new Handler<typeof workerFromPeer1>({ link: memoryPair()[0], accepts: new Map() }));
    await overlay.onPeers([id(1)]);
    overlay.list()[0]!.handler.close('reversing the link: this side has no outbound neighbour');
    await until(() => overlay.list().length === 0);
    overlay.addInbound(id(1), new Handler<typeof workerFromPeer1>({ link: memoryPair()[0], accepts: new Map() }));
    for (let refresh = 0; refresh < 3; refresh++) await overlay.onPeers([id(1)]);
    expect(dialed).toEqual([id(1)]);
  });
});
