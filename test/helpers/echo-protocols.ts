// A small protocol family for exercising the Handler machinery over memory links.
import { bind } from '../../src/protocol/handler.ts';
import { defineProtocol, ProtocolRegistry } from '../../src/protocol/registry.ts';

export const echo1 = defineProtocol({
  receiver: 'echo', sender: 'tester', version: 1, summary: 'test',
  commands: {
    say: { args: [{ name: 'text', type: 'string' }], reply: 'said', doc: 'echoes' },
    add: { args: [{ name: 'a', type: 'int' }, { name: 'b', type: 'int' }], reply: 'sum', doc: 'adds' },
    quiet: { args: [], reply: '', doc: 'no reply' },
    boom: { args: [], reply: '', doc: 'throws a bug' },
    slow: { args: [{ name: 'ms', type: 'int', min: 0, max: 1000 }], reply: 'done', doc: 'async' },
  },
});

export const echo2 = defineProtocol({
  receiver: 'echo', sender: 'tester', version: 2, summary: 'test',
  commands: {
    ...{ say: echo1.commands.say, add: echo1.commands.add },
    shout: { args: [{ name: 'text', type: 'string' }], reply: 'said', doc: 'upper-cases' },
  },
});

const answers = { said: { args: [{ name: 'text', type: 'string' }], reply: '', doc: '' }, done: { args: [], reply: '', doc: '' } } as const;
export const tester1 = defineProtocol({ receiver: 'tester', sender: 'echo', version: 1, summary: 'test', commands: { ...answers, sum: { args: [{ name: 'n', type: 'int' }], reply: '', doc: '' } } });
export const tester2 = defineProtocol({ receiver: 'tester', sender: 'echo', version: 2, summary: 'test', commands: { ...answers, sum: { args: [{ name: 'n', type: 'int' }], reply: '', doc: '' } } });

export function echoRegistry(): ProtocolRegistry {
  return new ProtocolRegistry().register(echo1, echo2, tester1, tester2);
}

export const echo1Binding = bind(echo1, tester1, () => ({
  say: ({ text }) => ['said', { text }],
  add: ({ a, b }) => ['sum', { n: a + b }],
  quiet: () => undefined,
  boom: () => {
    throw new Error('a bug with a secret stack');
  },
  slow: async ({ ms }) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return ['done', {}];
  },
}));

export const echo2Binding = bind(echo2, tester2, () => ({
  say: ({ text }) => ['said', { text: `v2 ${text}` }],
  add: ({ a, b }) => ['sum', { n: a + b }],
  shout: ({ text }) => ['said', { text: text.toUpperCase() }],
}));

/** The tester side records what it is told. */
export function testerBindings(received: string[]) {
  const commands = {
    said: ({ text }: { text: string }) => void received.push(`said ${text}`),
    sum: ({ n }: { n: number }) => void received.push(`sum ${n}`),
    done: () => void received.push('done'),
  };
  return [bind(tester1, echo1, () => commands), bind(tester2, echo2, () => commands)];
}
