// Wire format, framing of stream input (a log file, stdin): lines are accumulated until braces and quotes
// balance, as the original did with `info complete` (brackets no longer count: nothing is evaluated).
// Message transports (WebSocket, data channel) need no framing: one frame is one command. See docs/PROTOCOL.md.

import { TAB, LF, CR, SPACE, QUOTE, BACKSLASH, OPEN_BRACE, CLOSE_BRACE, isSpace } from './chars.ts';

/** The pending frame grew past the framer's limit; it was dropped. */
export class FrameTooLargeError extends Error {
  readonly code = 'FRAME_TOO_LARGE';
  readonly maxBytes: number;
  /** Messages completed by the same `push` call (before and after the dropped frame), so none is lost. */
  readonly messages: string[];
  override name = 'FrameTooLargeError';

  constructor(maxBytes: number, messages: string[]) {
    super(`frame too large: more than ${maxBytes} bytes`);
    this.maxBytes = maxBytes;
    this.messages = messages;
  }
}

// Where the scanner is, in Tcl list terms (the same rules as parse.ts, without building any word).
const Mode = { space: 0, bare: 1, braced: 2, quoted: 3, closed: 4, junk: 5 } as const;
type Mode = (typeof Mode)[keyof typeof Mode];

// A backslash was the last character seen, or a backslash-newline still swallows spaces and tabs.
const Escape = { none: 0, pending: 1, newline: 2 } as const;
type Escape = (typeof Escape)[keyof typeof Escape];

/**
 * A resumable Tcl list scanner: text may be fed in any pieces and the answer is the same as for the
 * whole. It only tracks whether the text so far ends inside a braced or quoted word.
 */
class ListScanner {
  private mode: Mode = Mode.space;
  private depth = 0;
  private escape: Escape = Escape.none;

  /** True unless the text so far ends inside `{...}` or `"..."`. Junk after a close brace or quote is
   *  complete: no further input can repair it, so the parser should see it and refuse it. */
  get complete(): boolean {
    return this.mode !== Mode.braced && this.mode !== Mode.quoted;
  }

  reset(): void {
    this.mode = Mode.space;
    this.depth = 0;
    this.escape = Escape.none;
  }

  feed(text: string): void {
    let { mode, depth, escape } = this;
    for (let i = 0; i < text.length && mode !== Mode.junk; i++) {
      const c = text.charCodeAt(i);
      if (escape === Escape.pending) {
        escape = c === LF ? Escape.newline : Escape.none;
        continue;
      }
      if (escape === Escape.newline) {
        if (c === SPACE || c === TAB) continue;
        escape = Escape.none;
      }
      if (c === BACKSLASH && mode !== Mode.closed) {
        escape = Escape.pending;
        if (mode === Mode.space) mode = Mode.bare;
        continue;
      }
      if (mode === Mode.braced) {
        if (c === OPEN_BRACE) depth++;
        else if (c === CLOSE_BRACE && --depth === 0) mode = Mode.closed;
      } else if (mode === Mode.quoted) {
        if (c === QUOTE) mode = Mode.closed;
      } else if (isSpace(c)) {
        mode = Mode.space;
      } else if (mode === Mode.closed) {
        mode = Mode.junk;
      } else if (mode === Mode.space) {
        mode = c === OPEN_BRACE ? Mode.braced : c === QUOTE ? Mode.quoted : Mode.bare;
        depth = 1;
      }
    }
    this.mode = mode;
    this.depth = depth;
    this.escape = escape;
  }
}

/**
 * True when `text` does not end inside a braced or quoted word, so a line reader may stop there and hand
 * it to the parser. Backslashes hide the next character, as in Tcl.
 */
export function isComplete(text: string): boolean {
  const scanner = new ListScanner();
  scanner.feed(text);
  return scanner.complete;
}

const BLANK = /^[ \t\n\v\f\r]*$/;

/**
 * Splits stream input into messages: lines (split on `\n`, a trailing `\r` dropped) are accumulated until
 * the text is complete, then emitted without the final newline. Blank messages are skipped.
 */
export class LineFramer {
  private readonly maxBytes: number;
  private readonly scanner = new ListScanner();
  private lines: string[] = [];
  private linesBytes = 0;
  private partial = '';
  private partialBytes = 0;
  // After an overflow, the rest of the oversized frame is scanned (to find its end) but not kept, so its
  // inner lines are never mistaken for commands.
  private dropping = false;

  constructor(maxBytes: number) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
      throw new RangeError(`LineFramer maxBytes must be a positive integer, got ${String(maxBytes)}`);
    }
    this.maxBytes = maxBytes;
  }

  /**
   * Feeds a chunk and returns the messages it completed. Throws `FrameTooLargeError` (carrying those
   * messages) when a frame grew past `maxBytes` of UTF-8; that frame is dropped and framing goes on.
   */
  push(chunk: string): string[] {
    const out: string[] = [];
    let overflowed = false;
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf('\n', start);
      const end = nl === -1 ? chunk.length : nl;
      const piece = chunk.slice(start, end);
      if (!this.dropping && !this.keep(piece)) {
        this.startDropping();
        overflowed = true;
      }
      if (this.dropping) this.scanner.feed(piece);
      if (nl === -1) break;
      this.endLine(out);
      start = nl + 1;
    }
    if (overflowed) throw new FrameTooLargeError(this.maxBytes, out);
    return out;
  }

  /** Ends the input: a last unterminated line counts as a line, and an unfinished frame is emitted as
   *  is so that the parser refuses it (instead of it vanishing). */
  end(): string[] {
    const out: string[] = [];
    if (!this.dropping) {
      if (this.partial !== '') this.lines.push(stripCr(this.partial));
      if (this.lines.length > 0) this.emit(out);
    }
    this.reset();
    return out;
  }

  /** Appends to the current line unless that would pass the limit. */
  private keep(piece: string): boolean {
    const bytes = utf8Length(piece);
    if (this.linesBytes + this.partialBytes + bytes > this.maxBytes) return false;
    this.partial += piece;
    this.partialBytes += bytes;
    return true;
  }

  private startDropping(): void {
    this.scanner.feed(this.partial);
    this.lines = [];
    this.linesBytes = 0;
    this.partial = '';
    this.partialBytes = 0;
    this.dropping = true;
  }

  private endLine(out: string[]): void {
    if (this.dropping) {
      this.scanner.feed('\n');
      if (this.scanner.complete) this.reset();
      return;
    }
    const line = stripCr(this.partial);
    this.scanner.feed(line);
    this.scanner.feed('\n');
    this.lines.push(line);
    this.linesBytes += this.partialBytes + 1;
    this.partial = '';
    this.partialBytes = 0;
    if (this.scanner.complete) this.emit(out);
  }

  private emit(out: string[]): void {
    const message = this.lines.length === 1 ? (this.lines[0] as string) : this.lines.join('\n');
    this.reset();
    if (!BLANK.test(message)) out.push(message);
  }

  private reset(): void {
    this.scanner.reset();
    this.lines = [];
    this.linesBytes = 0;
    this.partial = '';
    this.partialBytes = 0;
    this.dropping = false;
  }
}

function stripCr(line: string): string {
  return line.charCodeAt(line.length - 1) === CR ? line.slice(0, -1) : line;
}

/** UTF-8 length of a string; each half of a surrogate pair counts 2, so a pair counts 4. */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) bytes += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return bytes;
}
