import { describe, expect, it } from 'vitest';
import type { NetEvent } from '../../src/protocol/events.ts';
import { buildReplayIndex, endpointOf } from '../../src/ui/admin/replay-index.ts';

describe('buildReplayIndex', () => {
  it('draws another authority of the federation as an authority node at the end of arrows', () => {
    const events: NetEvent[] = [
      { t: 1, node: 'authority', kind: 'out', peer: 'authority-0123abcd', text: 'heartbeat 3' },
      { t: 2, node: 'authority', kind: 'in', peer: 'authority-0123abcd', text: 'heartbeat 5', result: 'ok' },
    ];
    const index = buildReplayIndex(events);
    expect(index.nodes.get('authority-0123abcd')?.kind).toBe('authority');
    expect(index.messages.map((message) => [message.from, message.to, message.text])).toEqual([
      ['authority', 'authority-0123abcd', 'heartbeat 3'], ['authority-0123abcd', 'authority', 'heartbeat 5']]);
  });

  it('still names the one authority `authority`, whether by name or by URL', () => {
    expect(endpointOf('authority')).toBe('authority');
    expect(endpointOf('ws://127.0.0.1:8080/ws')).toBe('authority');
    expect(endpointOf('authority-xyz')).toBeUndefined();
  });
});
