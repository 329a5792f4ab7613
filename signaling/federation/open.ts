// Makes an authority's federation member: its identity from the key file in the data folder
// (made on first start, so the id, and the name other authorities' events give it, survive restarts).
import { join } from 'node:path';
import { loadOrCreateIdentity } from '../../src/node/key-file.ts';
import type { FederationConfig } from './config.ts';
import { Federation, type FederationDeps } from './federation.ts';

export const KEY_FILE = 'authority-key.json';

export async function openFederation(config: FederationConfig, dataDir: string,
  deps: Omit<FederationDeps, 'identity' | 'secret' | 'seeds'>): Promise<Federation> {
  const identity = await loadOrCreateIdentity(join(dataDir, KEY_FILE));
  return new Federation({ ...deps, identity, secret: config.secret, seeds: config.seeds });
}
