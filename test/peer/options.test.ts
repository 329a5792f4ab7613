import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, Options } from '../../src/peer/options.ts';

describe('Options', () => {
  it('starts from the registered defaults of the original', () => {
    const options = new Options();
    expect(options.get('max_peer_connections')).toBe(4);
    expect(options.get('peer_time_to_live')).toBe(4);
    expect(options.get('time_between_authority_checks')).toBe(60_000);
    expect(options.get('time_between_network_rebuilds')).toBe(600_000);
    expect(options.get('ice_servers')).toBe('');
  });

  it('applies overrides of registered options and reports the ones it ignored', () => {
    const options = new Options();
    const ignored = options.apply({ max_peer_connections: '6', ice_servers: 'stun:127.0.0.1:3478', colour: 'red', peer_time_to_live: 'many' });
    expect(ignored).toEqual(['colour', 'peer_time_to_live']);
    expect(options.get('max_peer_connections')).toBe(6);
    expect(options.get('ice_servers')).toBe('stun:127.0.0.1:3478');
    expect(options.get('peer_time_to_live')).toBe(DEFAULT_OPTIONS.peer_time_to_live);
  });

  it('never lets a key from the wire reach the object prototype', () => {
    const options = new Options();
    expect(options.apply({ __proto__: '1', constructor: '2' } as Record<string, string>)).toEqual(['constructor']);
    expect(Object.keys(options.snapshot())).toEqual(Object.keys(DEFAULT_OPTIONS));
  });
});
