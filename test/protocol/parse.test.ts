import { describe, expect, it } from 'vitest';
import { ParseError, parseCommand, parseList } from '../../src/protocol/parse.ts';

/** Runs `fn`, expecting a ParseError, and returns it for exact assertions. */
function parseErrorOf(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  throw new Error('expected a ParseError');
}

describe('parseList', () => {
  it('splits words on runs of the six ASCII list spaces', () => {
    expect(parseList('a b\tc\nd\re\vf\fg  \t h')).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });

  it('returns no words for empty or blank text', () => {
    expect(parseList('')).toEqual([]);
    expect(parseList(' \t\n\r\v\f ')).toEqual([]);
  });

  it('ignores leading and trailing space', () => {
    expect(parseList('  solicit -token 17 \n')).toEqual(['solicit', '-token', '17']);
  });

  it('does not split on non-ASCII spaces', () => {
    expect(parseList('a\u00a0b\u2028c\u3000d')).toEqual(['a\u00a0b\u2028c\u3000d']);
  });

  it('treats [ ] $ ; and # as ordinary characters, never evaluating anything', () => {
    expect(parseList('listening [peers] $env(HOME) a;b #c')).toEqual(['listening', '[peers]', '$env(HOME)', 'a;b', '#c']);
  });

  it('keeps the content of braces literal, nested braces and backslashes included', () => {
    expect(parseList('x {a {b c} \\n $d [e]} y')).toEqual(['x', 'a {b c} \\n $d [e]', 'y']);
  });

  it('reads {} and "" as empty words', () => {
    expect(parseList('{} "" {}')).toEqual(['', '', '']);
  });

  it('keeps backslash-newline literally inside braces', () => {
    expect(parseList('{a\\\n   b}')).toEqual(['a\\\n   b']);
  });

  it('does not count braces hidden by a backslash when matching braces', () => {
    expect(parseList('{a\\}b} {\\{}')).toEqual(['a\\}b', '\\{']);
  });

  it('keeps multi-line braced payloads as one word', () => {
    expect(parseList('proffer 17 {bid 5\nbid 6\n}')).toEqual(['proffer', '17', 'bid 5\nbid 6\n']);
  });

  it('substitutes backslashes inside quotes, where braces are ordinary', () => {
    expect(parseList('"a {b\\tc\\"} d"')).toEqual(['a {b\tc"} d']);
  });

  it('substitutes backslashes in bare words, including escaped spaces', () => {
    expect(parseList('a\\ b c\\{d\\}')).toEqual(['a b', 'c{d}']);
  });

  it('reads quotes and braces in the middle of a bare word as ordinary characters', () => {
    expect(parseList('a"b c{d e}f')).toEqual(['a"b', 'c{d', 'e}f']);
  });

  it('decodes the single-letter escapes', () => {
    expect(parseList('\\a\\b\\f\\n\\r\\t\\v')).toEqual(['\x07\b\f\n\r\t\v']);
  });

  it('decodes \\x with at most two hex digits, and \\x without digits as x', () => {
    expect(parseList('\\x41 \\x4142 \\x4 \\xg \\x')).toEqual(['A', 'A42', '\x04', 'xg', 'x']);
  });

  it('decodes \\u with at most four hex digits and joins escaped surrogate halves', () => {
    expect(parseList('\\u00e9 \\u00e9f \\u41 \\uD83D\\uDE00 \\u')).toEqual(['é', 'éf', 'A', '\u{1F600}', 'u']);
  });

  it('decodes \\U up to U+10FFFF, taking no digit once the value passed 0x10FFF', () => {
    expect(parseList('\\U1F600 \\U0010FFFF \\U110000 \\UFFFFFFFF \\U')).toEqual(
      ['\u{1F600}', '\u{10FFFF}', '\u{11000}0', '\u{FFFFF}FFF', 'U']);
  });

  it('decodes octal escapes of up to three digits, never above \\377', () => {
    expect(parseList('\\101 \\0 \\18 \\377 \\400 \\777')).toEqual(['A', '\0', '\x018', '\xff', ' 0', '?7']);
  });

  it('stops an escape at the end of its word', () => {
    expect(parseList('{x} "\\x4" \\u4')).toEqual(['x', '\x04', '\x04']);
  });

  it('folds backslash-newline and the spaces and tabs after it into one space, inside the word', () => {
    expect(parseList('a\\\n \t b c "d\\\n   e"')).toEqual(['a b', 'c', 'd e']);
  });

  it('reads any other escaped character as itself', () => {
    expect(parseList('\\q \\é \\[ \\$ \\\u{1F600}')).toEqual(['q', 'é', '[', '$', '\u{1F600}']);
  });

  it('keeps a backslash that ends a bare word', () => {
    expect(parseList('a \\')).toEqual(['a', '\\']);
    expect(parseList('a\\ \\')).toEqual(['a \\']);
    expect(parseList('b\\')).toEqual(['b\\']);
  });

  it('keeps NUL and astral characters as they are', () => {
    expect(parseList('\0 {\u{1F600}} "e\u0301"')).toEqual(['\0', '\u{1F600}', 'e\u0301']);
  });
});

