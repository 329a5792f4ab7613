// The transport interface every link adapter implements (src/net: WebSocket, WebRTC, memory).
// One frame is one command; src/protocol never looks at what carries it.

export const LinkState = {
  open: 'open',
  closing: 'closing',
  closed: 'closed',
} as const;
export type LinkState = (typeof LinkState)[keyof typeof LinkState];

export interface Link {
  readonly state: LinkState;
  /** Where the frames come from, as the transport sees it: an IP address, a peer id, "memory". */
  readonly remote: string;
  send(frame: string): void;
  close(reason?: string): void;
  /** Set by the one Handler that owns the link; frames arriving before it is set are queued. */
  onframe: ((frame: string) => void) | undefined;
  onclose: ((reason: string) => void) | undefined;
  /** A binary message on a transport whose commands are text (WebSocket): its size, to be refused. */
  onbinary?: ((bytes: number) => void) | undefined;
}
