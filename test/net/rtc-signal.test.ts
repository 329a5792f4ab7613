import { describe, expect, it } from 'vitest';
import { candidateAddress, fromSignalData, isLoopbackCandidate, loopbackSdp } from '../../src/net/rtc-link.ts';
import { iceServers } from '../../src/peer/peer-links.ts';

const LOOPBACK = 'candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host generation 0';
const LOOPBACK6 = 'candidate:2 1 udp 2122262783 ::1 54322 typ host generation 0';
const LAN = 'candidate:3 1 udp 2122194687 192.0.2.2 54323 typ host generation 0';
const MDNS = 'candidate:4 1 udp 2122194687 3f0c1c7e-7d2c.local 54324 typ host generation 0';

describe('loopback-only ICE', () => {
  it('reads the address of a candidate', () => {
    expect(candidateAddress(LAN)).toBe('192.0.2.2');
    expect(candidateAddress(`a=${LOOPBACK}`)).toBe('127.0.0.1');
  });

  it('keeps 127.0.0.1 and ::1 and nothing else', () => {
    expect([LOOPBACK, LOOPBACK6, LAN, MDNS].map(isLoopbackCandidate)).toEqual([true, true, false, false]);
  });

  it('drops non-loopback candidates before they are signaled', () => {
    const signal = (candidate: string) => fromSignalData({ type: 'candidate', candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 } as RTCIceCandidate }, true);
    expect(signal(LAN)).toBeUndefined();
    expect(signal(MDNS)).toBeUndefined();
    expect(signal(LOOPBACK)).toEqual({ type: 'candidate', candidate: LOOPBACK, mid: '0', mline: '0' });
  });

  it('passes every candidate when loopback-only is off', () => {
    expect(fromSignalData({ type: 'candidate', candidate: { candidate: LAN, sdpMid: '0', sdpMLineIndex: 0 } as RTCIceCandidate }, false))
      .toMatchObject({ candidate: LAN });
  });

  it('strips non-loopback candidate lines from an SDP', () => {
    const sdp = ['v=0', `a=${LAN}`, `a=${LOOPBACK}`, `a=${MDNS}`, 'a=end-of-candidates', ''].join('\r\n');
    expect(loopbackSdp(sdp)).toBe(['v=0', `a=${LOOPBACK}`, 'a=end-of-candidates', ''].join('\r\n'));
  });
});

describe('iceServers option', () => {
  it('is empty by default: host candidates only', () => {
    expect(iceServers('')).toEqual([]);
  });

  it('reads STUN URLs and TURN URLs with credentials', () => {
    expect(iceServers('stun:127.0.0.1:3478 turn:alice:s3cret@127.0.0.1:3478')).toEqual([
      { urls: 'stun:127.0.0.1:3478' },
      { urls: 'turn:127.0.0.1:3478', username: 'alice', credential: 's3cret' },
    ]);
  });
});
