// Commands are tallied per frame and added to peerfarm_commands_total when read: every read shows
// the running total, never a count twice, never one lost between reads.
import { describe, expect, it } from 'vitest';
import { AuthorityMetrics, OTHER_COMMAND } from '../../signaling/metrics.ts';

async function counts(metrics: AuthorityMetrics): Promise<Record<string, number>> {
  const { values } = await metrics.commands.get();
  return Object.fromEntries(values.map(({ labels, value }) => [`${labels['protocol']} ${labels['command']} ${labels['outcome']}`, value]));
}

describe('AuthorityMetrics.countCommand', () => {
  it('shows the running total at every read', async () => {
    const metrics = new AuthorityMetrics(['signal', 'heartbeat']);
    for (let i = 0; i < 3; i++) metrics.countCommand('p2p:authority<-worker/2', `signal ${'a'.repeat(32)} {type offer}`, 'ok');
    metrics.countCommand('unjoined', 'heartbeat', 'exception');
    expect(await counts(metrics)).toEqual({ 'p2p:authority<-worker/2 signal ok': 3, 'unjoined heartbeat exception': 1 });
    expect(await counts(metrics)).toEqual({ 'p2p:authority<-worker/2 signal ok': 3, 'unjoined heartbeat exception': 1 });
    metrics.countCommand('p2p:authority<-worker/2', 'signal x {}', 'ok');
    metrics.countCommand('p2p:authority<-worker/2', 'signal x {}', 'exception');
    expect(await counts(metrics)).toEqual({
      'p2p:authority<-worker/2 signal ok': 4, 'p2p:authority<-worker/2 signal exception': 1, 'unjoined heartbeat exception': 1,
    });
  });

  it('counts a command word outside the catalogue as other, in the text a scrape serves', async () => {
    const metrics = new AuthorityMetrics(['heartbeat']);
    metrics.countCommand('unjoined', 'frobnicate now', 'exception');
    metrics.countCommand('unjoined', '', 'exception');
    expect(await metrics.text()).toContain(`peerfarm_commands_total{protocol="unjoined",command="${OTHER_COMMAND}",outcome="exception"} 2`);
  });
});
