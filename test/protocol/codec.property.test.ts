// Properties of the wire codec (format.ts, parse.ts) over generated words: every list of strings
// round-trips, nested lists too, the parser throws nothing but ParseError, and formatting is
// canonical. Lone UTF-16 surrogates are included: the codec works on JS strings, and no UTF-8
// boundary is crossed here (tcl-conformance.test.ts compares with tclsh on what UTF-8 can carry).
// fast-check picks a new seed each run and prints the seed and path of any failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatList, quoteWord } from '../../src/protocol/format.ts';
import { ParseError, parseCommand, parseList } from '../../src/protocol/parse.ts';

const NUM_RUNS = 1000;
const MAX_WORDS = 8;
const MAX_WORD_UNITS = 12;

/** The pieces Tcl's quoting and parsing treat specially, and a few neighbours that must stay literal. */
const TOKENS = [
  '{', '}', '"', '\\', ' ', '\t', '\n', '\r', '\r\n', '\v', '\f', '\0', '#', '[', ']', '$', ';', '[cmd]', '$var',
  '\\\n', '\\\n \t', '\\x41', '\\u00e9', '\\U1F600', '\\0', '\\377', '\\{', '\\}', '\\"', '{}', '""', '-', '--',
  'a', 'word', 'é', '\u00a0', '\u2028', '\u{1F600}', '\uD83D', '\uDE00', 'e\u0301',
];

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));

const word = fc.oneof(
  fc.string({ unit: fc.constantFrom(...TOKENS), maxLength: MAX_WORD_UNITS }),
  fc.string({ unit: 'binary', maxLength: MAX_WORD_UNITS }),
  fc.string({ unit: codeUnit, maxLength: MAX_WORD_UNITS }),
  fc.string({ unit: 'binary-ascii', maxLength: MAX_WORD_UNITS }),
  fc.constant(''),
);

const words = fc.array(word, { maxLength: MAX_WORDS });

/** A tree of words: a leaf is one word, a branch a list whose items are the quoted subtrees. */
type Tree = string | Tree[];
const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, word, fc.array(tie('tree'), { maxLength: 4 })),
}));

function encodeTree(node: Tree): string {
  return typeof node === 'string' ? node : formatList(node.map(encodeTree));
}

/** Decodes `text` along the shape of `like`: what a reader who knows the schema does. */
function decodeTree(text: string, like: Tree): Tree {
  if (typeof like === 'string') return text;
  const items = parseList(text);
  return items.length === like.length ? items.map((item, i) => decodeTree(item, like[i]!)) : items;
}

/** Text that is often almost a list: formatted words with a few characters cut, added or swapped. */
const nearList = fc.tuple(words, fc.array(fc.tuple(fc.nat(), fc.nat(2), fc.constantFrom(...TOKENS)), { maxLength: 3 }))
  .map(([list, edits]) => {
    let text = formatList(list);
    for (const [at, how, token] of edits) {
      const i = text.length === 0 ? 0 : at % (text.length + 1);
      if (how === 0) text = text.slice(0, i) + text.slice(i + 1);
      else if (how === 1) text = text.slice(0, i) + token + text.slice(i);
      else text = text.slice(0, i) + token + text.slice(i + token.length);
    }
    return text;
  });

const anyText = fc.oneof(
  nearList,
  fc.string({ unit: fc.constantFrom(...TOKENS), maxLength: 24 }),
  fc.string({ unit: codeUnit, maxLength: 24 }),
  fc.string({ unit: 'binary', maxLength: 24 }),
);

/** What parsing `text` gave: the words, or the ParseError; anything else thrown is a failure. */
function parseOrError(parse: (text: string) => string[], text: string): string[] | ParseError {
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
}

describe('codec properties', () => {
  it('parseList(formatList(words)) gives back any words', () => {
    fc.assert(fc.property(words, (list) => {
      expect(parseList(formatList(list))).toEqual(list);
    }), { numRuns: NUM_RUNS });
  });

  it('quotes any single word so that it reads back as one word', () => {
    fc.assert(fc.property(word, fc.boolean(), (w, first) => {
      expect(parseList(quoteWord(w, first))).toEqual([w]);
    }), { numRuns: NUM_RUNS });
  });

  it('round-trips nested lists, each level quoted as a word of the level above', () => {
    fc.assert(fc.property(tree, (node) => {
      expect(decodeTree(encodeTree(node), node)).toEqual(node);
    }), { numRuns: NUM_RUNS });
  });

  it('formats canonically: formatting the parse of a formatted list gives the same text', () => {
    fc.assert(fc.property(words, (list) => {
      const text = formatList(list);
      expect(formatList(parseList(text))).toBe(text);
    }), { numRuns: NUM_RUNS });
  });

  it('normalizes any list in one step: format(parse(text)) is a fixed point', () => {
    fc.assert(fc.property(anyText, (text) => {
      const parsed = parseOrError(parseList, text);
      if (parsed instanceof ParseError) return;
      const canonical = formatList(parsed);
      expect(parseList(canonical)).toEqual(parsed);
      expect(formatList(parseList(canonical))).toBe(canonical);
    }), { numRuns: NUM_RUNS });
  });

  it('parseCommand returns at least one word or throws ParseError with an offset inside the text', () => {
    fc.assert(fc.property(anyText, (text) => {
      const parsed = parseOrError(parseCommand, text);
      if (parsed instanceof ParseError) {
        expect(parsed.code).toBe('PARSE_ERROR');
        expect(parsed.offset).toBeGreaterThanOrEqual(0);
        expect(parsed.offset).toBeLessThanOrEqual(text.length);
        return;
      }
      expect(parsed.length).toBeGreaterThan(0);
      for (const w of parsed) expect(typeof w).toBe('string');
    }), { numRuns: NUM_RUNS });
  });

  it('parseCommand agrees with parseList: the same words, or empty command for an empty list', () => {
    fc.assert(fc.property(anyText, (text) => {
      const list = parseOrError(parseList, text);
      const command = parseOrError(parseCommand, text);
      if (list instanceof ParseError) {
        expect(command).toBeInstanceOf(ParseError);
        expect((command as ParseError).message).toBe(list.message);
      } else if (list.length === 0) {
        expect(command).toBeInstanceOf(ParseError);
        expect((command as ParseError).message).toBe('empty command');
      } else {
        expect(command).toEqual(list);
      }
    }), { numRuns: NUM_RUNS });
  });
});
