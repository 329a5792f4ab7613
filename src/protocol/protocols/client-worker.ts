// p2p:worker<-client/1 (a client's link to a worker it picked) and p2p:client<-worker/1 (its mirror):
// bids, then a job series that the worker pulls job by job. Catalogue: docs/PROTOCOL.md.
import { defineProtocol } from '../registry.ts';
import { MAX_CODE_BYTES, MAX_JOB_DATA_BYTES, ping, pong, proffer, solicit } from './peer-common.ts';

const seriesId = { name: 'series', type: 'token' } as const;
const lease = { name: 'lease', type: 'token' } as const;

export const workerFromClient1 = defineProtocol({
  receiver: 'worker', sender: 'client', version: 1,
  summary: 'A client asks the worker it contacted for bids, then farms a job series to the workers it chose.',
  commands: {
    ping,
    solicit,
    series: {
      args: [seriesId, { name: 'code', type: 'string', maxBytes: MAX_CODE_BYTES }],
      options: { '-timeout': { type: 'int', min: 100, max: 3_600_000 }, '-price': { type: 'number', min: 0 } },
      reply: 'key',
      doc: 'Opens a job series on this link: `code` is an ES module exporting `default (input, ctx) => result`; ' +
        '-timeout is the per-job limit in ms. The worker answers with its `key`, then pulls jobs.',
    },
    job: {
      args: [seriesId, lease, { name: 'input', type: 'string', maxBytes: MAX_JOB_DATA_BYTES }],
      reply: 'result',
      doc: 'One job of the series under lease `lease`; `input` is JSON. Answered with `progress`, then `result` or `failed`.',
    },
    cancel: {
      args: [seriesId, lease],
      reply: '',
      doc: 'Stop the job of this lease (decided elsewhere, or the lease expired); no answer is expected.',
    },
    end: {
      args: [seriesId],
      reply: '',
      doc: 'The series is over: stop its jobs, pull no more, forget the code.',
    },
  },
});

export const clientFromWorker1 = defineProtocol({
  receiver: 'client', sender: 'worker', version: 1,
  summary: 'The worker answers with bids, pulls jobs as its slots free and returns results.',
  commands: {
    pong,
    proffer,
    pull: {
      args: [seriesId, { name: 'count', type: 'int', min: 1, max: 64 }],
      reply: 'job',
      doc: 'Asks for up to `count` more jobs (free slots plus one prefetched). The client answers with `job` when it has one.',
    },
    progress: {
      args: [seriesId, lease, { name: 'fraction', type: 'number', min: 0, max: 1 }],
      reply: '',
      doc: 'The job of `lease` reports progress; it also renews the lease.',
    },
    key: {
      args: [seriesId, { name: 'key', type: 'base64', maxBytes: 256 }],
      reply: '',
      doc: 'The answer to `series`: the worker\'s public key (its id is the key\'s hash), which signs its results.',
    },
    result: {
      args: [seriesId, lease, { name: 'value', type: 'string', maxBytes: MAX_JOB_DATA_BYTES }, { name: 'signature', type: 'base64', maxBytes: 256 }],
      reply: '',
      doc: 'The job of `lease` returned `value` (JSON), signed: `peerfarm result <series> <lease> <value>`. ' +
        'A result whose signature does not verify counts as a failure.',
    },
    failed: {
      args: [seriesId, lease, { name: 'code', type: 'word', maxBytes: 32 }, { name: 'message', type: 'string', maxBytes: 4096 }],
      reply: '',
      doc: 'The job of `lease` failed: `code` is JOB_THREW, TIMEOUT, NO_DEFAULT_EXPORT, SYNTAX_ERROR, RESULT_NOT_CLONEABLE, ...',
    },
  },
});
