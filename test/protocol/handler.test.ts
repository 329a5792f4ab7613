import { describe, expect, it } from 'vitest';
import { Handler, type LogEvent } from '../../src/protocol/handler.ts';
import { memoryPair } from '../../src/net/memory-link.ts';
import { until } from '../helpers/until.ts';
import { echo1, echo1Binding, echo2Binding } from '../helpers/echo-protocols.ts';

/** One Handler accepting the echo protocols, and a bare link on the other end recording replies (declarations apart). */
function setup(limits = {}, clock?: () => number) {
  const [near, far] = memoryPair('echo-side', 'tester');
  const log: LogEvent[] = [];
  const handler = new Handler({
    link: near,
    accepts: new Map([[echo1.name, echo1Binding], ['p2p:echo<-tester/2', echo2Binding]]),
    limits,
    log: (event) => log.push(event),
    ...(clock && { clock }),
  });
  const replies: string[] = [];
  const declared: string[] = [];
  far.onframe = (frame) => (frame.startsWith('protocol ') ? declared : replies).push(frame);
  /** Memory links deliver in microtasks: once they have all run, every frame sent so far is handled. */
const settle = () => new Promise((resolve) => setImmediate(resolve));
  const send = async (...frames: string[]) => {
    for (const frame of frames) far.send(frame);
    await settle();
  };
  return { handler, far, replies, declared, send, log };
}

describe('Handler before the handshake', () => {
  it('answers any command but protocol and exception with the DEFAULT usage', async () => {
    const { send, replies, handler } = setup();
    await send('say hi');
    expect(replies).toEqual(['exception {bad command "say": should be exception or protocol}']);
    expect(handler.state).toBe('undeclared');
  });

  it('refuses an unknown protocol, lists the supported ones and stays undeclared', async () => {
    const { send, replies, handler } = setup();
    await send('protocol p2p:echo<-tester/9');
    expect(replies).toEqual([
      'exception {protocol "p2p:echo<-tester/9" not recognized; supported: p2p:echo<-tester/1, p2p:echo<-tester/2}',
    ]);
    expect(handler.state).toBe('undeclared');
    await send('protocol p2p:echo<-tester/1', 'say ok');
    expect(replies.at(-1)).toBe('said ok');
  });

  it('answers an accepted declaration with the mirror protocol at the same version', async () => {
    const { send, declared, handler } = setup();
    await send('protocol p2p:echo<-tester/2');
    expect(declared).toEqual(['protocol p2p:tester<-echo/2']);
    expect(handler.outbound?.name).toBe('p2p:tester<-echo/2');
  });

  it('checks the arguments of protocol itself', async () => {
    const { send, replies } = setup();
    await send('protocol');
    expect(replies).toEqual(['exception {wrong # args: should be "protocol name"}']);
  });
});

describe('Handler after the handshake', () => {
  it('sends back a non-empty return value as the reply', async () => {
    const { send, replies } = setup();
    await send('protocol p2p:echo<-tester/1', 'say {hello world}', 'add 2 40', 'quiet');
    expect(replies).toEqual(['said {hello world}', 'sum 42']);
  });

  it('lets a protocol be declared only once', async () => {
    const { send, replies } = setup();
    await send('protocol p2p:echo<-tester/1', 'protocol p2p:echo<-tester/2');
    expect(replies).toEqual(['exception {bad command "protocol": should be add, boom, exception, identity, quiet, say, or slow}']);
  });

  it('answers an unknown command with the sorted command list', async () => {
    const { send, replies } = setup();
    await send('protocol p2p:echo<-tester/2', 'toString');
    expect(replies).toEqual(['exception {bad command "toString": should be add, exception, identity, say, or shout}']);
  });

  it('answers a schema violation with Tcl usage', async () => {
    const { send, replies } = setup();
    await send('protocol p2p:echo<-tester/1', 'add 1', 'add 1 x');
    expect(replies).toEqual([
      'exception {wrong # args: should be "add a b"}',
      'exception {expected integer but got "x"}',
    ]);
  });

  it('never evaluates brackets or dollars', async () => {
    const { send, replies } = setup();
    await send('protocol p2p:echo<-tester/1', 'say [exec]$HOME', 'say "[exec rm -rf /] $HOME"');
    expect(replies).toEqual(['said {[exec]$HOME}', 'said {[exec rm -rf /] $HOME}']);
  });

  it('answers a malformed frame with a parse exception and keeps the link usable', async () => {
    const { send, replies, handler } = setup();
    await send('protocol p2p:echo<-tester/1', 'say {unbalanced', 'say "x"y', 'say ok');
    expect(replies).toEqual([
      'exception {malformed command: unmatched open brace in list}',
      'exception {malformed command: list element in quotes followed by "y" instead of space}',
      'said ok',
    ]);
    expect(handler.state).toBe('declared');
  });

  it('refuses a frame above the size limit before parsing it', async () => {
    const { send, replies } = setup({ maxFrameBytes: 64 });
    await send('protocol p2p:echo<-tester/1', `say {${'é'.repeat(40)}`);
    expect(replies).toEqual(['exception {frame of 85 bytes exceeds the limit of 64 bytes}']);
  });

  it('never answers an exception, so two peers cannot ping-pong', async () => {
    const { send, replies } = setup();
    await send('exception {you did wrong}', 'exception', 'exception {a} {b} {c}');
    expect(replies).toEqual([]);
  });

  it('hides the detail of an internal error from the peer', async () => {
    const { send, replies } = setup();
    const original = console.error;
    console.error = () => undefined;
    try {
      await send('protocol p2p:echo<-tester/1', 'boom');
    } finally {
      console.error = original;
    }
    expect(replies).toEqual(['exception {internal error}']);
  });

  it('sets the display name of the link with identity', async () => {
    const { send, handler } = setup();
    await send('protocol p2p:echo<-tester/1', 'identity alice');
    expect(handler.displayName).toBe('alice (tester)');
  });

  it('waits for an asynchronous command and replies when it is done', async () => {
    const { send, replies } = setup();
    await send('protocol p2p:echo<-tester/1', 'slow 20', 'say after');
    expect(replies).toEqual(['said after']);
    await until(() => replies.length === 2);
    expect(replies).toEqual(['said after', 'done']);
  });

  it('logs each inbound command with ok or exception', async () => {
    const { send, log } = setup();
    await send('protocol p2p:echo<-tester/1', 'nope');
    expect(log.filter((event) => event.kind === 'in').map((event) => [event.text, event.result])).toEqual([
      ['protocol p2p:echo<-tester/1', 'ok'],
      ['nope', 'exception'],
    ]);
  });
});

describe('Handler rate limit', () => {
  it('drops commands past the burst and says so once per second', async () => {
    let now = 0;
    const { send, replies } = setup({ commandsPerSecond: 2, burstCommands: 3 }, () => now);
    await send('protocol p2p:echo<-tester/1', 'say 1', 'say 2', 'say 3', 'say 4');
    expect(replies).toEqual(['said 1', 'said 2', 'exception {rate limit exceeded: more than 2 commands per second}']);
    now = 1000;
    await send('say 5');
    expect(replies.at(-1)).toBe('said 5');
  });
});

describe('Handler sending side', () => {
  it('refuses to send a command before declaring an outbound protocol', () => {
    const { handler } = setup();
    expect(() => handler.send('identity', { name: 'x' })).toThrow('Handler.send("identity"): no outbound protocol declared yet');
  });

  it('resolves closed with the reason when the link closes', async () => {
    const { handler, far } = setup();
    far.close('bye');
    expect(await handler.closed).toBe('bye');
    expect(handler.state).toBe('closed');
  });
});
