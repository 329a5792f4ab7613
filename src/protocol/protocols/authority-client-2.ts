// p2p:authority<-client/2 and its mirror p2p:client<-authority/2: /1 with a token on the points
// requests, so every answer, a refusal included, is matched to its request. Catalogue: docs/PROTOCOL.md.
import { defineProtocol } from '../registry.ts';
import { authorityFromClient1, clientFromAuthority1 } from './authority-client.ts';
import { awardWithToken, awardedWithToken, refused, settleWithToken, settledWithToken } from './points.ts';

const { exception: _e1, identity: _i1, ...client1 } = authorityFromClient1.commands;
const { exception: _e2, identity: _i2, ...authority1 } = clientFromAuthority1.commands;

export const authorityFromClient2 = defineProtocol({
  receiver: 'authority',
  sender: 'client',
  version: 2,
  summary: 'As /1; `award` and `settle` carry a token that their answer, or their refusal, repeats.',
  commands: { ...client1, award: awardWithToken, settle: settleWithToken },
});

export const clientFromAuthority2 = defineProtocol({
  receiver: 'client',
  sender: 'authority',
  version: 2,
  summary: 'As /1; points answers carry the request\'s token, and a refused request is answered `refused`.',
  commands: { ...authority1, awarded: awardedWithToken, settled: settledWithToken, refused },
});
