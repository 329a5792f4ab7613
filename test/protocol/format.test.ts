import { describe, expect, it } from 'vitest';
import { formatList, quoteWord } from '../../src/protocol/format.ts';

// Every expected string below is what tclsh 8.6's `list` writes (test/protocol/tcl-conformance.test.ts
// checks the same on 10,000 random lists).
describe('quoteWord', () => {
  it('writes a word without special characters as it is', () => {
    expect(quoteWord('solicit')).toBe('solicit');
    expect(quoteWord('127.0.0.1:9101')).toBe('127.0.0.1:9101');
    expect(quoteWord('a#')).toBe('a#');
  });

  it('writes the empty word as {}', () => {
    expect(quoteWord('')).toBe('{}');
  });

  it('braces a word holding spaces or characters a script would substitute', () => {
    expect(quoteWord('a b')).toBe('{a b}');
    expect(quoteWord('a\tb')).toBe('{a\tb}');
    expect(quoteWord('a\nb')).toBe('{a\nb}');
    expect(quoteWord('a[b')).toBe('{a[b}');
    expect(quoteWord('a$b')).toBe('{a$b}');
    expect(quoteWord('a;b')).toBe('{a;b}');
  });

  it('braces a word with balanced braces and special characters', () => {
    expect(quoteWord('{}')).toBe('{{}}');
    expect(quoteWord('type offer sdp {v=0}')).toBe('{type offer sdp {v=0}}');
  });

  it('braces a word that starts with a brace or a quote', () => {
    expect(quoteWord('{a}')).toBe('{{a}}');
    expect(quoteWord('"a')).toBe('{"a}');
    expect(quoteWord('"')).toBe('{"}');
  });

  it('braces a backslash that hides a brace or a backslash', () => {
    expect(quoteWord('\\{')).toBe('{\\{}');
    expect(quoteWord('\\}')).toBe('{\\}}');
    expect(quoteWord('a\\\\')).toBe('{a\\\\}');
    expect(quoteWord('a\\nb')).toBe('{a\\nb}');
  });

  it('escapes every special character when braces do not balance', () => {
    expect(quoteWord('{')).toBe('\\{');
    expect(quoteWord('}')).toBe('\\}');
    expect(quoteWord('}{')).toBe('\\}\\{');
    expect(quoteWord('{a b')).toBe('\\{a\\ b');
    expect(quoteWord('{a\\}')).toBe('\\{a\\\\\\}');
  });

  it('escapes a word that ends in a backslash', () => {
    expect(quoteWord('\\')).toBe('\\\\');
    expect(quoteWord('a\\')).toBe('a\\\\');
    expect(quoteWord('a b\\')).toBe('a\\ b\\\\');
  });

  it('escapes backslash-newline, which braces cannot carry', () => {
    expect(quoteWord('a\\\nb')).toBe('a\\\\\\nb');
  });

  it('writes control spaces as letter escapes when escaping', () => {
    expect(quoteWord('}\t\n\r\v\f')).toBe('\\}\\t\\n\\r\\v\\f');
  });

  it('escapes ] and " with backslashes but leaves balanced braces bare', () => {
    expect(quoteWord('a]b')).toBe('a\\]b');
    expect(quoteWord('a"b')).toBe('a\\"b');
    expect(quoteWord('a{b]c}d')).toBe('a{b\\]c}d');
  });

  it('leaves non-ASCII characters, NUL and astral characters alone', () => {
    expect(quoteWord('é中\u00a0\0\u{1F600}e\u0301')).toBe('é中\u00a0\0\u{1F600}e\u0301');
  });

  it('leaves a leading # alone unless the word comes first', () => {
    expect(quoteWord('#a')).toBe('#a');
    expect(quoteWord('#{a"b}')).toBe('#{a\\"b}');
  });

  it('protects a leading # of the first word with braces', () => {
    expect(quoteWord('#', true)).toBe('{#}');
    expect(quoteWord('#a', true)).toBe('{#a}');
    expect(quoteWord('#{a"b}', true)).toBe('{#{a"b}}');
  });

  it('protects a leading # of the first word with a backslash when it escapes anyway', () => {
    expect(quoteWord('#}', true)).toBe('\\#\\}');
  });
});

describe('formatList', () => {
  it('joins quoted words with single spaces', () => {
    expect(formatList(['solicit', '-path', 'a b c', '-token', '17'])).toBe('solicit -path {a b c} -token 17');
  });

  it('writes an empty list as empty text', () => {
    expect(formatList([])).toBe('');
  });

  it('writes a list of one empty word as {}', () => {
    expect(formatList([''])).toBe('{}');
  });

  it('protects a leading # in the first word only', () => {
    expect(formatList(['#a', '#b'])).toBe('{#a} #b');
  });

  it('nests lists by quoting formatted lists as words', () => {
    const inner = formatList(['type', 'offer', 'sdp', 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n']);
    expect(formatList(['signal', 'p1', inner])).toBe(
      'signal p1 {type offer sdp {v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n}}');
  });
});
