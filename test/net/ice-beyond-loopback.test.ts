// ICE beyond loopback (ice_loopback_only 0): LAN host candidates and Chromium's mDNS `.local`
// candidates travel both ways, trickled and inside the SDP; with the option at 1 nothing but
// 127.0.0.1 and ::1 is signaled or accepted in either form. `ice_servers` with pushed TURN credentials.
import { describe, expect, it } from 'vitest';
import { fromSignalData, loopbackSdp, toSignalData } from '../../src/net/rtc-link.ts';
import { iceServers, pushedTurnCredentials } from '../../src/peer/peer-links.ts';
import { Options } from '../../src/peer/options.ts';

const LOOPBACK = 'candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host generation 0';
const LAN = 'candidate:3 1 udp 2122194687 10.233.0.11 54323 typ host generation 0 network-id 1';
const MDNS = 'candidate:4 1 udp 2122194687 3f0c1c7e-7d2c-4b8e-9a51-0c3d2f3e4a5b.local 54324 typ host generation 0';
const MDNS6 = 'candidate:5 1 udp 2122262783 7d1f0e8a-5c3b-4f2a-8e1d-9b0a1c2d3e4f.local 54325 typ host generation 0';
const SRFLX = 'candidate:6 1 udp 1686052607 203.0.113.7 61000 typ srflx raddr 10.233.1.2 rport 54326 generation 0';
const RELAY = 'candidate:7 1 udp 41885439 10.233.0.1 50000 typ relay raddr 10.233.0.12 rport 54327 generation 0';
const TCP = 'candidate:8 1 tcp 1518214911 10.233.0.11 9 typ host tcptype active generation 0';
const BEYOND = [LAN, MDNS, MDNS6, SRFLX, RELAY, TCP];

const trickled = (candidate: string) => ({ type: 'candidate' as const, candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 } as RTCIceCandidate });
const sdpWith = (candidates: readonly string[]) =>
  ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'a=mid:0',
    ...candidates.map((candidate) => `a=${candidate}`), 'a=end-of-candidates', ''].join('\r\n');

describe('signaling with ice_loopback_only 0', () => {
  it.each(BEYOND)('sends and accepts the trickled candidate %s unchanged', (candidate) => {
    const payload = fromSignalData(trickled(candidate), false);
    expect(payload).toEqual({ type: 'candidate', candidate, mid: '0', mline: '0' });
    expect(toSignalData(payload!, false)).toEqual({ type: 'candidate', candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 } });
  });

  it('sends and accepts offers and answers with LAN, mDNS, reflexive and relay candidates in them, byte for byte', () => {
    const sdp = sdpWith([LOOPBACK, ...BEYOND]);
    for (const type of ['offer', 'answer'] as const) {
      const payload = fromSignalData({ type, sdp }, false);
      expect(payload).toEqual({ type, sdp });
      expect(toSignalData(payload!, false)).toEqual({ type, sdp });
    }
  });
});

describe('signaling with ice_loopback_only 1 stays as strict', () => {
  it.each(BEYOND)('neither sends nor accepts the trickled candidate %s', (candidate) => {
    expect(fromSignalData(trickled(candidate), true)).toBeUndefined();
    expect(toSignalData({ type: 'candidate', candidate, mid: '0', mline: '0' }, true)).toBeUndefined();
  });

  it('strips every candidate line but loopback from offers and answers, sent or received', () => {
    const sdp = sdpWith([LOOPBACK, ...BEYOND]);
    for (const type of ['offer', 'answer'] as const) {
      expect(fromSignalData({ type, sdp }, true)).toEqual({ type, sdp: sdpWith([LOOPBACK]) });
      expect(toSignalData({ type, sdp }, true)).toEqual({ type, sdp: sdpWith([LOOPBACK]) });
    }
    expect(loopbackSdp(sdp)).toBe(sdpWith([LOOPBACK]));
  });
});

describe('ice_servers with pushed TURN credentials', () => {
  const credentials = { username: '1700003600:5f2a', credential: 'vTnSoSsC1JypOExYVZtthiwuE2s=' };

  it('gives every turn: and turns: URL the pushed credentials and STUN none', () => {
    expect(iceServers('stun:10.233.0.1:3478 turn:10.233.0.1:3478?transport=udp turns:turn.example.org:5349?transport=tcp', credentials)).toEqual([
      { urls: 'stun:10.233.0.1:3478' },
      { urls: 'turn:10.233.0.1:3478?transport=udp', ...credentials },
      { urls: 'turns:turn.example.org:5349?transport=tcp', ...credentials },
    ]);
  });

  it('keeps static credentials written into a URL', () => {
    expect(iceServers('turn:alice:s3cret@10.233.0.1:3478', credentials)).toEqual([
      { urls: 'turn:10.233.0.1:3478', username: 'alice', credential: 's3cret' },
    ]);
  });

  it('leaves out a TURN URL it has no credentials for (RTCPeerConnection would throw) and anything not an ICE URL', () => {
    expect(iceServers('turn:10.233.0.1:3478 stun:10.233.0.1 https://example.org/ javascript:alert(1)')).toEqual([{ urls: 'stun:10.233.0.1' }]);
  });

  it('reads the credentials from the pushed options, and none until both are there', () => {
    const options = new Options();
    expect(pushedTurnCredentials(options)).toBeUndefined();
    options.apply({ turn_username: credentials.username });
    expect(pushedTurnCredentials(options)).toBeUndefined();
    options.apply({ turn_credential: credentials.credential });
    expect(pushedTurnCredentials(options)).toEqual(credentials);
  });
});
