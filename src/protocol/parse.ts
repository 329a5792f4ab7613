// Wire format, decoding side: Tcl 8.6 list parsing (TclFindElement + TclCopyAndCollapse in tclUtil.c,
// TclParseBackslash in tclParse.c). Nothing is ever evaluated: `[`, `]` and `$` are ordinary characters.
// The encoding side is format.ts; docs/PROTOCOL.md describes the wire format.

import { TAB, LF, SPACE, QUOTE, BACKSLASH, OPEN_BRACE, isSpace } from './chars.ts';

/** A string that is not a well-formed Tcl list. The message is Tcl's own wording. */
export class ParseError extends Error {
  readonly code = 'PARSE_ERROR';
  /** UTF-16 index into the parsed text where the problem was found. */
  readonly offset: number;
  override name = 'ParseError';

  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

function skipSpace(text: string, i: number): number {
  const n = text.length;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Splits a Tcl list into its words, exactly as Tcl 8.6 `lindex`/`llength` do.
 * Throws `ParseError` (and nothing else) with Tcl's message when `text` is not a list.
 */
export function parseList(text: string): string[] {
  const words: string[] = [];
  const n = text.length;
  resetNext();
  let i = skipSpace(text, 0);
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === OPEN_BRACE) i = readBraced(text, i, words);
    else if (c === QUOTE) i = readQuoted(text, i, words);
    else i = readBare(text, i, words);
    i = skipSpace(text, i);
  }
  return words;
}

/** Parses one command line: a list with at least one word (the command name). */
export function parseCommand(text: string): [string, ...string[]] {
  const words = parseList(text);
  if (words.length === 0) throw new ParseError('empty command', 0);
  return words as [string, ...string[]];
}

//
// Braced and quoted words are scanned with indexOf, which V8 runs many times faster than a charCodeAt loop.
// The next position of each delimiter is remembered for the whole parse (the parse only moves forward), so
// every character is searched at most once per delimiter and long texts stay linear. "None left" is stored
// as Infinity. parseList never recurses, so module variables are safe.
//
let nextOpen = -1;
let nextClose = -1;
let nextBackslash = -1;
let nextQuote = -1;

function resetNext(): void {
  nextOpen = nextClose = nextBackslash = nextQuote = -1;
}

function found(index: number): number {
  return index === -1 ? Infinity : index;
}

function openAt(text: string, i: number): number {
  if (nextOpen < i) nextOpen = found(text.indexOf('{', i));
  return nextOpen;
}

function closeAt(text: string, i: number): number {
  if (nextClose < i) nextClose = found(text.indexOf('}', i));
  return nextClose;
}

function backslashAt(text: string, i: number): number {
  if (nextBackslash < i) nextBackslash = found(text.indexOf('\\', i));
  return nextBackslash;
}

function quoteAt(text: string, i: number): number {
  if (nextQuote < i) nextQuote = found(text.indexOf('"', i));
  return nextQuote;
}

/**
 * Reads `{...}` starting at `start`; the content is literal, braces nest, a backslash hides the next
 * character (what else it swallows cannot be a brace). Each turn passes one brace or backslash.
 */
function readBraced(text: string, start: number, words: string[]): number {
  const n = text.length;
  let depth = 1;
  let i = start + 1;
  while (i < n) {
    const close = closeAt(text, i);
    if (close === Infinity) break;
    const open = openAt(text, i);
    const backslash = backslashAt(text, i);
    if (backslash < close && backslash < open) {
      i = backslash + 2;
    } else if (open < close) {
      depth++;
      i = open + 1;
    } else if (--depth === 0) {
      words.push(text.slice(start + 1, close));
      return checkFollowedBySpace(text, close + 1, 'braces');
    } else {
      i = close + 1;
    }
  }
  throw new ParseError('unmatched open brace in list', start);
}

/** Reads `"..."` starting at `start`; braces mean nothing inside quotes, backslashes are substituted. */
function readQuoted(text: string, start: number, words: string[]): number {
  const n = text.length;
  let escaped = false;
  let i = start + 1;
  while (i < n) {
    const quote = quoteAt(text, i);
    if (quote === Infinity) break;
    const backslash = backslashAt(text, i);
    if (backslash < quote) {
      escaped = true;
      i = backslash + 2;
      continue;
    }
    words.push(escaped ? collapse(text, start + 1, quote) : text.slice(start + 1, quote));
    return checkFollowedBySpace(text, quote + 1, 'quotes');
  }
  throw new ParseError('unmatched open quote in list', start);
}

/** Reads a bare word up to the next unescaped list space, substituting backslashes. */
function readBare(text: string, start: number, words: string[]): number {
  const n = text.length;
  let escaped = false;
  let i = start;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) break;
    if (c === BACKSLASH) {
      escaped = true;
      i = backslashEnd(text, i, n);
    } else {
      i++;
    }
  }
  words.push(escaped ? collapse(text, start, i) : text.slice(start, i));
  return i;
}

