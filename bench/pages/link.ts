// Page of the datachannel benchmark that carries data through our link layer (RtcLink, simple-peer
// underneath) and through a bare RTCDataChannel with the same chunk size and backpressure.
// PeerJS lives in its own page (peerjs.ts): its webrtc-adapter patches RTCDataChannel.send globally.
import { CHUNK_BYTES, Reassembler, split } from '../../src/net/chunking.ts';
import { HIGH_WATER_BYTES, RtcLink } from '../../src/net/rtc-link.ts';
import type { CandidateCounts, PrepareOptions } from './api.ts';
import { type Carrier, installApi, isLoopbackCandidate, loopbackSdp, payloadBytes, payloadText, type Session, signalOut } from './harness.ts';

/** simple-peer's bufferedAmountLowThreshold (its MAX_BUFFERED_AMOUNT), where RtcLink resumes sending. */
const LOW_WATER_BYTES = 64 * 1024;

async function oursCarrier(options: PrepareOptions, session: Session): Promise<Carrier> {
  const startedAt = performance.now();
  const counts = { gathered: 0, signaled: 0, remoteDropped: 0, constructed: 1 };
  const link = new RtcLink({
    initiator: options.initiator,
    remote: options.initiator ? 'responder' : 'initiator',
    iceServers: [],
    loopbackOnly: true,
    sendSignal: (payload) => {
      if (payload['type'] === 'candidate') counts.signaled++;
      signalOut('ours', payload);
    },
  });
  // simple-peer builds its RTCPeerConnection in the constructor; gathering starts later.
  const pc = (link as unknown as { peer: { _pc: RTCPeerConnection } }).peer._pc;
  pc.addEventListener('icecandidate', (event) => {
    if (event.candidate?.candidate) counts.gathered++;
  });
  link.onframe = (frame) => session.text(frame);
  return {
    opened: link.connected,
    startedAt,
    sendControl: (text) => link.send(text),
    preparePayload: (totalBytes, frameBytes) => void payloadText(Math.min(totalBytes, frameBytes)),
    sendPayload(totalBytes, frameBytes) {
      const frame = payloadText(Math.min(totalBytes, frameBytes));
      for (let sent = 0; sent < totalBytes; sent += frame.length) link.send(frame);
    },
    signal: (json) => link.signal(JSON.parse(json) as Record<string, string>),
    peerConnection: () => pc,
    candidates: (): CandidateCounts => ({ ...counts }),
    close: () => link.close('bench over'),
  };
}

/** The payload as 16 KiB ArrayBuffers, cached per size. */
const rawChunks = new Map<number, ArrayBuffer[]>();
function chunksOf(totalBytes: number): ArrayBuffer[] {
  let chunks = rawChunks.get(totalBytes);
  if (!chunks) {
    const bytes = payloadBytes(totalBytes);
    chunks = [];
    for (let offset = 0; offset < totalBytes; offset += CHUNK_BYTES) {
      chunks.push(bytes.buffer.slice(offset, Math.min(totalBytes, offset + CHUNK_BYTES)));
    }
    rawChunks.set(totalBytes, chunks);
  }
  return chunks;
}

interface RawSignal {
  description?: RTCSessionDescriptionInit;
  candidate?: RTCIceCandidateInit;
}

