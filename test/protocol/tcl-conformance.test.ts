// Conformance of the wire codec with the real Tcl 8.6 (`tclsh`, Debian package tcl8.6).
// Words travel to and from tclsh as hex of their UTF-8 bytes, one request per line, so no quoting,
// newline or encoding rule of either side can disturb the transport. One tclsh child runs per batch.
//
// Decisions about the generated strings:
// - Lone UTF-16 surrogates are excluded: they cannot cross UTF-8 (they would arrive as U+FFFD).
// - NUL is included: Tcl keeps it in strings (as C0 80 inside) and writes it back as a 00 byte.
// - Astral characters and combining marks are included; Tcl 8.6 holds astral ones as surrogate pairs.
// - Parsing random text (the last test) skips `\U` followed by hex digits and a backslash before an astral
//   character: Debian's Tcl 8.6 (TCL_UTF_MAX=3) turns `\U1F600` and `\😀` into U+FFFD where we, like
//   Tcl 8.7+, give the character. Tcl's own `list` never writes either form.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prng } from '../helpers/prng.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatList } from '../../src/protocol/format.ts';
import { ParseError, parseList } from '../../src/protocol/parse.ts';

// Debian's tcl8.6 installs tclsh8.6; the plain `tclsh` link comes from the `tcl` package.
const TCLSH = process.env['TCLSH'] ?? (existsSync('/usr/bin/tclsh8.6') ? '/usr/bin/tclsh8.6' : 'tclsh');
const WORD_LISTS = 10_000;
const RANDOM_TEXTS = 5_000;
const MAX_REPORTED_MISMATCHES = 10;

// `L hex...`: reply with Tcl's `list` of the decoded words. `R hex`: reply `O hex...` with every element
// read by `lindex`, or `E hex` with Tcl's error message. The first reply line is the patchlevel.
const TCL_SCRIPT = String.raw`
fconfigure stdin -translation lf -encoding ascii
fconfigure stdout -translation lf -encoding ascii -buffering full
proc dec {h} { encoding convertfrom utf-8 [binary decode hex $h] }
proc enc {s} { binary encode hex [encoding convertto utf-8 $s] }
puts [info patchlevel]
while {[gets stdin line] >= 0} {
  set parts [split $line " "]
  switch -- [lindex $parts 0] {
    L {
      set words {}
      foreach h [lrange $parts 1 end] { lappend words [dec $h] }
      puts [enc [list {*}$words]]
    }
    R {
      set l [dec [lindex $parts 1]]
      if {[catch {llength $l} n]} { puts "E [enc $n]"; continue }
      set out O
      for {set i 0} {$i < $n} {incr i} { append out " " [enc [lindex $l $i]] }
      puts $out
    }
  }
}
`;

let scriptDir = '';

function hex(s: string): string {
  return Buffer.from(s, 'utf8').toString('hex');
}

function unhex(h: string): string {
  return Buffer.from(h, 'hex').toString('utf8');
}

/** Runs one tclsh child over all request lines and returns its reply lines (without the patchlevel). */
function runTcl(requests: string[]): { patchlevel: string; replies: string[] } {
  const result = spawnSync(TCLSH, [join(scriptDir, 'codec.tcl')], {
    input: requests.join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: 60_000,
  });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new Error(`tclsh not found (${TCLSH}): the codec conformance tests need Tcl 8.6. ` +
        'Install it with "apt-get install tcl8.6", or point TCLSH at a tclsh 8.6 binary.');
    }
    throw result.error;
  }
  if (result.status !== 0) throw new Error(`tclsh exited with ${String(result.status)}: ${result.stderr}`);
  const lines = result.stdout.split('\n');
  lines.pop();
  const patchlevel = lines.shift() ?? '';
  if (lines.length !== requests.length) {
    throw new Error(`tclsh answered ${lines.length} of ${requests.length} requests: ${result.stderr}`);
  }
  return { patchlevel, replies: lines };
}


const TOKENS = [
  '', '{', '}', '{}', '}{', '{a b}', '\\', '\\\\', '\\{', '\\}', '\\\n', '\\\n  x', '"', '"a b"', '[cmd]', '[', ']',
  '$var', '$', ';', '#', ' ', '  ', '\t', '\n', '\r', '\r\n', '\v', '\f', '\0', 'a', 'x', 'word', '0', '7',
  '\\n', '\\x41', '\\u00e9', '\\t', 'é', '中文', '\u{1F600}', '\u{10FFFF}', 'e\u0301', '\u0301', '\u00a0',
  '\u2028', '\ufeff', '\uffff',
];

function randomChar(next: () => number): string {
  const roll = next();
  if (roll < 0.4) return String.fromCharCode(Math.floor(next() * 0x80));
  if (roll < 0.8) {
    const code = 0x80 + Math.floor(next() * (0x10000 - 0x80 - 0x800));
    return String.fromCharCode(code >= 0xd800 ? code + 0x800 : code); // skip the surrogate block
  }
  return String.fromCodePoint(0x10000 + Math.floor(next() * 0x100000));
}

function randomWord(next: () => number): string {
  const parts = Math.floor(next() * 7);
  let word = next() < 0.08 ? '#' : '';
  for (let i = 0; i < parts; i++) {
    word += next() < 0.75 ? (TOKENS[Math.floor(next() * TOKENS.length)] as string) : randomChar(next);
  }
  return word;
}

function randomWords(next: () => number): string[] {
  const count = Math.floor(next() * 6);
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(randomWord(next));
  return words;
}

