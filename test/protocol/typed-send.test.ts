// Outgoing commands are typed from the same schema tables as incoming ones: a misspelt, misordered
// or mistyped command, sent or returned as a reply, fails to compile (`npm test` runs tsc first;
// each @ts-expect-error below fails the type check if the line it marks ever compiles).
import { describe, expect, expectTypeOf, it } from 'vitest';
import { memoryPair } from '../../src/net/memory-link.ts';
import { bind, Handler, type Command } from '../../src/protocol/handler.ts';
import {
  authorityFromClient2, authorityFromWorker1, authorityFromWorker2, clientFromWorker1, workerFromAuthority1, workerFromClient1,
} from '../../src/protocol/protocols/index.ts';

describe('typed sending', () => {
  it('types each command of a protocol as its name with its arguments', () => {
    expectTypeOf<Command<typeof clientFromWorker1>>().toMatchTypeOf<readonly [string, object]>();
    type Pull = Extract<Command<typeof clientFromWorker1>, readonly ['pull', unknown]>[1];
    type Series = Extract<Command<typeof workerFromClient1>, readonly ['series', unknown]>[1];
    expectTypeOf<Pull['series']>().toEqualTypeOf<string>();
    expectTypeOf<Pull['count']>().toEqualTypeOf<number>();
    expectTypeOf<Series['code']>().toEqualTypeOf<string>();
    expectTypeOf<Series['timeout']>().toEqualTypeOf<number | undefined>();
  });

  it('refuses to compile a misspelt, misordered or mistyped command, and encodes a good one', () => {
    const [near, far] = memoryPair();
    const frames: string[] = [];
    far.onframe = (frame) => frames.push(frame);
    const handler = new Handler<typeof workerFromClient1>({ link: near, accepts: new Map() });
    handler.declare(workerFromClient1);
    const wrong = () => {
      // @ts-expect-error: no such command
      handler.send('jobs', { series: 's', lease: 'l', input: '1' });
      // @ts-expect-error: an argument misnamed
      handler.send('job', { series: 's', leas: 'l', input: '1' });
      // @ts-expect-error: an argument of the wrong type
      handler.send('cancel', { series: 's', lease: 7 });
      // @ts-expect-error: a command of the other direction
      handler.send('pull', { series: 's', count: 1 });
    };
    void wrong;
    handler.send('job', { series: 's1', lease: 'l1', input: '{"n": 1}' });
    return new Promise<void>((resolve) => setImmediate(() => {
      expect(frames).toEqual(['protocol p2p:worker<-client/1', 'job s1 l1 {{"n": 1}}']);
      resolve();
    }));
  });

  it('types replies by the mirror protocol named in bind()', () => {
    bind(workerFromClient1, clientFromWorker1, () => ({
      ping: ({ token }) => ['pong', { token }],
      // @ts-expect-error: a reply that is not a command of the mirror protocol
      solicit: () => ['solicited', {}],
      series: ({ series }) => ['key', { series, key: 'AAAA' }],
      job: () => undefined,
      cancel: () => undefined,
      end: () => undefined,
    }));
    expect(() => bind(workerFromClient1, workerFromAuthority1 as never, () => ({}) as never))
      .toThrow('bind: p2p:worker<-authority/1 is not the mirror of p2p:worker<-client/1');
  });

  it('allows across versions only what they share, and the rest by sendAny after can()', () => {
    const handler = new Handler<typeof authorityFromWorker1 | typeof authorityFromWorker2 | typeof authorityFromClient2>({ link: memoryPair()[0], accepts: new Map() });
    const compileOnly = () => {
      handler.send('heartbeat', {});
      // @ts-expect-error: only /2 of the worker protocol has neighbours
      handler.send('neighbours', { ids: [] });
      if (handler.can('neighbours')) handler.sendAny('neighbours', { ids: [] });
      // @ts-expect-error: sendAny still checks the arguments against the version that has the command
      handler.sendAny('neighbours', { ids: 'x' });
    };
    void compileOnly;
    handler.declare(authorityFromWorker1);
    expect(handler.can('neighbours')).toBe(false);
    expect(() => handler.sendAny('neighbours', { ids: [] })).toThrow('Handler.send: "neighbours" is not a command of p2p:authority<-worker/1');
  });
});
