// A Link over a WebRTC data channel (simple-peer). Big frames are chunked with backpressure on
// bufferedAmount, a heartbeat finds dead links, and a broken ICE connection is restarted before
// the link is given up. Handed to a Handler only once `connected` resolves.
//
// simple-peer 9.11.1 (its last release) exposes no bufferedAmount events, SCTP limits or ICE
// restart, so this file reads its `_channel` and `_pc`; the version is pinned by the lock file.
import SimplePeer from 'simple-peer';
import { LinkState } from '../protocol/link.ts';
import { PieceKind, Reassembler, split } from './chunking.ts';
import { QueuedLink } from './queued-link.ts';

/** Pause sending above this many queued bytes in the channel; resume at simple-peer's 64 KiB low mark. */
export const HIGH_WATER_BYTES = 1024 * 1024;
export const HEARTBEAT_MS = 2000;
/** Silence after which the ICE connection is restarted. */
export const DEAD_AFTER_MS = 3 * HEARTBEAT_MS;
/** How long an ICE restart may take before the link is given up. */
export const ICE_RESTART_MS = 8000;
export const CONNECT_TIMEOUT_MS = 15_000;

/** A signaling payload as it travels through the authority: a flat string dictionary. */
export type SignalPayload = Record<string, string>;

export interface RtcLinkOptions {
  readonly initiator: boolean;
  /** The remote peer's id. */
  readonly remote: string;
  readonly iceServers: readonly RTCIceServer[];
  /** Drop every ICE candidate that is not 127.0.0.1 or ::1 before signaling it. */
  readonly loopbackOnly: boolean;
  readonly sendSignal: (payload: SignalPayload) => void;
  readonly connectTimeoutMs?: number;
  /** The WebRTC implementation outside a browser (Node: src/node/wrtc.ts); a page uses its own. */
  readonly wrtc?: Wrtc | undefined;
}

/** What simple-peer takes as its `wrtc` option: RTCPeerConnection and its companions. */
export type Wrtc = NonNullable<SimplePeer.Options['wrtc']>;

interface PeerInternals {
  _channel: RTCDataChannel | null;
  _pc: RTCPeerConnection;
  /** Present since simple-peer 9.8, missing from @types/simple-peer. */
  negotiate(): void;
}

export class RtcLink extends QueuedLink {
  readonly connected: Promise<void>;
  private readonly peer: SimplePeer.Instance;
  private readonly reassembler = new Reassembler();
  private queue: (string | Uint8Array)[] = [];
  /** Next message to send; a head index, since shift() is quadratic on long queues. */
  private head = 0;
  private lastHeardMs = Date.now();
  private restartingSinceMs: number | undefined;
  private timers: ReturnType<typeof setInterval>[] = [];

