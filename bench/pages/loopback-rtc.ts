// Keeps PeerJS on loopback. Imported by peerjs.ts before PeerJS itself, so every RTCPeerConnection
// PeerJS builds (its feature probes included) comes from here: ICE servers are forced empty (PeerJS's
// defaults name stun.l.google.com and turn.peerjs.com), a local candidate that is not 127.0.0.1 or ::1
// is never handed to PeerJS (so never signaled), and a remote one is never added.
import type { CandidateCounts } from './api.ts';
import { isLoopbackCandidate } from './harness.ts';

export const loopbackCounts = { gathered: 0, signaled: 0, remoteDropped: 0, constructed: 0 };

export function candidateCounts(): CandidateCounts {
  return { ...loopbackCounts };
}

const Native = window.RTCPeerConnection;

export function LoopbackRTCPeerConnection(config?: RTCConfiguration): RTCPeerConnection {
  loopbackCounts.constructed++;
  const pc = new Native({ ...config, iceServers: [] });
  // Registered before PeerJS sets `onicecandidate`, so it runs first and can hide the event from it.
  pc.addEventListener('icecandidate', (event) => {
    const line = event.candidate?.candidate;
    if (!line) return;
    loopbackCounts.gathered++;
    if (isLoopbackCandidate(line)) loopbackCounts.signaled++;
    else event.stopImmediatePropagation();
  });
  const addIceCandidate = pc.addIceCandidate.bind(pc);
  pc.addIceCandidate = (candidate?: RTCIceCandidateInit | null): Promise<void> => {
    if (candidate?.candidate && !isLoopbackCandidate(candidate.candidate)) {
      loopbackCounts.remoteDropped++;
      return Promise.resolve();
    }
    return addIceCandidate(candidate ?? undefined);
  };
  return pc;
}
// `new LoopbackRTCPeerConnection(...)` returns the native object built above; instanceof keeps working.
LoopbackRTCPeerConnection.prototype = Native.prototype;
Object.assign(LoopbackRTCPeerConnection, { generateCertificate: Native.generateCertificate.bind(Native) });
window.RTCPeerConnection = LoopbackRTCPeerConnection as unknown as typeof RTCPeerConnection;
