// Starts a real authority in this process on a free loopback port, with a throw-away data folder.
// Its log is quiet (`--log-level warn`, or LOG_LEVEL) unless a test passes its own `--log-level`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAuthority, type Authority, type AuthorityDeps } from '../../signaling/authority.ts';
import { readConfig } from '../../signaling/config.ts';

export interface TestAuthority extends Authority {
  readonly dataDir: string;
}

export async function startTestAuthority(args: string[] = [], deps: AuthorityDeps = {}): Promise<TestAuthority> {
  const dataDir = mkdtempSync(join(tmpdir(), 'peerfarm-test-'));
  // Every test tab joins from 127.0.0.1: lift the per-address grant limit unless a test sets it.
  const config = readConfig([
    '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--grants-per-ip-per-day', '1000',
    '--log-level', process.env['LOG_LEVEL'] ?? 'warn', ...args,
  ], {});
  const authority = await startAuthority(config, Date.now, deps);
  return {
    ...authority,
    dataDir,
    close: async () => {
      await authority.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
