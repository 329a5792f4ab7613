// The WebRTC implementation of the Node client: node-datachannel's W3C polyfill (libdatachannel,
// native binary shipped in its npm package), shaped for simple-peer's `wrtc` option. Chosen over
// @roamhq/wrtc because its data channels fire `bufferedamountlow`, which RtcLink's backpressure
// waits for (docs/ARCHITECTURE.md, "The Node client").
import { RTCIceCandidate, RTCPeerConnection, RTCSessionDescription } from 'node-datachannel/polyfill';
import type { Wrtc } from '../net/rtc-link.ts';

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
   * libdatachannel made and set the offer itself when the data channel was created; the polyfill
   * would ask it for one again. Left as it is: under load a link once refused the answerer's
   * candidates "without ICE transport", and this second call is the suspect.
   */
  override async setLocalDescription(description: RTCSessionDescriptionInit): Promise<void> {
    if (description.type === 'offer' && this.signalingState === 'have-local-offer') return;
    return super.setLocalDescription(description);
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
