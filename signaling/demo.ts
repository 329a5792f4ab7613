// `npm run demo`: one authority plus N headless worker tabs (Debian Chromium via playwright), so the
// network can be watched and used from a normal browser: open the admin or submit page it prints.
// `--authorities N` runs a federation of N authorities on consecutive ports instead, sharing one
// PostgreSQL ledger (DATABASE_URL, or a throw-away cluster this demo starts), the tabs spread over them.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startAuthority, StartError, type Authority } from './authority.ts';
import { ConfigError, readConfig } from './config.ts';
import { createLog } from './log.ts';
import type { Browser } from 'playwright-core';
import { launchChromium, newContext } from '../test/helpers/chromium.ts';
import { startPostgres, type TestPostgres } from '../test/helpers/postgres.ts';

/** A demo is for watching: more tabs than this only slows a small machine down. */
const MAX_DEMO_WORKERS = 20;
const DEFAULT_DEMO_WORKERS = 6;
/** A federation on one machine shows what happens between authorities; more only repeats it. */
const MAX_DEMO_AUTHORITIES = 5;

/** Takes `--name N` (a whole number from 1 to `max`) out of the arguments. */
function takeCount(argv: string[], name: string, fallback: number, max: number): { count: number; rest: string[] } {
  const index = argv.indexOf(name);
  if (index < 0) return { count: fallback, rest: argv };
  const count = Number(argv[index + 1]);
  if (!Number.isInteger(count) || count < 1 || count > max) {
    throw new ConfigError(`${name} must be a whole number from 1 to ${max}, got "${argv[index + 1] ?? ''}"`);
  }
  return { count, rest: [...argv.slice(0, index), ...argv.slice(index + 2)] };
}

async function main(): Promise<void> {
  const { count: workers, rest: afterWorkers } = takeCount(process.argv.slice(2), '--workers', DEFAULT_DEMO_WORKERS, MAX_DEMO_WORKERS);
  const { count: authorityCount, rest } = takeCount(afterWorkers, '--authorities', 1, MAX_DEMO_AUTHORITIES);
  // Every demo tab joins from this machine's address: let them all get their starting points.
  const base = readConfig(['--grants-per-ip-per-day', String(workers + 50), ...rest], process.env);
  const log = createLog(base.logLevel);
  const federated = authorityCount > 1;
  let postgres: TestPostgres | undefined;
  const authorities: Authority[] = [];
  let browser: Browser | undefined;
  let stopping = false;
  // Each step even when one before it failed: the PostgreSQL cluster this started must not outlive it.
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const steps = [() => browser?.close(), ...authorities.map((authority) => () => authority.close()), () => postgres?.stop()];
    for (const step of steps) await Promise.resolve().then(step).catch((error: unknown) => log.error({ err: error }, 'demo: stopping'));
    process.exit(0);
  };
  // \`on\`, not \`once\`: playwright's exit hook kills the process at a signal when it is the only
  // listener left, which would leave the PostgreSQL cluster running.
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  let databaseUrl = base.databaseUrl;
  if (federated && databaseUrl === undefined) {
    postgres = await startPostgres();
    databaseUrl = postgres.url;
    log.info({ database: databaseUrl }, 'a throw-away PostgreSQL cluster holds the shared ledger (gone when the demo stops)');
  }
  // One secret for this run: only these authorities may link to each other.
  const secret = base.federation.secret ?? randomBytes(24).toString('hex');
  for (let i = 0; i < authorityCount; i++) {
    const args = federated ? [
      '--grants-per-ip-per-day', String(workers + 50), ...rest,
      '--port', String(base.port === 0 ? 0 : base.port + i), '--data-dir', join(base.dataDir, `authority-${i + 1}`),
      '--database-url', databaseUrl!, '--federation-secret', secret,
      // The first is every other's seed; they learn each other from it.
      ...(i > 0 ? ['--peer-authority', authorities[0]!.wsUrl] : []),
    ] : ['--grants-per-ip-per-day', String(workers + 50), ...rest];
    authorities.push(await startAuthority(readConfig(args, process.env), Date.now, { log, processMetrics: i === 0 }));
  }
  const shown = authorities.map((authority) => authority.url.replace('127.0.0.1', 'localhost'));
  browser = await launchChromium({ ownSignals: true });
  const context = await newContext(browser, authorities.map((authority) => authority.url));
  for (let i = 0; i < workers; i++) {
    await (await context.newPage()).goto(`${authorities[i % authorities.length]!.url}/?ephemeral&join`);
  }
  log.info({ workers, authorities: shown, admin: `${shown[0]}/admin.html`, submit: `${shown[0]}/submit.html` },
    `peer farm demo: ${workers} worker tabs joined ${shown.join(', ')}; watch ${shown[0]}/admin.html, ` +
    `farm from ${shown[0]}/submit.html (Ctrl-C stops)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof StartError ? `peerfarm demo: ${error.message}` : error);
  process.exit(1);
});
