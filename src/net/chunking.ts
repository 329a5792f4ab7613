// Splitting big frames into data-channel messages and putting them back together.
// A frame that fits one message travels as text; a bigger one travels as binary pieces, each
// starting with one header byte, so both kinds can share a channel without ambiguity.

/** 16 KiB: the size every browser's SCTP stack delivers without fragmentation trouble. */
export const CHUNK_BYTES = 16 * 1024;
/** A reassembled frame above this is refused: a peer cannot make us buffer without bound. */
export const MAX_REASSEMBLED_BYTES = 64 * 1024 * 1024;

export const PieceKind = {
  /** More pieces of the same frame follow. */
  more: 0x01,
  /** The last piece of a frame. */
  last: 0x02,
  /** Link heartbeat probe and answer: never shown to the Handler. */
  ping: 0x10,
  pong: 0x11,
} as const;
export type PieceKind = (typeof PieceKind)[keyof typeof PieceKind];

const encoder = new TextEncoder();

/** The messages that carry `frame`, each at most `maxMessageBytes` long. */
export function split(frame: string, maxMessageBytes: number): (string | Uint8Array)[] {
  const pieceBytes = Math.max(4, Math.min(CHUNK_BYTES, maxMessageBytes) - 1);
  // A UTF-16 unit is at most 3 UTF-8 bytes: short frames skip the encoding.
  if (frame.length * 3 <= pieceBytes) return [frame];
  const pieces: Uint8Array[] = [];
  // encodeInto each piece: TextEncoder.encode of a whole big frame plus a copy costs ~4x more.
  for (let read = 0; read < frame.length;) {
    let end = Math.min(frame.length, read + pieceBytes);
    const last = frame.charCodeAt(end - 1);
    if (end < frame.length && last >= 0xd800 && last <= 0xdbff) end--; // never cut a surrogate pair
    const piece = new Uint8Array(pieceBytes + 1);
    const { read: used, written } = encoder.encodeInto(frame.slice(read, end), piece.subarray(1));
    read += used;
    piece[0] = PieceKind.more;
    pieces.push(written === pieceBytes ? piece : piece.subarray(0, written + 1));
  }
  if (pieces.length === 1) return [frame];
  pieces[pieces.length - 1]![0] = PieceKind.last;
  return pieces;
}

export class ReassemblyError extends Error {
  override readonly name = 'ReassemblyError';
}

/** Collects binary pieces until the last one, then yields the frame text. */
export class Reassembler {
  private pieces: Uint8Array[] = [];
  private bytes = 0;
  private readonly decoder = new TextDecoder();

  constructor(private readonly maxBytes = MAX_REASSEMBLED_BYTES) {}

  /** Returns the whole frame when `piece` completes one, else undefined. */
  push(piece: Uint8Array): string | undefined {
    const kind = piece[0];
    if (kind !== PieceKind.more && kind !== PieceKind.last) throw new ReassemblyError(`unknown piece kind ${String(kind)}`);
    this.bytes += piece.length - 1;
    if (this.bytes > this.maxBytes) {
      this.reset();
      throw new ReassemblyError(`frame exceeds ${this.maxBytes} bytes`);
    }
    this.pieces.push(piece.subarray(1));
    if (kind === PieceKind.more) return undefined;
    const whole = new Uint8Array(this.bytes);
    let offset = 0;
    for (const part of this.pieces) {
      whole.set(part, offset);
      offset += part.length;
    }
    this.reset();
    return this.decoder.decode(whole);
  }

  private reset(): void {
    this.pieces = [];
    this.bytes = 0;
  }
}
