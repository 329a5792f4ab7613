import { describe, expect, it } from 'vitest';
import { CommandError, ErrorCode } from '../../../src/protocol/errors.ts';
import { PendingRelays } from '../../../signaling/federation/pending-relays.ts';

const TO = 'f'.repeat(32);

describe('PendingRelays', () => {
  it('settles on the first authority that delivered', async () => {
    const relays = new PendingRelays();
    const tokens: string[] = [];
    const outcome = relays.start(TO, 2, (token) => tokens.push(token));
    relays.undelivered(tokens[0]!);
    relays.delivered(tokens[0]!);
    await expect(outcome).resolves.toBeUndefined();
  });

  it('fails with PEER_GONE once every asked authority said undelivered', async () => {
    const relays = new PendingRelays();
    let token = '';
    const outcome = relays.start(TO, 2, (sent) => (token = sent));
    relays.undelivered(token);
    relays.undelivered(token);
    await expect(outcome).rejects.toEqual(new CommandError(ErrorCode.PEER_GONE,
      `peer "${TO}" is not connected to this authority, and no authority of the federation holds it`));
  });

  it('fails with PEER_GONE when no answer comes in time, and ignores a late one', async () => {
    const relays = new PendingRelays(10);
    let token = '';
    const outcome = relays.start(TO, 1, (sent) => (token = sent));
    await expect(outcome).rejects.toMatchObject({ code: ErrorCode.PEER_GONE });
    expect(() => relays.delivered(token)).not.toThrow();
  });
});
