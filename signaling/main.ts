// `npm start`: one authority on http://localhost:8080 serving the pages, SQLite ledger in ./data.
import { startAuthority, StartError } from './authority.ts';
import { ConfigError, readConfig, USAGE } from './config.ts';

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  const config = readConfig(process.argv.slice(2), process.env);
  const authority = await startAuthority(config);
  const shown = authority.url.replace('127.0.0.1', 'localhost');
  console.log(`peer farm authority on ${shown}  (WebSocket ${authority.wsUrl}, ledger in ${config.dataDir})`);
  console.log(`  worker page ${shown}/   submit page ${shown}/submit.html   admin page ${shown}/admin.html`);
  const stop = (signal: string) => {
    console.log(`peer farm authority: ${signal}, closing`);
    void authority.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StartError) {
    console.error(`peerfarm: ${error.message}`);
  } else {
    console.error('peerfarm: failed to start:', error);
  }
  process.exit(1);
});
