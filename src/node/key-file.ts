// A signing identity kept in a file (Node only): the authority's federation key and the Node
// client's key (src/node/client.ts). Made on first use, readable by its owner alone (mode 0600).
import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ifMissing } from './if-missing.ts';
import { KEY_ALGORITHM, fromBase64, identityFromKeys, toBase64, type Identity } from '../protocol/identity.ts';

const FILE_MODE = 0o600;

interface KeyFile {
  readonly version: 1;
  /** PKCS#8, base64. */
  readonly privateKey: string;
  /** Raw public point, base64. */
  readonly publicKey: string;
}

export class KeyFileError extends Error {
  override readonly name = 'KeyFileError';
}

/** The identity in `path`, made and written there first if the file does not exist. */
export async function loadOrCreateIdentity(path: string): Promise<Identity> {
  const text = await ifMissing(readFile(path, 'utf8'), undefined);
  if (text !== undefined) return importKeyFile(path, text);
  const created = await createKeyFile(path);
  // Two processes starting on one data folder: the one that lost the race reads the winner's key.
  return created ?? importKeyFile(path, await readFile(path, 'utf8'));
}

async function createKeyFile(path: string): Promise<Identity | undefined> {
  // Extractable only here, long enough to be written; the identity holds a non-extractable import.
  const pair = await crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
  const file: KeyFile = {
    version: 1,
    privateKey: toBase64(new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey))),
    publicKey: toBase64(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))),
  };
  await mkdir(dirname(path), { recursive: true });
  // Written whole under a private name with its mode set at creation (never readable by others),
  // then linked into place: link fails if the name exists, so a racing start never sees half a file.
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  const handle = await open(temporary, 'wx', FILE_MODE);
  try {
    await handle.writeFile(`${JSON.stringify(file)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  } finally {
    await unlink(temporary);
  }
  return importKeys(file);
}

async function importKeyFile(path: string, text: string): Promise<Identity> {
  let file: Partial<KeyFile>;
  try {
    file = JSON.parse(text) as Partial<KeyFile>;
  } catch {
    throw new KeyFileError(`${path} is not a key file (not JSON); move it away to make a new key`);
  }
  if (file.version !== 1 || typeof file.privateKey !== 'string' || typeof file.publicKey !== 'string') {
    throw new KeyFileError(`${path} is not a version 1 key file {version, privateKey, publicKey}`);
  }
  try {
    return await importKeys(file as KeyFile);
  } catch (error) {
    throw new KeyFileError(`${path} holds no valid P-256 key pair: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function importKeys(file: KeyFile): Promise<Identity> {
  const privateKey = await crypto.subtle.importKey('pkcs8', fromBase64(file.privateKey), KEY_ALGORITHM, false, ['sign']);
  const publicKey = await crypto.subtle.importKey('raw', fromBase64(file.publicKey), KEY_ALGORITHM, true, ['verify']);
  return identityFromKeys(privateKey, publicKey);
}
