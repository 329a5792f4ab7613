// p2p:authority<-client/1 (client → authority) and its mirror p2p:client<-authority/1.
// The client is the submit page; it finds workers here. Catalogue: docs/PROTOCOL.md.
import { defineProtocol } from '../registry.ts';
import { award, awarded, balance, balanceReply, history, historyReply, settle, settled } from './points.ts';
import { MAX_PEERS_LISTED, log, challenge, heartbeat, join, options, peerList, signalFrom, signalTo, welcome } from './common.ts';

export const authorityFromClient1 = defineProtocol({
  receiver: 'authority',
  sender: 'client',
  version: 1,
  summary: 'A client joins, asks for workers, relays signaling to the workers it picks, and pays them in points.',
  commands: {
    join,
    balance,
    history,
    award,
    settle,
    log,
    workers: {
      args: [],
      options: { '-max': { type: 'int', min: 1, max: MAX_PEERS_LISTED } },
      reply: 'workers',
      doc: `Asks for a sample of at most -max (default 40, at most ${MAX_PEERS_LISTED}) listening workers.`,
    },
    heartbeat,
    signal: signalTo,
  },
});

export const clientFromAuthority1 = defineProtocol({
  receiver: 'client',
  sender: 'authority',
  version: 1,
  summary: 'The authority challenges, configures and answers a client, and relays signaling to it.',
  commands: {
    challenge, options, welcome, workers: peerList('listening workers'), signal: signalFrom,
    balance: balanceReply, history: historyReply, awarded, settled,
  },
});
