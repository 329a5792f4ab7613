// Fuzzing of the wire codec with seeded random input: nothing but the codec's own errors may ever be
// thrown, and any two strings survive a trip through formatList and parseList. Unlike the Tcl conformance
// test, lone UTF-16 surrogates are included here: no UTF-8 boundary is crossed.
import { describe, expect, it } from 'vitest';
import { prng } from '../helpers/prng.ts';
import { formatList } from '../../src/protocol/format.ts';
import { FrameTooLargeError, isComplete, LineFramer } from '../../src/protocol/framing.ts';
import { ParseError, parseCommand, parseList } from '../../src/protocol/parse.ts';

const STRINGS_PER_KIND = 7_000;
const MAX_RANDOM_BYTES = 64;
const MAX_TOKENS = 16;
// Small enough that many fuzz strings overflow it.
const FRAMER_MAX_BYTES = 24;
const MAX_REPORTED_FAILURES = 10;


const next = prng(0xf022);

function randomBytes(): Buffer {
  const bytes = Buffer.alloc(Math.floor(next() * MAX_RANDOM_BYTES));
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(next() * 256);
  return bytes;
}

const TOKENS = [
  '{', '}', '"', '\\', ' ', '\t', '\n', '\r', '\r\n', '\v', '\f', '\0', '#', '[', ']', '$', ';', '[cmd]', '$var',
  '\\\n', '\\\n \t', '\\x', '\\x4', '\\x41', '\\u', '\\u00e9', '\\uD83D', '\\uDE00', '\\U', '\\U1F600', '\\U110000',
  '\\0', '\\17', '\\377', '\\777', '\\{', '\\}', '\\"', '{}', '""', 'a', 'word', 'é', '\u{1F600}', '\uD83D',
  '\uDE00', 'e\u0301', '\u00a0',
];

function randomTokens(): string {
  const count = Math.floor(next() * MAX_TOKENS);
  let text = '';
  for (let i = 0; i < count; i++) text += TOKENS[Math.floor(next() * TOKENS.length)] as string;
  return text;
}

function randomCodeUnits(): string {
  const units: number[] = [];
  const count = Math.floor(next() * MAX_TOKENS);
  for (let i = 0; i < count; i++) units.push(next() < 0.5 ? Math.floor(next() * 128) : Math.floor(next() * 0x10000));
  return String.fromCharCode(...units);
}

const inputs: string[] = [];
for (let i = 0; i < STRINGS_PER_KIND; i++) {
  const bytes = randomBytes();
  inputs.push(bytes.toString('latin1'), bytes.toString('utf8'), randomTokens(), randomCodeUnits());
}

/** Runs `check` on every input and returns the first few failures, JSON-escaped. */
function failures(check: (s: string, i: number) => string | undefined): string[] {
  const found: string[] = [];
  for (let i = 0; i < inputs.length && found.length < MAX_REPORTED_FAILURES; i++) {
    const s = inputs[i] as string;
    let problem: string | undefined;
    try {
      problem = check(s, i);
    } catch (error) {
      problem = `threw ${String(error)}`;
    }
    if (problem !== undefined) found.push(`${JSON.stringify(s)}: ${problem}`);
  }
  return found;
}

function onlyParseErrors(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof ParseError ? undefined : `threw ${String(error)}`;
  }
}

function openErrorOf(s: string): boolean {
  try {
    parseList(s);
    return false;
  } catch (error) {
    return error instanceof ParseError && error.message.startsWith('unmatched open');
  }
}

describe('wire codec fuzzing', () => {
  it('fuzzes more than 20,000 strings', () => {
    expect(inputs.length).toBeGreaterThanOrEqual(20_000);
  });

  it('parseList and parseCommand throw nothing but ParseError', () => {
    expect(failures((s) => onlyParseErrors(() => parseList(s)) ?? onlyParseErrors(() => parseCommand(s)))).toEqual([]);
  });

  it('round-trips any two strings through formatList and parseList', () => {
    expect(failures((s, i) => {
      const t = inputs[(i * 7919 + 1) % inputs.length] as string;
      const text = formatList([s, t]);
      const back = parseList(text);
      return back.length === 2 && back[0] === s && back[1] === t ? undefined : `gave ${JSON.stringify(back)} via ${JSON.stringify(text)}`;
    })).toEqual([]);
  });

  it('isComplete is false exactly when parseList finds an unmatched open brace or quote', () => {
    expect(failures((s) => (isComplete(s) === !openErrorOf(s) ? undefined : `isComplete ${String(isComplete(s))}`)))
      .toEqual([]);
  });

  it('LineFramer throws nothing but FrameTooLargeError and frames alike however the input is cut', () => {
    expect(failures((s) => {
      const whole = frameAll(s, [s.length]);
      const cuts = Array.from({ length: 4 }, () => Math.floor(next() * (s.length + 1)));
      const pieces = frameAll(s, cuts.sort((a, b) => a - b));
      return JSON.stringify(whole) === JSON.stringify(pieces) ? undefined : `${JSON.stringify(whole)} vs ${JSON.stringify(pieces)}`;
    })).toEqual([]);
  });
});

/**
 * Frames `s` + newline pushed in pieces cut at `cuts`. Returns the messages and whether a frame was too
 * large (one push may report several dropped frames at once, so only the fact is comparable).
 */
function frameAll(s: string, cuts: number[]): { messages: string[]; tooLarge: boolean } {
  const framer = new LineFramer(FRAMER_MAX_BYTES);
  const result = { messages: [] as string[], tooLarge: false };
  const push = (chunk: string): void => {
    try {
      result.messages.push(...framer.push(chunk));
    } catch (error) {
      if (!(error instanceof FrameTooLargeError)) throw error;
      result.messages.push(...error.messages);
      result.tooLarge = true;
    }
  };
  let from = 0;
  for (const cut of [...cuts, s.length]) {
    push(s.slice(from, cut));
    from = cut;
  }
  push('\n');
  result.messages.push(...framer.end());
  return result;
}
