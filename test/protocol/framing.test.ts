import { describe, expect, it } from 'vitest';
import { FrameTooLargeError, isComplete, LineFramer } from '../../src/protocol/framing.ts';

/** Runs `fn`, expecting a FrameTooLargeError, and returns it for exact assertions. */
function frameErrorOf(fn: () => unknown): FrameTooLargeError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FrameTooLargeError) return error;
    throw error;
  }
  throw new Error('expected a FrameTooLargeError');
}

describe('isComplete', () => {
  it('accepts text whose braces and quotes are balanced', () => {
    expect(isComplete('')).toBe(true);
    expect(isComplete('ping')).toBe(true);
    expect(isComplete('proffer 17 {bid 5\nbid 6}')).toBe(true);
    expect(isComplete('say "a {b"')).toBe(true);
  });

  it('rejects text that ends inside braces', () => {
    expect(isComplete('proffer 17 {bid 5\n')).toBe(false);
    expect(isComplete('a {b {c}')).toBe(false);
  });

  it('rejects text that ends inside quotes', () => {
    expect(isComplete('say "a\nb')).toBe(false);
  });

  it('ignores braces and quotes hidden by a backslash', () => {
    expect(isComplete('a \\{')).toBe(true);
    expect(isComplete('a {\\}')).toBe(false);
    expect(isComplete('"a\\"')).toBe(false);
  });

  it('ignores brackets, which are never evaluated', () => {
    expect(isComplete('listening [peers')).toBe(true);
  });

  it('ignores braces and quotes in the middle of a bare word, as Tcl does', () => {
    expect(isComplete('a"b c{d')).toBe(true);
  });

  it('ignores quotes inside braces and braces inside quotes', () => {
    expect(isComplete('{"}')).toBe(true);
    expect(isComplete('"{"')).toBe(true);
  });

  it('calls text with junk after a close brace complete, since no more input can repair it', () => {
    expect(isComplete('{a}b {')).toBe(true);
  });

  it('lets backslash-newline carry a bare word over the spaces after it', () => {
    expect(isComplete('a\\\n  "b')).toBe(true);
    expect(isComplete('a\\\n\n"b')).toBe(false);
  });
});

describe('LineFramer', () => {
  it('emits each complete line as a message without its newline', () => {
    const framer = new LineFramer(1024);
    expect(framer.push('ping\npeers\n')).toEqual(['ping', 'peers']);
  });

  it('buffers a line until its newline arrives', () => {
    const framer = new LineFramer(1024);
    expect(framer.push('pi')).toEqual([]);
    expect(framer.push('ng')).toEqual([]);
    expect(framer.push('\n')).toEqual(['ping']);
  });

  it('joins lines until braces balance', () => {
    const framer = new LineFramer(1024);
    expect(framer.push('proffer 17 {bid 5\n')).toEqual([]);
    expect(framer.push('bid 6\n}\nping\n')).toEqual(['proffer 17 {bid 5\nbid 6\n}', 'ping']);
  });

  it('joins lines until quotes balance', () => {
    const framer = new LineFramer(1024);
    expect(framer.push('say "a\nb"\n')).toEqual(['say "a\nb"']);
  });

  it('skips empty and blank lines', () => {
    const framer = new LineFramer(1024);
    expect(framer.push('\n  \t\n\r\nping\n\n')).toEqual(['ping']);
  });

  it('drops the carriage return of CRLF line ends', () => {
    const framer = new LineFramer(1024);
    expect(framer.push('ping\r\nsay {a\r\nb}\r\n')).toEqual(['ping', 'say {a\nb}']);
  });

  it('emits nothing for an unterminated last line until end() is called', () => {
    const framer = new LineFramer(1024);
    expect(framer.push('ping\npeers')).toEqual(['ping']);
    expect(framer.end()).toEqual(['peers']);
    expect(framer.end()).toEqual([]);
  });

  it('hands an unfinished frame to the parser at end() so that it is refused, not lost', () => {
    const framer = new LineFramer(1024);
    expect(framer.push('proffer {bid\n')).toEqual([]);
    expect(framer.end()).toEqual(['proffer {bid']);
  });

  it('throws FrameTooLargeError with a code when a frame passes the limit', () => {
    const framer = new LineFramer(8);
    const error = frameErrorOf(() => framer.push('123456789\n'));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('FrameTooLargeError');
    expect(error.code).toBe('FRAME_TOO_LARGE');
    expect(error.message).toBe('frame too large: more than 8 bytes');
    expect(error.maxBytes).toBe(8);
    expect(error.messages).toEqual([]);
  });

  it('accepts a frame of exactly the limit', () => {
    const framer = new LineFramer(8);
    expect(framer.push('12345678\n')).toEqual(['12345678']);
  });

  it('counts the limit in UTF-8 bytes, newlines between lines included', () => {
    expect(frameErrorOf(() => new LineFramer(8).push('ééééé\n')).code).toBe('FRAME_TOO_LARGE');
    expect(new LineFramer(10).push('éééé\n')).toEqual(['éééé']);
    expect(new LineFramer(10).push('{ab\ncd}\n')).toEqual(['{ab\ncd}']);
    expect(frameErrorOf(() => new LineFramer(6).push('{ab\ncd}\n')).code).toBe('FRAME_TOO_LARGE');
  });

  it('checks the limit before the line is complete', () => {
    const framer = new LineFramer(8);
    expect(frameErrorOf(() => framer.push('123456789')).code).toBe('FRAME_TOO_LARGE');
    expect(framer.push('more of the same line\nping\n')).toEqual(['ping']);
  });

  it('carries the messages completed by the same push', () => {
    const framer = new LineFramer(8);
    const error = frameErrorOf(() => framer.push('ping\n123456789\npeers\n'));
    expect(error.messages).toEqual(['ping', 'peers']);
  });

  it('drops the whole oversized frame, so its inner lines are never read as commands', () => {
    const framer = new LineFramer(12);
    expect(frameErrorOf(() => framer.push('proffer {\nbid 1\n')).messages).toEqual([]);
    expect(framer.push('ping\n}\npeers\n')).toEqual(['peers']);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new LineFramer(0)).toThrow(RangeError);
    expect(() => new LineFramer(1.5)).toThrow('LineFramer maxBytes must be a positive integer, got 1.5');
  });
});
