// The error catalogue of the wire protocol (docs/PROTOCOL.md, "Error codes").
// A peer's mistake is answered with `exception <message>`; the code is for our own logs and tests.

export const ErrorCode = {
  PARSE_ERROR: 'PARSE_ERROR',
  FRAME_TOO_LARGE: 'FRAME_TOO_LARGE',
  BAD_FRAME: 'BAD_FRAME',
  RATE_LIMITED: 'RATE_LIMITED',
  BAD_COMMAND: 'BAD_COMMAND',
  WRONG_ARGS: 'WRONG_ARGS',
  BAD_OPTION: 'BAD_OPTION',
  BAD_VALUE: 'BAD_VALUE',
  OUT_OF_RANGE: 'OUT_OF_RANGE',
  ARG_TOO_LONG: 'ARG_TOO_LONG',
  PROTOCOL_UNKNOWN: 'PROTOCOL_UNKNOWN',
  NOT_JOINED: 'NOT_JOINED',
  BAD_SIGNATURE: 'BAD_SIGNATURE',
  PEER_GONE: 'PEER_GONE',
  NOT_MEMBER: 'NOT_MEMBER',
  ALREADY_JOINED: 'ALREADY_JOINED',
  BUSY: 'BUSY',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A refusal quotes at most this much of what it refuses: enough to recognise, not to echo a payload back. */
export const QUOTED_CHARS = 64;

/** What a refusal quotes of the peer's input: short, and on one line (control characters escaped). */
export function quote(text: string): string {
  const shown = text.length > QUOTED_CHARS ? `${text.slice(0, QUOTED_CHARS)}...` : text;
  // eslint-disable-next-line no-control-regex
  return shown.replace(/[\u0000-\u001f\u007f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A refusal of one command; its message is sent to the peer as `exception <message>`. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
  }
}
