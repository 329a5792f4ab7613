// Page-side harness of the datachannel benchmark: the little control protocol every transport speaks
// (start / done / ping / pong, all text starting with "!"), the timing loops, deterministic payloads and
// ICE helpers. Each transport (ours, raw, peerjs) plugs in through `Carrier`.
import type {
  BenchPageApi, CandidateCounts, CandidatePair, OpenResult, PrepareOptions, SignalOut, TransportName,
} from './api.ts';
import { PAGE_API, SIGNAL_OUT } from './api.ts';

/** What a transport provides to the harness. */
export interface Carrier {
  /** Resolves once the channel is open. */
  readonly opened: Promise<void>;
  /** When the connection attempt started (performance.now()). */
  readonly startedAt: number;
  sendControl(text: string): void;
  /** Builds (and caches) what `sendPayload` or, when not `sending`, the receiving end needs, before any clock starts. */
  preparePayload(totalBytes: number, frameBytes: number, sending: boolean): void;
  /** Starts sending `totalBytes` of payload, in frames of `frameBytes` where the transport has frames. */
  sendPayload(totalBytes: number, frameBytes: number): void;
  signal(json: string): void;
  peerConnection(): RTCPeerConnection | undefined;
  candidates(): CandidateCounts;
  close(): void;
}

export type CarrierFactory = (options: PrepareOptions, session: Session) => Promise<Carrier>;

const CONTROL = 0x21; // "!"

/** Rejects after `ms` with a message naming `what`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One transport's end in this page: the receiving counter, acknowledgements and pongs. */
export class Session {
  carrier: Carrier | undefined;
  private expected = 0;
  private received = 0;
  private error: string | undefined;
  private waiting: { prefix: string; resolve: (text: string) => void } | undefined;

  constructor(readonly name: TransportName) {}

  /** A text message arrived; payload text (not starting with "!") counts as payload. */
  text(text: string): void {
    if (text.charCodeAt(0) !== CONTROL) {
      this.payload(text.length, text === payloadText(text.length));
      return;
    }
    if (text.startsWith('!ping:')) return this.carrier?.sendControl(`!pong:${text.slice(6)}`);
    if (text.startsWith('!start:')) {
      this.expected = Number(text.slice(7));
      this.received = 0;
      this.error = undefined;
      return;
    }
    const waiting = this.waiting;
    if (waiting && text.startsWith(waiting.prefix)) {
      this.waiting = undefined;
      waiting.resolve(text);
    }
  }

  /** `bytes` of payload arrived; `intact` is false when its content is not what was sent. */
  payload(bytes: number, intact = true): void {
    if (!intact) this.error ??= `corrupt payload frame of ${bytes} bytes after ${this.received} bytes`;
    this.received += bytes;
    if (this.expected > 0 && this.received >= this.expected) {
      this.expected = 0;
      this.carrier?.sendControl(this.error ? `!done:error ${this.error}` : '!done:ok');
    }
  }

  /** Resolves with the next control text starting with `prefix`. */
  next(prefix: string): Promise<string> {
    return new Promise((resolve) => (this.waiting = { prefix, resolve }));
  }
}

/** A deterministic ASCII payload of `length` characters (a..z), the same in every page; cached. */
const texts = new Map<number, string>();
export function payloadText(length: number): string {
  let text = texts.get(length);
  if (text === undefined) {
    text = new TextDecoder('latin1').decode(payloadBytes(length));
    texts.set(length, text);
  }
  return text;
}

export function payloadBytes(length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  let state = 0x2545f491;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[i] = 97 + ((state >>> 16) % 26);
  }
  return bytes;
}

const LOOPBACK = new Set(['127.0.0.1', '::1']);

/** The address of an ICE candidate line: `candidate:<foundation> <component> <proto> <prio> <address> ...`. */
export function isLoopbackCandidate(candidate: string): boolean {
  return LOOPBACK.has(candidate.replace(/^a=/, '').split(' ')[4] ?? '');
}

/** Removes every non-loopback candidate line from an SDP. */
export function loopbackSdp(sdp: string): string {
  return sdp.split('\r\n').filter((line) => !line.startsWith('a=candidate:') || isLoopbackCandidate(line)).join('\r\n');
}

