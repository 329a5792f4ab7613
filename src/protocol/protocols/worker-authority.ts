// p2p:worker<-authority/1 and /2 — what a worker accepts from its authority (authority → worker).
// /2 adds the points replies (balance, history, record). See docs/PROTOCOL.md.
import { defineProtocol } from '../registry.ts';
import { challenge, options, peerList, signalFrom, welcome } from './common.ts';
import { balanceReply, historyReply, recordReply } from './points.ts';

const commands = { challenge, options, welcome, peers: peerList('listening workers'), signal: signalFrom };
const summary = 'The authority challenges, configures and answers a worker, and relays signaling to it.';

export const workerFromAuthority1 = defineProtocol({ receiver: 'worker', sender: 'authority', version: 1, summary, commands });
export const workerFromAuthority2 = defineProtocol({
  receiver: 'worker', sender: 'authority', version: 2,
  summary: `${summary} /2 also answers balance, history and record.`,
  commands: { ...commands, balance: balanceReply, history: historyReply, record: recordReply },
});