const LIST_TOKENS = [
  '{', '}', '"', ' ', '\t', '\n', '\r', '\v', '\f', '\\', '\\\n', '\\\n \t x', '\\x4', '\\x41', '\\x4142',
  '\\xg', '\\u00e9', '\\u12', '\\u', '\\1', '\\12', '\\123', '\\400', '\\777', '\\8', '\\a', '\\b', '\\{',
  '\\}', '\\"', '\\ ', 'a', 'bc', 'é', '\u{1F600}', '\0', '#', '[x]', '$y', ';',
];

function randomListText(next: () => number): string {
  const parts = Math.floor(next() * 12);
  let text = '';
  for (let i = 0; i < parts; i++) {
    text += next() < 0.9 ? (LIST_TOKENS[Math.floor(next() * LIST_TOKENS.length)] as string) : randomChar(next);
  }
  return text;
}

function hasLoneSurrogate(s: string): boolean {
  return s !== Buffer.from(s, 'utf8').toString('utf8');
}

function ourSplit(text: string): string[] | { error: string } {
  try {
    return parseList(text);
  } catch (error) {
    if (error instanceof ParseError) return { error: error.message };
    throw error;
  }
}

const next = prng(0x7c1);
const wordLists: string[][] = Array.from({ length: WORD_LISTS }, () => randomWords(next));
const listTexts: string[] = Array.from({ length: RANDOM_TEXTS }, () => randomListText(next))
  .filter((text) => !/\\(U[0-9a-fA-F]|[\u{10000}-\u{10FFFF}])/u.test(text) && !hasLoneSurrogate(text));
const ours = wordLists.map((words) => formatList(words));

let tclLists: string[] = [];
let tclReads: (string[] | { error: string })[] = [];
let patchlevel = '';

function decodeRead(reply: string): string[] | { error: string } {
  const [tag, ...fields] = reply.split(' ');
  if (tag === 'E') return { error: unhex(fields[0] ?? '') };
  return fields.map(unhex);
}

// A missing tclsh must fail every test with the install hint, never skip them.
let tclError: unknown;

beforeAll(() => {
  scriptDir = mkdtempSync(join(tmpdir(), 'peerfarm-tcl-'));
  writeFileSync(join(scriptDir, 'codec.tcl'), TCL_SCRIPT);
  try {
    const listed = runTcl(wordLists.map((words) => ['L', ...words.map(hex)].join(' ')));
    patchlevel = listed.patchlevel;
    tclLists = listed.replies.map(unhex);
    const read = runTcl([...ours, ...listTexts].map((text) => `R ${hex(text)}`));
    tclReads = read.replies.map(decodeRead);
  } catch (error) {
    tclError = error;
  }
});

function requireTcl(): void {
  if (tclError !== undefined) throw tclError;
}

afterAll(() => {
  if (scriptDir !== '') rmSync(scriptDir, { recursive: true, force: true });
});

/** Collects the first few mismatches, JSON-escaped, so a failure shows the offending strings. */
function mismatches<T>(count: number, check: (i: number) => T | undefined): T[] {
  const found: T[] = [];
  for (let i = 0; i < count && found.length < MAX_REPORTED_MISMATCHES; i++) {
    const mismatch = check(i);
    if (mismatch !== undefined) found.push(mismatch);
  }
  return found;
}

describe('Tcl 8.6 conformance of the wire codec', () => {
  it('runs against tclsh 8.6', () => {
    requireTcl();
    expect(patchlevel).toMatch(/^8\.6\./);
    expect(wordLists.flat().length).toBeGreaterThanOrEqual(10_000);
  });

  it('writes lists whose every word Tcl reads back identically with lindex', () => {
    requireTcl();
    const bad = mismatches(WORD_LISTS, (i) => {
      const read = tclReads[i];
      const words = wordLists[i];
      return JSON.stringify(read) === JSON.stringify(words)
        ? undefined
        : { words: JSON.stringify(words), ours: JSON.stringify(ours[i]), tcl: JSON.stringify(read) };
    });
    expect(bad).toEqual([]);
  });

  it('reads every list Tcl writes back into the original words', () => {
    requireTcl();
    const bad = mismatches(WORD_LISTS, (i) => {
      const read = ourSplit(tclLists[i] as string);
      return JSON.stringify(read) === JSON.stringify(wordLists[i])
        ? undefined
        : { words: JSON.stringify(wordLists[i]), tcl: JSON.stringify(tclLists[i]), ours: JSON.stringify(read) };
    });
    expect(bad).toEqual([]);
  });

  it('writes byte-identical text to Tcl\'s list command', () => {
    requireTcl();
    const bad = mismatches(WORD_LISTS, (i) =>
      ours[i] === tclLists[i]
        ? undefined
        : { words: JSON.stringify(wordLists[i]), ours: JSON.stringify(ours[i]), tcl: JSON.stringify(tclLists[i]) });
    expect(bad).toEqual([]);
  });

  it('splits random list text, escapes and malformed input included, exactly as Tcl does', () => {
    requireTcl();
    expect(listTexts.length).toBeGreaterThan(RANDOM_TEXTS * 0.9);
    const bad = mismatches(listTexts.length, (i) => {
      const text = listTexts[i] as string;
      const read = ourSplit(text);
      const tcl = tclReads[WORD_LISTS + i];
      return JSON.stringify(read) === JSON.stringify(tcl)
        ? undefined
        : { text: JSON.stringify(text), ours: JSON.stringify(read), tcl: JSON.stringify(tcl) };
    });
    expect(bad).toEqual([]);
  });
});
