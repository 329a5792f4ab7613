// p2p:authority<-worker/1 — what an authority accepts from a worker tab (worker → authority).
// Catalogue with arguments and replies: docs/PROTOCOL.md.
import { defineProtocol } from '../registry.ts';
import { heartbeat, join, signalTo } from './common.ts';

export const authorityFromWorker1 = defineProtocol({
  receiver: 'authority',
  sender: 'worker',
  version: 1,
  summary: 'A worker joins, announces that it takes peer links, asks for peers and relays signaling.',
  commands: {
    join,
    listening: {
      args: [],
      reply: '',
      doc: 'The worker accepts peer links now; it is listed in `peers` and `workers` replies.',
    },
    peers: { args: [], reply: 'peers', doc: 'Asks for a sample of other listening workers (40 at most).' },
    heartbeat,
    signal: signalTo,
  },
});