function checkFollowedBySpace(text: string, i: number, kind: 'braces' | 'quotes'): number {
  if (i >= text.length || isSpace(text.charCodeAt(i))) return i;
  throw new ParseError(`list element in ${kind} followed by "${junkAt(text, i)}" instead of space`, i);
}

//
// Tcl quotes at most 20 bytes of the junk (`%.*s` over its internal UTF-8, where NUL takes 2 bytes and each
// UTF-16 surrogate 3). We stop before a character that would not fit, where Tcl prints half of it.
//
const JUNK_QUOTE_BYTES = 20;

function junkAt(text: string, start: number): string {
  let bytes = 0;
  let i = start;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) break;
    const pair = c >= 0xd800 && c <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1));
    bytes += pair ? 6 : c === 0 ? 2 : c >= 0x800 ? 3 : c >= 0x80 ? 2 : 1;
    if (bytes > JUNK_QUOTE_BYTES) break;
    i += pair ? 2 : 1;
  }
  return text.slice(start, i);
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * Index just after the backslash sequence at `i` (TclParseBackslash's byte count), as far as it matters
 * for finding an element's end: the escaped character is skipped, and backslash-newline also swallows
 * the spaces and tabs after it. Hex and octal digits never end an element, so they need no care here.
 */
function backslashEnd(text: string, i: number, limit: number): number {
  if (i + 1 >= limit) return limit;
  if (text.charCodeAt(i + 1) !== LF) return i + 2;
  let j = i + 2;
  while (j < limit) {
    const c = text.charCodeAt(j);
    if (c !== SPACE && c !== TAB) break;
    j++;
  }
  return j;
}

/** Backslash substitution of `text[from, to)`, copying the runs between backslashes as slices. */
function collapse(text: string, from: number, to: number): string {
  let out = '';
  let last = from;
  let i = text.indexOf('\\', from);
  while (i !== -1 && i < to) {
    out += text.slice(last, i) + decodeEscape(text, i, to);
    last = escapeEnd;
    i = text.indexOf('\\', last);
  }
  return out + text.slice(last, to);
}

// Set by decodeEscape: where the sequence it decoded ends. A module variable avoids a tuple per escape.
let escapeEnd = 0;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

/** Decodes the backslash sequence at `i`, never reading at or past `to` (the element's end). */
function decodeEscape(text: string, i: number, to: number): string {
  if (i + 1 >= to) {
    escapeEnd = i + 1;
    return '\\';
  }
  const ch = text.charAt(i + 1);
  escapeEnd = i + 2;
  const simple = SIMPLE_ESCAPES[ch];
  if (simple !== undefined) return simple;
  switch (ch) {
    case 'x': return decodeHex(text, i + 2, to, 2, 'x');
    case 'u': return decodeHex(text, i + 2, to, 4, 'u');
    case 'U': return decodeHex(text, i + 2, to, 8, 'U');
    case '\n':
      escapeEnd = backslashEnd(text, i, to);
      return ' ';
    default:
      return ch >= '0' && ch <= '7' ? decodeOctal(text, i + 1, to) : ch;
  }
}

/**
 * `\xHH`, `\uHHHH`, `\UHHHHHHHH`: at most `maxDigits` hex digits, and (TclParseHex) no further digit once
 * the value passed 0x10FFF, so the value never exceeds U+10FFFF. No digits means the letter itself.
 * `\x` keeps only the low byte. `\U` above U+FFFF gives the real character as Tcl 8.7+ do; a Tcl 8.6
 * built with TCL_UTF_MAX=3 (Debian's) substitutes U+FFFD there.
 */
function decodeHex(text: string, start: number, to: number, maxDigits: number, letter: string): string {
  const end = Math.min(to, start + maxDigits);
  let value = 0;
  let j = start;
  for (; j < end && value <= 0x10fff; j++) {
    const digit = hexValue(text.charCodeAt(j));
    if (digit < 0) break;
    value = value * 16 + digit;
  }
  if (j === start) return letter;
  escapeEnd = j;
  if (letter === 'x') return String.fromCharCode(value & 0xff);
  return value > 0xffff ? String.fromCodePoint(value) : String.fromCharCode(value);
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** `\o`, `\oo`, `\ooo`: a third digit is taken only while the value stays below 0x20 (so at most \377). */
function decodeOctal(text: string, start: number, to: number): string {
  let value = text.charCodeAt(start) - 48;
  let j = start + 1;
  for (let digits = 1; digits < 3 && j < to; digits++, j++) {
    const c = text.charCodeAt(j);
    if (c < 48 || c > 55 || (digits === 2 && value >= 0x20)) break;
    value = value * 8 + (c - 48);
  }
  escapeEnd = j;
  return String.fromCharCode(value);
}
