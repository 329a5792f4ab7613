import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyFileError, loadOrCreateIdentity } from '../../src/node/key-file.ts';
import { sign, verify } from '../../src/protocol/identity.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'peerfarm-key-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadOrCreateIdentity', () => {
  it('makes a key file readable by its owner only on first use, in a folder it creates', async () => {
    const path = join(dir, 'nested', 'key.json');
    const identity = await loadOrCreateIdentity(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(identity.id).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ version: 1, publicKey: identity.publicKey });
  });

  it('gives the same identity, able to sign, on the next start', async () => {
    const path = join(dir, 'key.json');
    const first = await loadOrCreateIdentity(path);
    const again = await loadOrCreateIdentity(path);
    expect(again.id).toBe(first.id);
    expect(again.privateKey.extractable).toBe(false);
    expect(await verify(first.publicKey, 'm', await sign(again, 'm'))).toBe(true);
  });

  it('gives one identity to starts racing on one folder', async () => {
    const path = join(dir, 'key.json');
    const ids = await Promise.all([1, 2, 3].map(async () => (await loadOrCreateIdentity(path)).id));
    expect(new Set(ids).size).toBe(1);
  });

  it('refuses a file that is not a key file, and leaves it alone', async () => {
    const path = join(dir, 'key.json');
    writeFileSync(path, 'hello');
    await expect(loadOrCreateIdentity(path)).rejects.toThrow(new KeyFileError(`${path} is not a key file (not JSON); move it away to make a new key`));
    writeFileSync(path, '{"version":1,"privateKey":"AAAA","publicKey":"AAAA"}');
    await expect(loadOrCreateIdentity(path)).rejects.toThrow(KeyFileError);
    expect(readFileSync(path, 'utf8')).toContain('AAAA');
  });
});
