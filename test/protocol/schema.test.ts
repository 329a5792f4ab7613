import { describe, expect, expectTypeOf, it } from 'vitest';
import { CommandError } from '../../src/protocol/errors.ts';
import { parseCommand } from '../../src/protocol/parse.ts';
import { signalFrom, signalTo } from '../../src/protocol/protocols/common.ts';
import { checkArgs, encodeArgs, oneOf, usage, type ArgsOf, type CommandSpec } from '../../src/protocol/schema.ts';

const solicit = {
  args: [{ name: 'job', type: 'string' }, { name: 'hops', type: 'int', optional: true, min: 0, max: 10 }],
  options: { '-path': { type: 'list' }, '-token': { type: 'token' }, '-urgent': { type: 'flag' } },
  reply: 'proffer',
  doc: 'test',
} as const satisfies CommandSpec;

const options = {
  args: [{ name: 'settings', type: 'string', variadic: 'pairs' }],
  reply: '',
  doc: 'test',
} as const satisfies CommandSpec;

function refusal(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof CommandError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a CommandError');
}

describe('checkArgs', () => {
  it('returns typed values for positionals and options', () => {
    expect(checkArgs('solicit', solicit, ['-path', 'a {b c}', '-token', 't1', '-urgent', 'job1', '3'])).toEqual({
      path: ['a', 'b c'], token: 't1', urgent: true, job: 'job1', hops: 3,
    });
  });

  it('leaves an optional argument out when it is not given', () => {
    expect(checkArgs('solicit', solicit, ['x'])).toEqual({ job: 'x' });
  });

  it('answers a missing argument with the usage line', () => {
    expect(refusal(() => checkArgs('solicit', solicit, []))).toEqual({
      code: 'WRONG_ARGS',
      message: 'wrong # args: should be "solicit ?-path P? ?-token T? ?-urgent? job ?hops?"',
    });
  });

  it('answers an extra argument with the usage line', () => {
    expect(refusal(() => checkArgs('solicit', solicit, ['a', '1', 'extra'])).code).toBe('WRONG_ARGS');
  });

  it('names the valid options for an unknown one', () => {
    expect(refusal(() => checkArgs('solicit', solicit, ['-pth', 'x', 'job'])).message)
      .toBe('bad option "-pth": must be -path, -token, or -urgent');
  });

  it('reads words after -- as positionals even when they start with a dash', () => {
    expect(checkArgs('solicit', solicit, ['--', '-job-', '2'])).toEqual({ job: '-job-', hops: 2 });
  });

  it('refuses an option without its value', () => {
    expect(refusal(() => checkArgs('solicit', solicit, ['-token'])).code).toBe('WRONG_ARGS');
  });

  it('refuses a non-integer in Tcl wording', () => {
    expect(refusal(() => checkArgs('solicit', solicit, ['j', '1.5'])).message).toBe('expected integer but got "1.5"');
  });

  it('refuses an integer out of range', () => {
    expect(refusal(() => checkArgs('solicit', solicit, ['j', '11'])).message).toBe('"hops" must be between 0 and 10, got 11');
  });

  it('refuses a malformed list with the parser message', () => {
    expect(refusal(() => checkArgs('solicit', solicit, ['-path', '{a', 'j'])).message).toBe('unmatched open brace in list');
  });

  it('refuses a token with spaces', () => {
    expect(refusal(() => checkArgs('solicit', solicit, ['-token', 'a b', 'j'])).message).toBe('expected token but got "a b"');
  });

  it('collects variadic pairs into a dictionary', () => {
    expect(checkArgs('options', options, ['a', '1', 'b', '2'])).toEqual({ settings: { a: '1', b: '2' } });
  });

  it('refuses an odd number of variadic pair words', () => {
    expect(refusal(() => checkArgs('options', options, ['a'])).message)
      .toBe('wrong # args: should be "options ?settingsKey settingsValue ...?"');
  });

  it('refuses an argument longer than its byte limit', () => {
    const spec = { args: [{ name: 'name', type: 'string', maxBytes: 4 }], reply: '', doc: '' } as const satisfies CommandSpec;
    expect(refusal(() => checkArgs('identity', spec, ['abcde'])).code).toBe('ARG_TOO_LONG');
  });

  it('refuses a list with more items than allowed', () => {
    const spec = { args: [{ name: 'ids', type: 'list', maxItems: 2 }], reply: '', doc: '' } as const satisfies CommandSpec;
    expect(refusal(() => checkArgs('peers', spec, ['a b c'])).message).toBe('"ids" has more than 2 items');
  });
});

