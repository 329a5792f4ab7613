// Commands several authority protocols share, declared once (docs/PROTOCOL.md).
import type { CommandSpec } from '../schema.ts';

/** A peer list reply or request never carries more ids than this (the registry is never dumped). */
export const MAX_PEERS_LISTED = 100;
/** Signaling payloads are SDP or one ICE candidate; an SDP with many candidates stays well below. */
export const MAX_SIGNAL_BYTES = 32 * 1024;

export const join = {
  args: [
    { name: 'id', type: 'id' },
    { name: 'key', type: 'base64', maxBytes: 256 },
    { name: 'signature', type: 'base64', maxBytes: 256 },
  ],
  reply: 'welcome',
  doc: 'Proves the identity: `key` is the raw P-256 public key, `id` its hash, `signature` signs the challenge.',
} as const satisfies CommandSpec;

export const heartbeat = {
  args: [],
  reply: '',
  doc: 'Keeps the registration alive; a peer silent for peer_expiry_ms is removed.',
} as const satisfies CommandSpec;

export const signalTo = {
  args: [
    { name: 'to', type: 'id' },
    { name: 'payload', type: 'dict', maxBytes: MAX_SIGNAL_BYTES, maxItems: 16, forward: true },
  ],
  reply: '',
  doc: 'Relays a WebRTC signaling payload (offer, answer or candidate) to a joined peer.',
} as const satisfies CommandSpec;

export const challenge = {
  args: [{ name: 'nonce', type: 'token' }],
  reply: 'join',
  doc: 'Sent right after the handshake: the nonce the peer signs in `join`.',
} as const satisfies CommandSpec;

export const options = {
  args: [{ name: 'settings', type: 'string', variadic: 'pairs', maxBytes: 4096, maxItems: 64 }],
  reply: '',
  doc: 'Option overrides plus `address <ip>` as the authority observes it; unknown keys are ignored.',
} as const satisfies CommandSpec;

export const welcome = {
  args: [{ name: 'id', type: 'id' }],
  reply: '',
  doc: 'The join was accepted: the peer is registered under `id`.',
} as const satisfies CommandSpec;

export const signalFrom = {
  args: [
    { name: 'from', type: 'id' },
    { name: 'payload', type: 'dict', maxBytes: MAX_SIGNAL_BYTES, maxItems: 16 },
  ],
  reply: '',
  doc: 'A signaling payload relayed from peer `from`.',
} as const satisfies CommandSpec;

export const peerList = (name: string) => ({
  args: [{ name: 'ids', type: 'list', maxItems: MAX_PEERS_LISTED }],
  reply: '',
  doc: `A random sample of the ${name} the authority knows, never more than ${MAX_PEERS_LISTED}.`,
}) as const satisfies CommandSpec;

/** Events one `log` command carries at most; a tab ships a batch every 2 s. */
export const MAX_LOG_EVENTS = 500;

export const log = {
  args: [{ name: 'events', type: 'list', maxItems: MAX_LOG_EVENTS, maxBytes: 200 * 1024 }],
  reply: '',
  doc: 'Ships recorded events, each a JSON object `{t, kind, peer?, text?, result?, ids?}` (kind: open, close, in, ' +
    'out, overlay, job, transfer); the authority keeps them for the admin replay. Malformed events are dropped.',
} as const satisfies CommandSpec;
