// The error catalogue of the wire protocol (docs/PROTOCOL.md, "Error codes").
// A peer's mistake is answered with `exception <message>`; the code is for our own logs and tests.

export const ErrorCode = {
  PARSE_ERROR: 'PARSE_ERROR',
  FRAME_TOO_LARGE: 'FRAME_TOO_LARGE',
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
  ALREADY_JOINED: 'ALREADY_JOINED',
  BUSY: 'BUSY',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A refusal of one command; its message is sent to the peer as `exception <message>`. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
  }
}
