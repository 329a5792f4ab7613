// p2p:worker<-client/1 (a client's link to a worker it picked) and p2p:client<-worker/1 (its mirror).
// Catalogue: docs/PROTOCOL.md.
import { defineProtocol } from '../registry.ts';
import { ping, pong, proffer, solicit } from './peer-common.ts';

export const workerFromClient1 = defineProtocol({
  receiver: 'worker', sender: 'client', version: 1,
  summary: 'A client asks the worker it contacted for bids; the worker floods the solicit into the overlay.',
  commands: { ping, solicit },
});

export const clientFromWorker1 = defineProtocol({
  receiver: 'client', sender: 'worker', version: 1,
  summary: 'The worker answers the client with the merged bids of the network.',
  commands: { pong, proffer },
});