describe('parseList errors', () => {
  it('refuses an unmatched open brace with Tcl\'s message, a code and the brace\'s offset', () => {
    const error = parseErrorOf(() => parseList('a {b {c}'));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ParseError');
    expect(error.code).toBe('PARSE_ERROR');
    expect(error.message).toBe('unmatched open brace in list');
    expect(error.offset).toBe(2);
  });

  it('refuses a brace left open by a final backslash', () => {
    expect(parseErrorOf(() => parseList('{a\\}')).message).toBe('unmatched open brace in list');
    expect(parseErrorOf(() => parseList('{a\\')).message).toBe('unmatched open brace in list');
  });

  it('refuses an unmatched open quote', () => {
    const error = parseErrorOf(() => parseList('x "a\\"'));
    expect(error.message).toBe('unmatched open quote in list');
    expect(error.offset).toBe(2);
  });

  it('refuses characters right after a close brace, quoting the junk', () => {
    const error = parseErrorOf(() => parseList('{a}b c'));
    expect(error.message).toBe('list element in braces followed by "b" instead of space');
    expect(error.offset).toBe(3);
  });

  it('refuses characters right after a close quote', () => {
    expect(parseErrorOf(() => parseList('"a"b c')).message)
      .toBe('list element in quotes followed by "b" instead of space');
    expect(parseErrorOf(() => parseList('"\\x4"1')).message)
      .toBe('list element in quotes followed by "1" instead of space');
  });

  it('quotes at most 20 bytes of junk, as Tcl does', () => {
    expect(parseErrorOf(() => parseList('{a}bcdefghijklmnopqrstuvwxyz x')).message)
      .toBe('list element in braces followed by "bcdefghijklmnopqrstu" instead of space');
    expect(parseErrorOf(() => parseList('"a"ééééééééééé x')).message)
      .toBe('list element in quotes followed by "éééééééééé" instead of space');
  });

  it('reports the first problem in the text', () => {
    expect(parseErrorOf(() => parseList('{a}} {b')).message)
      .toBe('list element in braces followed by "}" instead of space');
  });
});

describe('parseCommand', () => {
  it('returns the command name and its arguments', () => {
    expect(parseCommand('signal p1 {type offer}')).toEqual(['signal', 'p1', 'type offer']);
  });

  it('accepts a command with no arguments', () => {
    expect(parseCommand('ping')).toEqual(['ping']);
  });

  it('refuses blank text as an empty command', () => {
    const error = parseErrorOf(() => parseCommand(' \n '));
    expect(error.message).toBe('empty command');
    expect(error.code).toBe('PARSE_ERROR');
    expect(error.offset).toBe(0);
  });

  it('passes list errors through', () => {
    expect(parseErrorOf(() => parseCommand('ping {')).message).toBe('unmatched open brace in list');
  });
});
