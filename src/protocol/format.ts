// Wire format, encoding side: canonical Tcl 8.6 list quoting (TclScanElement + TclConvertElement in
// tclUtil.c, with COMPAT=1), byte-identical to what tclsh's `list` writes for the same strings.
// The decoding side is parse.ts; docs/PROTOCOL.md describes the wire format.

//
// Only ASCII characters matter to Tcl's quoting. Words are classified with regular expressions and
// indexOf, which V8 runs natively and several times faster than a charCodeAt loop over long words.
//
/** Any character that could need quoting. */
const SPECIAL = /[{}[\]$;"\\ \t\n\v\f\r]/;
/** Characters that ask for a close look: braces and backslashes decide if braces can carry the word. */
const BRACE_OR_BACKSLASH_OR_ESCAPE_PREFERRED = /[{}\\\]"]/;
/** Spaces, `[`, `$`, `;`: bracing the whole word is the preferred cure. */
const PREFER_BRACE = /[ \t\n\v\f\r[$;]/;
/** `]` and `"`: Tcl escapes these with backslashes but leaves braces bare (the COMPAT "mask" mode). */
const PREFER_ESCAPE = /[\]"]/;

const HASH = 0x23;
const QUOTE = 0x22;
const LF = 0x0a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const BACKSLASH = 0x5c;

// Below this length a charCodeAt loop beats the fixed cost of a regular expression call.
const SHORT_WORD_CHARS = 8;

/** The four ways TclConvertElement can write a word. */
const Conversion = { none: 0, brace: 1, escape: 2, escapeExceptBraces: 3 } as const;
type Conversion = (typeof Conversion)[keyof typeof Conversion];

/**
 * Quotes one word as a Tcl list element. `first` says the word starts a list (the command name): then a
 * leading `#` is protected so that evaluating the list could not turn it into a comment, as Tcl does.
 */
export function quoteWord(word: string, first = false): string {
  if (word.length === 0) return '{}';
  const quoteHash = first && word.charCodeAt(0) === HASH;
  if (isPlain(word)) return quoteHash ? `{${word}}` : word;
  return convert(word, scan(word, quoteHash), quoteHash);
}

/** Formats words as a canonical Tcl list: each word quoted, separated by single spaces. */
export function formatList(words: readonly string[]): string {
  // join() builds one flat string; `+=` would build a rope that every reader must flatten first.
  const quoted = new Array<string>(words.length);
  for (let i = 0; i < words.length; i++) quoted[i] = quoteWord(words[i] as string, i === 0);
  return quoted.join(' ');
}

function isPlain(word: string): boolean {
  if (word.length > SHORT_WORD_CHARS) return !SPECIAL.test(word);
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c < 128 && IS_SPECIAL[c] === 1) return false;
  }
  return true;
}

const IS_SPECIAL = new Uint8Array(128);
for (const c of '{}[]$;"\\ \t\n\v\f\r') IS_SPECIAL[c.charCodeAt(0)] = 1;

/** TclScanElement: picks the conversion for a non-empty word holding at least one special character. */
function scan(word: string, quoteHash: boolean): Conversion {
  if (!BRACE_OR_BACKSLASH_OR_ESCAPE_PREFERRED.test(word)) return Conversion.brace;
  if (!bracesCanCarry(word)) return Conversion.escape;
  const first = word.charCodeAt(0);
  // A leading # of the first word ends up braced whatever else the word holds.
  if (quoteHash || first === OPEN_BRACE || first === QUOTE || word.includes('\\') || PREFER_BRACE.test(word)) {
    return Conversion.brace;
  }
  return PREFER_ESCAPE.test(word) ? Conversion.escapeExceptBraces : Conversion.none;
}

function found(index: number): number {
  return index === -1 ? Infinity : index;
}

/**
 * True when the word fits in braces: its braces balance and never close below zero (a backslash hides the
 * brace or backslash after it), it does not end in a backslash (that would escape the closing brace), and
 * it holds no backslash-newline (a script parser folds that to a space even inside braces).
 * Each turn passes one brace or backslash, found with indexOf.
 */
function bracesCanCarry(word: string): boolean {
  let nesting = 0;
  let open = found(word.indexOf('{'));
  let close = found(word.indexOf('}'));
  let backslash = found(word.indexOf('\\'));
  for (;;) {
    if (backslash < open && backslash < close) {
      const next = word.charCodeAt(backslash + 1);
      if (Number.isNaN(next) || next === LF) return false;
      const after = next === OPEN_BRACE || next === CLOSE_BRACE || next === BACKSLASH ? backslash + 2 : backslash + 1;
      if (open < after) open = found(word.indexOf('{', after));
      if (close < after) close = found(word.indexOf('}', after));
      backslash = found(word.indexOf('\\', after));
    } else if (open < close) {
      nesting++;
      open = found(word.indexOf('{', open + 1));
    } else if (close !== Infinity) {
      if (--nesting < 0) return false;
      close = found(word.indexOf('}', close + 1));
    } else {
      return nesting === 0;
    }
  }
}

/** TclConvertElement: writes the word in the chosen conversion. */
function convert(word: string, conversion: Conversion, quoteHash: boolean): string {
  if (quoteHash) {
    // Tcl escapes a leading # only when it escapes anyway, and otherwise braces the whole word.
    if (conversion === Conversion.escape) return '\\#' + escape(word, 1, true);
    conversion = Conversion.brace;
  }
  switch (conversion) {
    case Conversion.none: return word;
    case Conversion.brace: return `{${word}}`;
    case Conversion.escape: return escape(word, 0, true);
    case Conversion.escapeExceptBraces: return escape(word, 0, false);
  }
}

// The backslash form of each ASCII character that needs one; control spaces get their letter escapes.
const ESCAPED: (string | undefined)[] = new Array<string | undefined>(128);
for (const c of '][$; \\"{}') ESCAPED[c.charCodeAt(0)] = '\\' + c;
ESCAPED[0x0c] = '\\f';
ESCAPED[0x0a] = '\\n';
ESCAPED[0x0d] = '\\r';
ESCAPED[0x09] = '\\t';
ESCAPED[0x0b] = '\\v';

/**
 * Backslash-escapes `word` from `from` on, copying the runs between special characters as slices (a
 * charCodeAt loop measured faster here than `replace`, since escaped words are dense with matches).
 */
function escape(word: string, from: number, braces: boolean): string {
  let out = '';
  let last = from;
  for (let i = from; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c >= 128) continue;
    const escaped = ESCAPED[c];
    if (escaped === undefined || (!braces && (c === OPEN_BRACE || c === CLOSE_BRACE))) continue;
    out += word.slice(last, i) + escaped;
    last = i + 1;
  }
  return out + word.slice(last);
}