describe('encodeArgs', () => {
  it('writes options first and round-trips through checkArgs', () => {
    const args = { job: 'a b', hops: 2, path: ['x', 'y z'], token: 't', urgent: true };
    const words = encodeArgs('solicit', solicit, args);
    expect(words).toEqual(['solicit', '-path', 'x {y z}', '-token', 't', '-urgent', 'a b', '2']);
    expect(checkArgs('solicit', solicit, words.slice(1))).toEqual(args);
  });

  it('protects a first positional that starts with a dash', () => {
    expect(encodeArgs('solicit', solicit, { job: '-x' })).toEqual(['solicit', '--', '-x']);
  });
});

describe('forward arguments', () => {
  const from = 'a'.repeat(32);
  const to = 'b'.repeat(32);

  it('reads the arguments after index `from` of a parsed command line', () => {
    expect(checkArgs('signal', signalTo, parseCommand(`signal ${to} {type offer}`), 1)).toEqual({ to, payload: { type: 'offer' } });
  });

  it('freezes a forward dict and writes it on as the word it came in, not re-encoded', () => {
    const word = ' type   candidate  candidate {a b} type answer ';
    const { payload } = checkArgs('signal', signalTo, [to, word]);
    expect(payload).toEqual({ type: 'answer', candidate: 'a b' });
    expect(Object.isFrozen(payload)).toBe(true);
    expect(() => Object.assign(payload, { type: 'offer' })).toThrow(TypeError);
    expect(encodeArgs('signal', signalFrom, { from, payload })).toEqual(['signal', from, word]);
    expect(checkArgs('signal', signalFrom, [from, word]).payload).toEqual(payload);
  });

  it('checks a forward dict against its schema like any other', () => {
    expect(refusal(() => checkArgs('signal', signalTo, [to, 'type'])).code).toBe('BAD_VALUE');
    expect(refusal(() => checkArgs('signal', signalTo, [to, '{type'])).code).toBe('BAD_VALUE');
    expect(refusal(() => checkArgs('signal', signalTo, [to, 'k v '.repeat(17)])).code).toBe('ARG_TOO_LONG');
    expect(refusal(() => checkArgs('signal', signalTo, [to, `k {${'x'.repeat(32 * 1024)}}`])).code).toBe('ARG_TOO_LONG');
  });

  it('encodes a dict built here as a canonical list', () => {
    expect(encodeArgs('signal', signalFrom, { from, payload: { type: 'offer', sdp: 'v=0 x' } })).toEqual(['signal', from, 'type offer sdp {v=0 x}']);
  });
});

describe('usage and oneOf', () => {
  it('lists one, two and three names as Tcl does', () => {
    expect(oneOf(['b'])).toBe('b');
    expect(oneOf(['protocol', 'exception'])).toBe('exception or protocol');
    expect(oneOf(['c', 'a', 'b'])).toBe('a, b, or c');
  });

  it('writes variadic arguments with an ellipsis', () => {
    expect(usage('options', options)).toBe('options ?settingsKey settingsValue ...?');
  });
});

describe('types derived from schemas', () => {
  it('maps argument types to TypeScript types', () => {
    type Solicit = ArgsOf<typeof solicit>;
    expectTypeOf<Solicit['job']>().toEqualTypeOf<string>();
    expectTypeOf<Solicit['hops']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Solicit['path']>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<Solicit['urgent']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<ArgsOf<typeof options>['settings']>().toEqualTypeOf<Record<string, string>>();
  });

  it('makes required arguments required and options optional', () => {
    expectTypeOf<{ job: string }>().toExtend<ArgsOf<typeof solicit>>();
    expectTypeOf<{ hops: number }>().not.toExtend<ArgsOf<typeof solicit>>();
  });
});
