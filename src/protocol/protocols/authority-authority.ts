// p2p:authority<-authority/1 — what an authority accepts from another in the federation (either
// side of the link dials; the protocol is its own mirror). Catalogue: docs/PROTOCOL.md.
import { defineProtocol } from '../registry.ts';
import type { CommandSpec } from '../schema.ts';
import { MAX_SIGNAL_BYTES } from './common.ts';

/** Authorities one federation member links to and gossips about at most. */
export const MAX_AUTHORITIES = 32;
/** Listening workers one `directory` lists at most: a sample, never the whole registry. */
export const MAX_DIRECTORY_IDS = 500;
/** A ws:// or wss:// URL of an authority. */
const MAX_URL_BYTES = 256;

const relayToken = { name: 'token', type: 'token' } as const;

const relay = {
  args: [
    relayToken,
    { name: 'from', type: 'id' },
    { name: 'to', type: 'id' },
    { name: 'payload', type: 'dict', maxBytes: MAX_SIGNAL_BYTES, maxItems: 16, forward: true },
  ],
  reply: 'relayed',
  doc: 'Delivers a signaling payload from peer `from` (held by the sender) to peer `to`, if this authority holds it; ' +
    'answered `relayed token` or `undelivered token code message`. Never forwarded further.',
} as const satisfies CommandSpec;

export const authorityFromAuthority1 = defineProtocol({
  receiver: 'authority',
  sender: 'authority',
  version: 1,
  summary: 'Federated authorities prove their keys and membership, gossip addresses, share sampled directories of ' +
    'listening workers and relay signaling to each other\'s peers.',
  commands: {
    challenge: {
      args: [{ name: 'nonce', type: 'token' }],
      reply: 'hello',
      doc: 'Sent by both sides right after the handshake: the nonce the other signs in `hello`.',
    },
    hello: {
      args: [
        { name: 'id', type: 'id' },
        { name: 'key', type: 'base64', maxBytes: 256 },
        { name: 'signature', type: 'base64', maxBytes: 256 },
        { name: 'proof', type: 'base64', maxBytes: 64 },
        { name: 'url', type: 'word', maxBytes: MAX_URL_BYTES },
      ],
      reply: '',
      doc: '`key` is the raw P-256 public key and `id` its hash, `signature` signs "peerfarm authority <nonce>", ' +
        '`proof` is base64 HMAC-SHA256 under the federation secret of "<nonce> <id>", `url` where peers reach the sender. ' +
        'A failed proof is refused and the link closed.',
    },
    heartbeat: {
      args: [{ name: 'peers', type: 'int', min: 0, max: 10_000_000 }],
      reply: '',
      doc: 'Keeps the link alive and says how many peers the sender holds; a link silent past peer_expiry_ms is closed.',
    },
    authorities: {
      args: [{ name: 'urls', type: 'list', maxItems: MAX_AUTHORITIES, maxBytes: MAX_AUTHORITIES * MAX_URL_BYTES }],
      reply: '',
      doc: `The URLs of the authorities the sender is linked to, itself included (gossip, at most ${MAX_AUTHORITIES}).`,
    },
    directory: {
      args: [{ name: 'ids', type: 'list', maxItems: MAX_DIRECTORY_IDS }],
      reply: '',
      doc: `A random sample (at most ${MAX_DIRECTORY_IDS}) of the listening workers the sender holds; replaces the last one.`,
    },
    relay,
    relayed: {
      args: [relayToken],
      reply: '',
      doc: 'The `relay` of `token` was delivered.',
    },
    undelivered: {
      args: [relayToken, { name: 'code', type: 'word', maxBytes: 32 }, { name: 'message', type: 'string', maxBytes: 1024 }],
      reply: '',
      doc: 'The `relay` of `token` was not delivered: `code` is from the error catalogue (PEER_GONE, ...).',
    },
  },
});
