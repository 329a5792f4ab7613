// p2p:authority<-client/3 and its mirror p2p:client<-authority/3: /2 plus the series escrow, so a
// client holds a series' budget once and pays accepted results from it in batches. Catalogue: docs/PROTOCOL.md.
import { defineProtocol } from '../registry.ts';
import { authorityFromClient2, clientFromAuthority2 } from './authority-client-2.ts';
import { escrow, escrowed, paid, pay, release, released } from './points.ts';

const { exception: _e1, identity: _i1, ...client2 } = authorityFromClient2.commands;
const { exception: _e2, identity: _i2, ...authority2 } = clientFromAuthority2.commands;

export const authorityFromClient3 = defineProtocol({
  receiver: 'authority',
  sender: 'client',
  version: 3,
  summary: 'As /2, plus the series escrow: `escrow` holds a series\' budget in one hold, `pay` pays accepted ' +
    'results from it in batches (or counts outvoted ones), `release` gives back the rest.',
  commands: { ...client2, escrow, pay, release },
});

export const clientFromAuthority3 = defineProtocol({
  receiver: 'client',
  sender: 'authority',
  version: 3,
  summary: 'As /2, plus the answers to `escrow`, `pay` and `release`.',
  commands: { ...authority2, escrowed, paid, released },
});
