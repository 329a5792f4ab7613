// `npm start`: one authority on http://localhost:8080 serving the pages, SQLite ledger in ./data.
// Log lines are JSON (pino) on stdout; a wrong setting is one plain line on stderr.
import { startAuthority, StartError } from './authority.ts';
import { ConfigError, readConfig, USAGE } from './config.ts';
import { createLog } from './log.ts';
import { trustAdvice } from './tls.ts';

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  const config = readConfig(process.argv.slice(2), process.env);
  const log = createLog(config.logLevel);
  const authority = await startAuthority(config, Date.now, { log, processMetrics: true });
  const stop = (signal: string) => {
    log.info({ signal }, 'closing');
    void authority.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  const shown = authority.url.replace('127.0.0.1', 'localhost');
  if (authority.tls) {
    const { fingerprint, spki, names, created } = authority.tls;
    for (const line of trustAdvice(authority.tls, shown)) log.info({ tls: { fingerprint, spki, names, created } }, line);
  }
  // Last: whoever reads this line may signal at once, and the handlers are in place.
  log.info({
    url: shown, ws: authority.wsUrl, dataDir: config.dataDir, metrics: `${shown}/metrics`, authorityId: authority.federation.id,
    pages: { worker: `${shown}/`, submit: `${shown}/submit.html`, admin: `${shown}/admin.html` },
  }, `peer farm authority on ${shown}`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StartError) {
    console.error(`peerfarm: ${error.message}`);
  } else {
    console.error('peerfarm: failed to start:', error);
  }
  process.exit(1);
});
