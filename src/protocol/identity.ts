// Peer identity with WebCrypto (the same code in the tab and in the Node authority): an ECDSA
// P-256 key pair, peer id = hash of the public key, and signatures over protocol messages.

/** Every identity's key pair: peers' (IndexedDB), authorities' and Node clients' (key files). */
export const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNATURE = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** 16 bytes of SHA-256: collisions need ~2^64 keys, and the id stays short enough to read. */
const PEER_ID_BYTES = 16;

export interface Identity {
  readonly id: string;
  /** The raw (uncompressed point) public key, base64. */
  readonly publicKey: string;
  readonly privateKey: CryptoKey;
}

/** A fresh key pair; the private key is not extractable, so script on the page cannot copy it. */
export async function generateIdentity(): Promise<Identity> {
  const pair = await crypto.subtle.generateKey(KEY_ALGORITHM, false, ['sign', 'verify']);
  return identityFromKeys(pair.privateKey, pair.publicKey);
}

export async function identityFromKeys(privateKey: CryptoKey, publicKey: CryptoKey): Promise<Identity> {
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', publicKey));
  return { id: await peerIdOf(raw), publicKey: toBase64(raw), privateKey };
}

export async function peerIdOf(rawPublicKey: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', rawPublicKey as Uint8Array<ArrayBuffer>));
  return [...digest.slice(0, PEER_ID_BYTES)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** What a peer signs to prove its key at join: the authority's one-time nonce. */
export function joinMessage(nonce: string): string {
  return `peerfarm join ${nonce}`;
}

export async function sign(identity: Identity, message: string): Promise<string> {
  const signature = await crypto.subtle.sign(SIGNATURE, identity.privateKey, new TextEncoder().encode(message));
  return toBase64(new Uint8Array(signature));
}

/**
 * Imported verify keys, most recently used last. Importing costs more than a verify itself (it
 * checks the point is on the curve), and a link checks many signatures of one key: an authority
 * every points request of its peers, a client every result batch of its workers.
 */
const verifyKeys = new Map<string, Promise<CryptoKey>>();
const VERIFY_KEYS_MAX = 1024;

function verifyKey(publicKey: string): Promise<CryptoKey> {
  let key = verifyKeys.get(publicKey);
  if (key) verifyKeys.delete(publicKey);
  else {
    key = crypto.subtle.importKey('raw', fromBase64(publicKey), KEY_ALGORITHM, false, ['verify']);
    key.catch(() => verifyKeys.delete(publicKey));
  }
  verifyKeys.set(publicKey, key);
  if (verifyKeys.size > VERIFY_KEYS_MAX) verifyKeys.delete(verifyKeys.keys().next().value!);
  return key;
}

/** True when `signature` signs `message` with `publicKey`; any malformed input is simply false. */
export async function verify(publicKey: string, message: string, signature: string): Promise<boolean> {
  try {
    const key = await verifyKey(publicKey);
    return await crypto.subtle.verify(SIGNATURE, key, fromBase64(signature), new TextEncoder().encode(message));
  } catch {
    return false;
  }
}

/** The id a public key stands for, or undefined when it is not a valid base64 P-256 key. */
export async function peerIdOfKey(publicKey: string): Promise<string | undefined> {
  try {
    // Imported (which checks the point is on the curve) into the cache its signatures are checked with.
    await verifyKey(publicKey);
    return await peerIdOf(fromBase64(publicKey));
  } catch {
    return undefined;
  }
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
