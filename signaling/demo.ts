// `npm run demo`: one authority plus N headless worker tabs (Debian Chromium via playwright), so the
// network can be watched and used from a normal browser: open the admin or submit page it prints.
import { startAuthority, StartError } from './authority.ts';
import { ConfigError, readConfig } from './config.ts';
import { createLog } from './log.ts';
import { launchChromium, newContext } from '../test/helpers/chromium.ts';

/** A demo is for watching: more tabs than this only slows a small machine down. */
const MAX_DEMO_WORKERS = 20;
const DEFAULT_DEMO_WORKERS = 6;

function takeWorkers(argv: string[]): { workers: number; rest: string[] } {
  const index = argv.indexOf('--workers');
  if (index < 0) return { workers: DEFAULT_DEMO_WORKERS, rest: argv };
  const workers = Number(argv[index + 1]);
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_DEMO_WORKERS) {
    throw new ConfigError(`--workers must be a whole number from 1 to ${MAX_DEMO_WORKERS}, got "${argv[index + 1] ?? ''}"`);
  }
  return { workers, rest: [...argv.slice(0, index), ...argv.slice(index + 2)] };
}

async function main(): Promise<void> {
  const { workers, rest } = takeWorkers(process.argv.slice(2));
  // Every demo tab joins from this machine's address: let them all get their starting points.
  const config = readConfig(['--grants-per-ip-per-day', String(workers + 50), ...rest], process.env);
  const log = createLog(config.logLevel);
  const authority = await startAuthority(config, Date.now, { log, processMetrics: true });
  const shown = authority.url.replace('127.0.0.1', 'localhost');
  const browser = await launchChromium();
  const context = await newContext(browser, authority.url);
  for (let i = 0; i < workers; i++) await (await context.newPage()).goto(`${authority.url}/?ephemeral&join`);
  log.info({ workers, admin: `${shown}/admin.html`, submit: `${shown}/submit.html` },
    `peer farm demo: ${workers} worker tabs joined ${shown}; watch ${shown}/admin.html, farm from ${shown}/submit.html (Ctrl-C stops)`);
  const stop = async () => {
    await browser.close();
    await authority.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof StartError ? `peerfarm demo: ${error.message}` : error);
  process.exit(1);
});
