// Proofs on an authority link: each side proves its key (id = hash of the public key, as a peer
// does at join) and that it holds the federation secret, over the nonce the other side chose.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CommandError, ErrorCode } from '../../src/protocol/errors.ts';
import { fromBase64, peerIdOfKey, sign, toBase64, verify, type Identity } from '../../src/protocol/identity.ts';

export interface Hello {
  readonly id: string;
  readonly key: string;
  readonly signature: string;
  readonly proof: string;
  readonly url: string;
}

/** Not the peers' join message: a peer's join signature can never stand for an authority's. */
export function authorityMessage(nonce: string): string {
  return `peerfarm authority ${nonce}`;
}

/** HMAC-SHA256 binds the secret to this nonce and this id, so a proof seen on one link is useless on another. */
export function membershipProof(secret: string, nonce: string, id: string): string {
  return toBase64(createHmac('sha256', secret).update(`${nonce} ${id}`).digest());
}

export async function makeHello(identity: Identity, secret: string, nonce: string, url: string): Promise<Hello> {
  return {
    id: identity.id, key: identity.publicKey, url,
    signature: await sign(identity, authorityMessage(nonce)),
    proof: membershipProof(secret, nonce, identity.id),
  };
}

/** Checks a hello answering our `nonce`; throws the coded refusal of the first proof that fails. */
export async function checkHello(hello: Hello, nonce: string, secret: string): Promise<void> {
  if ((await peerIdOfKey(hello.key)) !== hello.id) {
    throw new CommandError(ErrorCode.BAD_SIGNATURE, `key does not match id "${hello.id}": the id is the SHA-256 of the raw public key`);
  }
  if (!(await verify(hello.key, authorityMessage(nonce), hello.signature))) {
    throw new CommandError(ErrorCode.BAD_SIGNATURE, 'bad signature: sign "peerfarm authority <nonce>" with the key of the challenge');
  }
  const expected = fromBase64(membershipProof(secret, nonce, hello.id));
  const given = safeBase64(hello.proof);
  if (given === undefined || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new CommandError(ErrorCode.NOT_MEMBER, 'not a member of this federation: the proof does not match the federation secret');
  }
}

function safeBase64(text: string): Uint8Array | undefined {
  try {
    return fromBase64(text);
  } catch {
    return undefined;
  }
}
