// p2p:worker<-peer/1 (on a link another worker opened) and p2p:peer<-worker/1 (its mirror, on a
// link this worker opened). Both directions carry the same commands: a solicit can flow either way.
// Catalogue: docs/PROTOCOL.md.
import { defineProtocol } from '../registry.ts';
import { ping, pong, proffer, solicit } from './peer-common.ts';

const commands = { ping, pong, solicit, proffer };

export const workerFromPeer1 = defineProtocol({
  receiver: 'worker', sender: 'peer', version: 1, commands,
  summary: 'An overlay neighbour that opened the link measures it, floods solicits and returns proffers.',
});

export const peerFromWorker1 = defineProtocol({
  receiver: 'peer', sender: 'worker', version: 1, commands,
  summary: 'The neighbour this worker dialed answers pings, floods solicits and returns proffers.',
});
