// p2p:authority<-worker/2 — /1 plus a bounded `peers -max` and the overlay report (worker → authority).
// Catalogue with arguments and replies: docs/PROTOCOL.md.
import { defineProtocol } from '../registry.ts';
import { authorityFromWorker1 } from './authority-worker-1.ts';
import { MAX_PEERS_LISTED, log } from './common.ts';
import { balance, history, record } from './points.ts';

const { exception: _exception, identity: _identity, ...v1 } = authorityFromWorker1.commands;

export const authorityFromWorker2 = defineProtocol({
  receiver: 'authority',
  sender: 'worker',
  version: 2,
  summary: 'As /1; `peers` takes a size, a worker reports its overlay neighbours and reads its points and record.',
  commands: {
    ...v1,
    balance,
    history,
    record,
    log,
    peers: {
      args: [],
      options: { '-max': { type: 'int', min: 1, max: MAX_PEERS_LISTED } },
      reply: 'peers',
      doc: `Asks for a sample of at most -max (default 40, at most ${MAX_PEERS_LISTED}) other listening workers.`,
    },
    neighbours: {
      args: [{ name: 'ids', type: 'list', maxItems: 64 }],
      reply: '',
      doc: 'Reports the peer ids of the current overlay links, shown in /api/peers.',
    },
  },
});