  constructor(private readonly options: RtcLinkOptions) {
    super(options.remote);
    this.peer = new SimplePeer({
      initiator: options.initiator,
      trickle: true,
      objectMode: true,
      config: { iceServers: [...options.iceServers] },
      sdpTransform: (sdp: string) => (options.loopbackOnly ? loopbackSdp(sdp) : sdp),
      ...(options.wrtc && { wrtc: options.wrtc }),
    } as SimplePeer.Options);
    this.connected = new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.close(`no connection within ${options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS} ms`),
        options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
      this.peer.once('connect', () => {
        clearTimeout(timer);
        this.onConnect();
        resolve();
      });
      this.onclose = (reason) => {
        clearTimeout(timer);
        reject(new Error(reason));
      };
    });
    this.connected.catch(() => undefined); // observed through onclose too
    this.peer.on('signal', (data) => this.onLocalSignal(data));
    this.peer.on('data', (data: string | Uint8Array) => this.onData(data));
    this.peer.on('iceStateChange', (state: RTCIceConnectionState) => this.onIceState(state));
    this.peer.on('close', () => this.closed('closed by peer'));
    this.peer.on('error', (error: Error & { code?: string }) => this.closed(`${error.code ?? 'ERR_WEBRTC'}: ${error.message}`));
  }

  /** The largest message the remote accepts, as negotiated by SCTP. */
  get maxMessageBytes(): number {
    return (this.peer as unknown as PeerInternals)._pc.sctp?.maxMessageSize ?? 64 * 1024;
  }

  /** Feeds a payload the remote peer signaled through the authority. */
  signal(payload: SignalPayload): void {
    if (this.state === LinkState.closed) return;
    const data = toSignalData(payload, this.options.loopbackOnly);
    if (data) this.peer.signal(data);
  }

  send(frame: string): void {
    if (this.state !== LinkState.open) return;
    this.queue.push(...split(frame, this.maxMessageBytes));
    this.pump();
  }

  close(reason = 'closed'): void {
    if (this.state !== LinkState.open) return;
    this.state = LinkState.closing;
    this.closed(reason);
  }

  protected override closed(reason: string): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.queue = [];
    this.head = 0;
    if (!this.peer.destroyed) this.peer.destroy();
    super.closed(reason);
  }

  private get channel(): RTCDataChannel | null {
    return (this.peer as unknown as PeerInternals)._channel;
  }

  private onConnect(): void {
    this.lastHeardMs = Date.now();
    this.channel?.addEventListener('bufferedamountlow', () => this.pump());
    this.timers.push(setInterval(() => this.beat(), HEARTBEAT_MS));
    this.pump();
  }

  private pump(): void {
    const channel = this.channel;
    if (!channel || channel.readyState !== 'open') return;
    while (this.head < this.queue.length && channel.bufferedAmount <= HIGH_WATER_BYTES) {
      channel.send(this.queue[this.head++] as string);
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
  }

  private onData(data: string | Uint8Array): void {
    this.lastHeardMs = Date.now();
    this.restartingSinceMs = undefined;
    if (typeof data === 'string') {
      this.deliver(data);
      return;
    }
    if (data[0] === PieceKind.ping) return this.sendControl(PieceKind.pong);
    if (data[0] === PieceKind.pong) return;
    try {
      const frame = this.reassembler.push(data);
      if (frame !== undefined) this.deliver(frame);
    } catch (error) {
      this.close(`bad chunk: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private beat(): void {
    const silentMs = Date.now() - this.lastHeardMs;
    if (this.restartingSinceMs !== undefined && Date.now() - this.restartingSinceMs > ICE_RESTART_MS) {
      this.close(`dead link: silent for ${silentMs} ms, ICE restart did not help`);
      return;
    }
    if (silentMs > DEAD_AFTER_MS) this.restartIce();
    this.sendControl(PieceKind.ping);
  }

  private sendControl(kind: PieceKind): void {
    const channel = this.channel;
    if (channel?.readyState === 'open') channel.send(new Uint8Array([kind]));
  }

  private onIceState(state: RTCIceConnectionState): void {
    if (state === 'disconnected') this.restartIce();
  }

  private restartIce(): void {
    if (this.restartingSinceMs !== undefined || this.state !== LinkState.open) return;
    this.restartingSinceMs = Date.now();
    try {
      (this.peer as unknown as PeerInternals)._pc.restartIce();
    } catch (error) {
      // node-datachannel 0.33 has no ICE restart ("Not implemented"): the link is given up at once.
      this.close(`dead link: no ICE restart here (${error instanceof Error ? error.message : String(error)})`);
      return;
    }
    (this.peer as unknown as PeerInternals).negotiate();
  }

  private onLocalSignal(data: SimplePeer.SignalData): void {
    const payload = fromSignalData(data, this.options.loopbackOnly);
    if (payload && this.state === LinkState.open) this.options.sendSignal(payload);
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1']);

/** The connection address of an ICE candidate line: `candidate:<f> <c> <proto> <prio> <address> ...`. */
export function candidateAddress(candidate: string): string | undefined {
  return candidate.replace(/^a=/, '').split(' ')[4];
}

export function isLoopbackCandidate(candidate: string): boolean {
  return LOOPBACK.has(candidateAddress(candidate) ?? '');
}

/** Removes every non-loopback candidate line from an SDP (offers sent after gathering carry them). */
export function loopbackSdp(sdp: string): string {
  return sdp.split('\r\n').filter((line) => !line.startsWith('a=candidate:') || isLoopbackCandidate(line)).join('\r\n');
}

export function fromSignalData(data: SimplePeer.SignalData, loopbackOnly: boolean): SignalPayload | undefined {
  if (data.type === 'offer' || data.type === 'answer') {
    // simple-peer signals `localDescription`, which holds candidates gathered so far, past sdpTransform.
    return { type: data.type, sdp: loopbackOnly ? loopbackSdp(data.sdp ?? '') : data.sdp ?? '' };
  }
  if (data.type === 'renegotiate') return { type: 'renegotiate' };
  if (data.type === 'candidate' && data.candidate) {
    const { candidate, sdpMid, sdpMLineIndex } = data.candidate;
    if (loopbackOnly && !isLoopbackCandidate(candidate)) return undefined;
    return { type: 'candidate', candidate, mid: sdpMid ?? '', mline: String(sdpMLineIndex ?? 0) };
  }
  return undefined;
}

export function toSignalData(payload: SignalPayload, loopbackOnly: boolean): SimplePeer.SignalData | undefined {
  switch (payload['type']) {
    case 'offer':
    case 'answer':
      return { type: payload['type'], sdp: loopbackOnly ? loopbackSdp(payload['sdp'] ?? '') : payload['sdp'] ?? '' };
    case 'renegotiate':
      return { type: 'renegotiate', renegotiate: true };
    case 'candidate': {
      const candidate = payload['candidate'] ?? '';
      if (loopbackOnly && !isLoopbackCandidate(candidate)) return undefined;
      return { type: 'candidate', candidate: { candidate, sdpMid: payload['mid'] ?? '', sdpMLineIndex: Number(payload['mline'] ?? 0) } as RTCIceCandidate };
    }
    default:
      return undefined;
  }
}
