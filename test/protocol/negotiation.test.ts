import { describe, expect, it } from 'vitest';
import { NegotiationError, openClient } from '../../src/protocol/client.ts';
import { Server } from '../../src/protocol/server.ts';
import { memoryPair } from '../../src/net/memory-link.ts';
import { echo1, echo1Binding, echo2, echo2Binding, echoRegistry, testerBindings } from '../helpers/echo-protocols.ts';

function serverWith(bindings = [echo1Binding, echo2Binding]) {
  return new Server({ registry: echoRegistry(), bindings });
}

async function connect(server: Server, sends = [echo1, echo2]) {
  const [clientSide, serverSide] = memoryPair();
  server.accept(serverSide);
  const received: string[] = [];
  const handler = await openClient<typeof echo2>({ link: clientSide, sends, bindings: testerBindings(received) });
  return { handler, received };
}

/** Memory links deliver in microtasks: once they have all run, every frame sent so far is handled. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('protocol versions side by side', () => {
  it('serves a /1 peer and a /2 peer at the same time, each in its own version', async () => {
    const server = serverWith();
    const old = await connect(server, [echo1]);
    const current = await connect(server, [echo1, echo2]);
    expect(old.handler.outbound?.name).toBe('p2p:echo<-tester/1');
    expect(old.handler.inbound?.name).toBe('p2p:tester<-echo/1');
    expect(current.handler.outbound?.name).toBe('p2p:echo<-tester/2');
    expect(current.handler.inbound?.name).toBe('p2p:tester<-echo/2');
    old.handler.send('say', { text: 'hi' });
    current.handler.send('say', { text: 'hi' });
    current.handler.send('shout', { text: 'hi' });
    old.handler.link.send('shout hi'); // /1 has no shout: the server refuses it
    await settle();
    expect(old.received).toEqual(['said hi']);
    expect(current.received).toEqual(['said v2 hi', 'said HI']);
    expect(server.handlers.size).toBe(2);
  });

  it('falls back to the highest version the server knows', async () => {
    const server = serverWith([echo1Binding]);
    const { handler } = await connect(server, [echo1, echo2]);
    expect(handler.outbound?.name).toBe('p2p:echo<-tester/1');
    expect(handler.inbound?.name).toBe('p2p:tester<-echo/1');
  });

  it('fails with a clear error when no version is common', async () => {
    const server = serverWith([echo1Binding]);
    await expect(connect(server, [echo2])).rejects.toThrow(NegotiationError);
    await expect(connect(server, [echo2])).rejects.toThrow(
      'no common protocol: we offer p2p:echo<-tester/2; memory-b supports p2p:echo<-tester/1');
  });

  it('times out when the other side never answers the handshake', async () => {
    const [clientSide] = memoryPair();
    await expect(openClient({ link: clientSide, sends: [echo1], bindings: [], timeoutMs: 20 }))
      .rejects.toThrow('no protocol handshake from memory-b within 20 ms');
  });

  it('types the sending side from the outbound schema', async () => {
    const { handler, received } = await connect(serverWith());
    handler.send('add', { a: 1, b: 2 });
    await settle();
    expect(received).toEqual(['sum 3']);
  });

  it('forgets a link once it is closed', async () => {
    const server = serverWith();
    const { handler } = await connect(server);
    handler.close();
    await handler.closed;
    await settle();
    expect(server.handlers.size).toBe(0);
  });
});
