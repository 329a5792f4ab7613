import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, PieceKind, Reassembler, ReassemblyError, split } from '../../src/net/chunking.ts';

function roundTrip(frame: string, maxMessageBytes = 256 * 1024): string[] {
  const reassembler = new Reassembler();
  const out: string[] = [];
  for (const message of split(frame, maxMessageBytes)) {
    if (typeof message === 'string') out.push(message);
    else {
      const whole = reassembler.push(message);
      if (whole !== undefined) out.push(whole);
    }
  }
  return out;
}

describe('split', () => {
  it('sends a frame that fits one message as text', () => {
    expect(split('ping t1', 65536)).toEqual(['ping t1']);
  });

  it('cuts a big frame into binary pieces of at most 16 KiB with a header byte', () => {
    const pieces = split('x'.repeat(40_000), 256 * 1024) as Uint8Array[];
    expect(pieces.map((piece) => piece.length)).toEqual([CHUNK_BYTES, CHUNK_BYTES, 40_000 - 2 * (CHUNK_BYTES - 1) + 1]);
    expect(pieces.map((piece) => piece[0])).toEqual([PieceKind.more, PieceKind.more, PieceKind.last]);
  });

  it('respects a maxMessageSize below 16 KiB', () => {
    const pieces = split('y'.repeat(5000), 1024) as Uint8Array[];
    expect(pieces.every((piece) => piece.length <= 1024)).toBe(true);
  });

  it('counts UTF-8 bytes, not characters, when deciding to cut', () => {
    expect(typeof split('é'.repeat(9000), 65536)[0]).not.toBe('string');
  });
});

describe('Reassembler', () => {
  it('puts a multi-byte frame cut mid-character back together', () => {
    const frame = `proffer t {${'€😀'.repeat(20_000)}}`;
    expect(roundTrip(frame)).toEqual([frame]);
  });

  it('carries a 32 MiB frame', () => {
    const frame = 'z'.repeat(32 * 1024 * 1024);
    expect(roundTrip(frame)[0]!.length).toBe(frame.length);
  });

  it('refuses to buffer past its limit and starts over', () => {
    const reassembler = new Reassembler(100);
    const more = new Uint8Array(80).fill(65);
    more[0] = PieceKind.more;
    reassembler.push(more);
    expect(() => reassembler.push(more)).toThrow(new ReassemblyError('frame exceeds 100 bytes'));
    const last = new Uint8Array([PieceKind.last, 111, 107]);
    expect(reassembler.push(last)).toBe('ok');
  });

  it('refuses an unknown piece kind', () => {
    expect(() => new Reassembler().push(new Uint8Array([7, 1]))).toThrow('unknown piece kind 7');
  });
});
