#!/usr/bin/env node
// The `peerfarm` command (package.json `bin`): loads the TypeScript CLI through tsx and exits with
// its status. The exit is explicit: WebRTC threads of node-datachannel would keep Node alive.
import { tsImport } from 'tsx/esm/api';

// A fault that escapes every handler still ends in one line, never a stack trace.
process.on('uncaughtException', (error) => {
  process.stderr.write(`peerfarm: internal error: ${String(error?.message ?? error).split('\n')[0]}\n`);
  process.exit(1);
});

const { main } = await tsImport('./main.ts', import.meta.url);
process.exit(await main(process.argv.slice(2)));
