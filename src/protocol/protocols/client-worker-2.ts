// p2p:worker<-client/2 and p2p:client<-worker/2: /1 with jobs and results in batches, so the cost
// of a link message, a signature and a check is paid once for many small jobs. A client sends
// `jobs S {lease input ...}` for what a worker pulled; a worker answers with
// `results S {lease value ...} signature`, one signature over the whole batch. Catalogue: docs/PROTOCOL.md.
import { defineProtocol } from '../registry.ts';
import { clientFromWorker1, workerFromClient1 } from './client-worker.ts';
import { PEER_MAX_FRAME_BYTES } from './peer-common.ts';

/** Jobs or results one batch carries at most (a worker pulls at most this many at once). */
export const MAX_BATCH_JOBS = 256;

const seriesId = { name: 'series', type: 'token' } as const;
/** A batch is one frame: bounded by the frame limit of links between tabs, not per job. */
const batch = <N extends string>(name: N) => ({ name, type: 'list', maxItems: 2 * MAX_BATCH_JOBS, maxBytes: PEER_MAX_FRAME_BYTES }) as const;

const { exception: _e1, identity: _i1, job: _job, ...toWorker } = workerFromClient1.commands;
const { exception: _e2, identity: _i2, result: _result, pull: _pull, ...toClient } = clientFromWorker1.commands;

export const workerFromClient2 = defineProtocol({
  receiver: 'worker', sender: 'client', version: 2,
  summary: 'As /1, with jobs sent in batches: `jobs` replaces `job`.',
  commands: {
    ...toWorker,
    jobs: {
      args: [seriesId, batch('entries')],
      reply: 'results',
      doc: 'Jobs of the series, `lease input lease input ...` (input is JSON), at most what the worker pulled. ' +
        'Answered with `progress`, then `results` (in batches) or `failed` per job.',
    },
  },
});

export const clientFromWorker2 = defineProtocol({
  receiver: 'client', sender: 'worker', version: 2,
  summary: 'As /1, with results sent in batches under one signature: `results` replaces `result`.',
  commands: {
    ...toClient,
    pull: {
      args: [seriesId, { name: 'count', type: 'int', min: 1, max: MAX_BATCH_JOBS }],
      reply: 'jobs',
      doc: 'Asks for up to `count` more jobs: free slots plus enough prefetched to cover a round trip. ' +
        'The client answers with `jobs` when it has some.',
    },
    results: {
      args: [seriesId, batch('entries'), { name: 'signature', type: 'base64', maxBytes: 256 }],
      reply: '',
      doc: 'Results of jobs of the series, `lease value lease value ...` (value is JSON), signed once: ' +
        '`peerfarm results <series> <entries>` (the canonical list). A batch whose signature does not verify ' +
        'counts as a failure of each of its jobs.',
    },
  },
});

/** What a worker signs for a batch of results: the series and the entries' canonical list. */
export function resultsMessage(series: string, entriesText: string): string {
  return `peerfarm results ${series} ${entriesText}`;
}
