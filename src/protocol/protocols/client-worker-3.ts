// p2p:worker<-client/3 and p2p:client<-worker/3: /2, with what a job series shares and what its jobs
// say. `series` may carry `-args` (JSON sent once per worker, handed to every job as `ctx.args`,
// instead of being repeated in each input), and a worker sends its jobs' log lines back (`log`:
// `ctx.log` and `console.*`, capped per job in the sandbox and per series here). Catalogue: docs/PROTOCOL.md.
import { defineProtocol } from '../registry.ts';
import { clientFromWorker2, workerFromClient2 } from './client-worker-2.ts';
import { MAX_JOB_DATA_BYTES } from './peer-common.ts';

/** A log line as it travels (the sandbox cuts lines to 1,000 characters; quoting may add some). */
export const MAX_LOG_LINE_BYTES = 4096;

const seriesId = { name: 'series', type: 'token' } as const;
const lease = { name: 'lease', type: 'token' } as const;

const { exception: _e1, identity: _i1, series: series2, ...toWorker } = workerFromClient2.commands;
const { exception: _e2, identity: _i2, ...toClient } = clientFromWorker2.commands;

export const workerFromClient3 = defineProtocol({
  receiver: 'worker', sender: 'client', version: 3,
  summary: 'As /2, with arguments shared by every job of a series sent once, with `series`.',
  commands: {
    ...toWorker,
    series: {
      ...series2,
      options: { ...series2.options, '-args': { type: 'string', maxBytes: MAX_JOB_DATA_BYTES } },
      doc: `${series2.doc} -args is JSON every job of the series gets as ctx.args.`,
    },
  },
});

export const clientFromWorker3 = defineProtocol({
  receiver: 'client', sender: 'worker', version: 3,
  summary: 'As /2, with the log lines of the series\' jobs (ctx.log, console.*).',
  commands: {
    ...toClient,
    log: {
      args: [seriesId, lease, { name: 'level', type: 'word', maxBytes: 8 }, { name: 'text', type: 'string', maxBytes: MAX_LOG_LINE_BYTES }],
      reply: '',
      doc: 'The job of `lease` logged `text` at `level` (log, info, warn, error or debug). At most 100 lines a job, ' +
        'then one that says how many were dropped; a worker sends at most 20 lines a second a series.',
    },
  },
});
