// The WebRTC implementation of the Node client: node-datachannel's W3C polyfill (libdatachannel,
// native binary shipped in its npm package), shaped for simple-peer's `wrtc` option. Chosen over
// @roamhq/wrtc because its data channels fire `bufferedamountlow`, which RtcLink's backpressure
// waits for (figures in docs/ARCHITECTURE.md, "src/node").
import { RTCIceCandidate, RTCPeerConnection, RTCSessionDescription } from 'node-datachannel/polyfill';
import type { Wrtc } from '../net/rtc-link.ts';

/** How often, and how many times, a remote candidate waits for the ICE transport: 2 s at most. */
const ICE_TRANSPORT_WAIT_MS = 20;
const ICE_TRANSPORT_WAIT_TRIES = 100;

/** Where libjuice gathers when links stay on loopback: it skips loopback interfaces otherwise. */
const LOOPBACK_BIND_ADDRESS = '127.0.0.1';

/**
 * simple-peer assigns `.sdp` on the descriptions createOffer/createAnswer return, which are
 * read-only in the polyfill: hand it plain `{type, sdp}` objects instead.
 */
class PeerConnection extends RTCPeerConnection {
  override async createOffer(): Promise<RTCSessionDescriptionInit> {
    return plain(await super.createOffer());
  }

  override async createAnswer(): Promise<RTCSessionDescriptionInit> {
    return plain(await super.createAnswer());
  }

  /**
   * libdatachannel made and set the offer when the data channel was created; the polyfill would
   * have it set one again. Measured Node to Node: with that second call 2 of 75 links failed,
   * their answer refused "without ICE transport"; without it none of 75.
   */
  override async setLocalDescription(description: RTCSessionDescriptionInit): Promise<void> {
    if (description.type === 'offer' && this.signalingState === 'have-local-offer') return;
    return super.setLocalDescription(description);
  }

  /**
   * libdatachannel makes its ICE transport on its own threads: a remote candidate that comes first
   * is refused "without ICE transport" (as others found: candidates must wait until both
   * descriptions are ready). It waits for the transport a while instead of failing the link, and so
   * do the candidates an answer carries in its SDP, taken out of it and added one by one. (Under
   * heavy load a link's transport sometimes never comes; PeerLinks dials such a link again.)
   */
  override async addIceCandidate(candidate?: RTCIceCandidateInit): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await super.addIceCandidate(candidate);
      } catch (error) {
        const early = error instanceof Error && error.message.includes('without ICE transport');
        if (!early || attempt >= ICE_TRANSPORT_WAIT_TRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, ICE_TRANSPORT_WAIT_MS));
      }
    }
  }

  override async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    const lines = (description.sdp ?? '').split('\r\n');
    const mid = lines.find((line) => line.startsWith('a=mid:'))?.slice('a=mid:'.length) ?? '0';
    const candidates = lines.filter((line) => line.startsWith('a=candidate:')).map((line) => line.slice('a='.length));
    await super.setRemoteDescription({ type: description.type, sdp: lines.filter((line) => !line.startsWith('a=candidate:')).join('\r\n') });
    await Promise.all(candidates.map((candidate) => this.addIceCandidate({ candidate, sdpMid: mid })));
  }
}

function plain({ type, sdp }: RTCSessionDescriptionInit): RTCSessionDescriptionInit {
  return { type, sdp: sdp ?? '' };
}

/** Binds ICE to 127.0.0.1 too, so no other address is gathered, let alone signaled. */
class LoopbackPeerConnection extends PeerConnection {
  constructor(config: RTCConfiguration = {}) {
    super({ ...config, bindAddress: LOOPBACK_BIND_ADDRESS } as RTCConfiguration);
  }
}

/** The implementation for a link, under the authority's loopback rule or not. */
export function nodeWrtc(loopbackOnly: boolean): Wrtc {
  return {
    RTCPeerConnection: loopbackOnly ? LoopbackPeerConnection : PeerConnection,
    RTCSessionDescription,
    RTCIceCandidate,
  } as unknown as Wrtc;
}