async function rawCarrier(options: PrepareOptions, session: Session): Promise<Carrier> {
  const startedAt = performance.now();
  const counts = { gathered: 0, signaled: 0, remoteDropped: 0, constructed: 1 };
  const pc = new RTCPeerConnection({ iceServers: [] });
  let channel: RTCDataChannel | undefined;
  let markOpen!: () => void;
  const opened = new Promise<void>((resolve) => (markOpen = resolve));
  const sendDescription = () => {
    const description = pc.localDescription;
    if (description) signalOut('raw', { description: { type: description.type, sdp: loopbackSdp(description.sdp) } });
  };
  pc.addEventListener('icecandidate', (event) => {
    const line = event.candidate?.candidate;
    if (!line) return;
    counts.gathered++;
    if (!isLoopbackCandidate(line)) return;
    counts.signaled++;
    signalOut('raw', { candidate: event.candidate.toJSON() });
  });
  const attach = (dc: RTCDataChannel) => {
    channel = dc;
    dc.binaryType = 'arraybuffer';
    dc.bufferedAmountLowThreshold = LOW_WATER_BYTES;
    // Attached synchronously: a message arriving before onmessage would be lost.
    dc.onmessage = (event: MessageEvent<string | ArrayBuffer>) => {
      if (typeof event.data === 'string') session.text(event.data);
      else session.payload(event.data.byteLength);
    };
    if (dc.readyState === 'open') markOpen();
    else dc.onopen = () => markOpen();
  };
  if (options.initiator) {
    attach(pc.createDataChannel('bench'));
    await pc.setLocalDescription(await pc.createOffer());
    sendDescription();
  } else {
    pc.ondatachannel = (event) => attach(event.channel);
  }
  // Signals are applied one after the other: a candidate must not overtake the description.
  let applied = Promise.resolve();
  const open = (): RTCDataChannel => {
    if (channel?.readyState !== 'open') throw new Error('raw: channel is not open');
    return channel;
  };
  return {
    opened,
    startedAt,
    sendControl: (text) => open().send(text),
    // The receiving end counts bytes and needs no copy of the payload.
    preparePayload: (totalBytes, _frameBytes, sending) => void (sending && chunksOf(totalBytes)),
    sendPayload(totalBytes) {
      const dc = open();
      const chunks = chunksOf(totalBytes);
      let next = 0;
      // The same rule as RtcLink.pump: send while at most HIGH_WATER_BYTES are queued, resume on bufferedamountlow.
      const pump = () => {
        while (next < chunks.length && dc.bufferedAmount <= HIGH_WATER_BYTES) dc.send(chunks[next++]!);
        if (next < chunks.length) dc.addEventListener('bufferedamountlow', pump, { once: true });
      };
      pump();
    },
    signal(json) {
      const message = JSON.parse(json) as RawSignal;
      applied = applied.then(async () => {
        if (message.description) {
          await pc.setRemoteDescription({ type: message.description.type, sdp: loopbackSdp(message.description.sdp ?? '') });
          if (message.description.type === 'offer') {
            await pc.setLocalDescription(await pc.createAnswer());
            sendDescription();
          }
        } else if (message.candidate?.candidate) {
          if (!isLoopbackCandidate(message.candidate.candidate)) counts.remoteDropped++;
          else await pc.addIceCandidate(message.candidate);
        }
      }).catch((error: unknown) => console.error('raw signal:', error));
    },
    peerConnection: () => pc,
    candidates: (): CandidateCounts => ({ ...counts }),
    close: () => pc.close(),
  };
}

/**
 * Our link once more, for timing link setup: `startedAt` is when its first signal went out (the
 * initiator's offer); ICE as across machines when `loopbackOnly` is false. Signals carry the
 * link's generation and those of another generation are dropped.
 */
async function setupCarrier(options: PrepareOptions, session: Session): Promise<Carrier> {
  const generation = String(options.generation ?? 0);
  let firstSignalAt: number | undefined;
  const link = new RtcLink({
    initiator: options.initiator,
    remote: options.initiator ? 'responder' : 'initiator',
    iceServers: [],
    loopbackOnly: options.loopbackOnly ?? true,
    sendSignal: (payload) => {
      firstSignalAt ??= performance.now();
      if (options.dropLoopback && payload['type'] === 'candidate' && isLoopbackCandidate(payload['candidate'] ?? '')) return;
      signalOut('setup', { ...payload, generation });
    },
  });
  const pc = (link as unknown as { peer: { _pc: RTCPeerConnection } }).peer._pc;
  link.onframe = (frame) => session.text(frame);
  const createdAt = performance.now();
  return {
    opened: link.connected,
    get startedAt() {
      return firstSignalAt ?? createdAt;
    },
    sendControl: (text) => link.send(text),
    preparePayload: () => undefined,
    sendPayload: () => {
      throw new Error('setup: a link for timing its setup carries no payload');
    },
    signal: (json) => {
      const payload = JSON.parse(json) as Record<string, string>;
      if (payload['generation'] === generation) link.signal(payload);
    },
    peerConnection: () => pc,
    candidates: (): CandidateCounts => ({ gathered: 0, signaled: 0, remoteDropped: 0, constructed: 1 }),
    close: () => link.close('setup timed'),
  };
}

installApi({ ours: oursCarrier, raw: rawCarrier, setup: setupCarrier }, {
  chunkingCost(frameBytes, repeats) {
    const frame = payloadText(frameBytes);
    let pieces = split(frame, 256 * 1024);
    let start = performance.now();
    for (let i = 0; i < repeats; i++) pieces = split(frame, 256 * 1024);
    const splitMs = (performance.now() - start) / repeats;
    const reassembler = new Reassembler();
    start = performance.now();
    for (let i = 0; i < repeats; i++) {
      let whole: string | undefined;
      for (const piece of pieces) whole = reassembler.push(piece as Uint8Array);
      if (whole?.length !== frame.length) throw new Error('reassembly lost bytes');
    }
    const reassembleMs = (performance.now() - start) / repeats;
    return { splitMs, reassembleMs };
  },
});
