// Keeps this browser's identity in IndexedDB. CryptoKey objects are structured-cloneable, so the
// non-extractable private key is stored as is and never leaves WebCrypto as bytes.
import { idbRequest } from './indexed-db.ts';
import { generateIdentity, type Identity } from '../protocol/identity.ts';

const DB_NAME = 'peerfarm';
const STORE = 'identity';

/**
 * A fresh key for `ephemeral` tabs (several workers in one browser), else the one stored for this
 * role: the authority keeps one link per peer id, so a worker tab and the submit page of one
 * browser need separate identities.
 */
export async function loadIdentity(ephemeral: boolean, role: 'worker' | 'client'): Promise<Identity> {
  if (!globalThis.isSecureContext || globalThis.crypto?.subtle === undefined) throw new InsecureContextError(globalThis.location?.origin ?? 'this page');
  if (ephemeral) return generateIdentity();
  try {
    const db = await open();
    const stored = await idbRequest<Identity | undefined>(db.transaction(STORE).objectStore(STORE).get(role));
    if (stored) return stored;
    const identity = await generateIdentity();
    await idbRequest(db.transaction(STORE, 'readwrite').objectStore(STORE).put(identity, role));
    return identity;
  } catch {
    // Private windows and some embedded contexts have no IndexedDB: fall back to a tab-only key.
    return generateIdentity();
  }
}

function open(): Promise<IDBDatabase> {
  const opening = indexedDB.open(DB_NAME, 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
  return idbRequest(opening);
}

/**
 * Browsers give WebCrypto only to secure contexts (HTTPS pages, and localhost), and a tab's
 * identity is a WebCrypto key: a page opened over plain HTTP from another machine cannot join.
 */
export class InsecureContextError extends Error {
  override readonly name = 'InsecureContextError';
  constructor(origin: string) {
    super(`This page (${origin}) was opened over plain HTTP from another machine, which browsers do not count as a ` +
      'secure context, so they withhold WebCrypto, which this tab needs for its identity. Open it over HTTPS ' +
      '(start the authority with --tls self-signed, or --tls-cert and --tls-key), or on localhost on the machine that runs it.');
  }
}