/** The addresses of the ICE candidate pair the connection uses. */
export async function selectedPair(pc: RTCPeerConnection | undefined): Promise<CandidatePair> {
  if (!pc) return { local: '?', remote: '?', localAddress: '?', remoteAddress: '?' };
  const stats = await pc.getStats();
  const byId = new Map<string, Record<string, unknown>>();
  stats.forEach((report: Record<string, unknown>) => byId.set(String(report['id']), report));
  let pairId: string | undefined;
  for (const report of byId.values()) {
    if (report['type'] === 'transport' && typeof report['selectedCandidatePairId'] === 'string') {
      pairId = report['selectedCandidatePairId'];
    }
  }
  const pair = pairId ? byId.get(pairId) : [...byId.values()].find((r) => r['type'] === 'candidate-pair' && r['nominated'] === true);
  const describe = (id: unknown): [string, string] => {
    const candidate = byId.get(String(id));
    if (!candidate) return ['?', '?'];
    const address = String(candidate['address'] ?? candidate['ip'] ?? '');
    return [`${address}:${String(candidate['port'])} ${String(candidate['protocol'])} (${String(candidate['candidateType'])})`, address];
  };
  const [local, localAddress] = describe(pair?.['localCandidateId']);
  const [remote, remoteAddress] = describe(pair?.['remoteCandidateId']);
  return { local, remote, localAddress, remoteAddress };
}

/** Sends a signaling message to the other page through the bench process. */
export function signalOut(name: TransportName, message: unknown): void {
  const send = (window as unknown as Record<string, SignalOut>)[SIGNAL_OUT];
  if (!send) throw new Error(`${SIGNAL_OUT} is not exposed`);
  void send(name, JSON.stringify(message));
}

/** Installs the page API for the given transports. */
export function installApi(factories: Partial<Record<TransportName, CarrierFactory>>, extra: Partial<BenchPageApi> = {}): void {
  const sessions = new Map<TransportName, Session>();
  const session = (name: TransportName): Session & { carrier: Carrier } => {
    const found = sessions.get(name);
    if (!found?.carrier) throw new Error(`transport ${name} is not prepared in this page`);
    return found as Session & { carrier: Carrier };
  };
  const api: BenchPageApi = {
    async prepare(name, options) {
      const factory = factories[name];
      if (!factory) throw new Error(`transport ${name} is not available in this page`);
      const created = new Session(name);
      sessions.set(name, created);
      created.carrier = await factory(options, created);
    },
    async open(name, timeoutMs): Promise<OpenResult> {
      const { carrier } = session(name);
      await withTimeout(carrier.opened, timeoutMs, `${name}: open`);
      const connectMs = performance.now() - carrier.startedAt;
      return { connectMs, pair: await selectedPair(carrier.peerConnection()) };
    },
    signal(name, json) {
      sessions.get(name)?.carrier?.signal(json);
    },
    async throughput(name, totalBytes, frameBytes, timeoutMs) {
      const current = session(name);
      const done = current.next('!done:');
      const start = performance.now();
      current.carrier.sendControl(`!start:${totalBytes}`);
      current.carrier.sendPayload(totalBytes, frameBytes);
      const answer = await withTimeout(done, timeoutMs, `${name}: ${totalBytes} bytes`);
      const ms = performance.now() - start;
      if (answer !== '!done:ok') throw new Error(`${name}: receiver says ${answer}`);
      return ms;
    },
    preparePayload(name, totalBytes, frameBytes, sending) {
      session(name).carrier.preparePayload(totalBytes, frameBytes, sending);
    },
    async rtt(name, count, timeoutMs) {
      const current = session(name);
      const times: number[] = [];
      const deadline = performance.now() + timeoutMs;
      for (let i = 0; i < count; i++) {
        const pong = current.next('!pong:');
        const start = performance.now();
        // 32 characters on the wire.
        current.carrier.sendControl(`!ping:${String(i).padStart(26, '0')}`);
        await withTimeout(pong, Math.max(1, deadline - performance.now()), `${name}: ping ${i}`);
        times.push(performance.now() - start);
      }
      return times;
    },
    candidates(name) {
      return session(name).carrier.candidates();
    },
    close(name) {
      for (const [key, current] of sessions) if (name === undefined || key === name) current.carrier?.close();
    },
    ...extra,
  };
  (window as unknown as Record<string, BenchPageApi>)[PAGE_API] = api;
}
