// What the datachannel benchmark's pages expose on `window` (bench/datachannel.ts drives them through
// playwright). Types only, shared by the pages and the Node side; nothing here touches the DOM.

/**
 * The three ways of carrying data between the two pages, and `setup`: our link again, made and
 * closed over and over to time link setup (signal to open data channel).
 */
export type TransportName = 'ours' | 'raw' | 'peerjs' | 'setup';

export interface PeerjsServerOptions {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  /** This page's PeerJS id and the id of the page it talks to. */
  readonly id: string;
  readonly remoteId: string;
}

export interface PrepareOptions {
  readonly initiator: boolean;
  /** Only for the `peerjs` transport. */
  readonly peerjs?: PeerjsServerOptions;
  /** Only for `setup`: RtcLink's loopbackOnly (false on the test network of hosts). */
  readonly loopbackOnly?: boolean;
  /**
   * Only for `setup`: signal no 127.0.0.1/::1 candidate, as a browser without the tests'
   * --allow-loopback-in-peer-connection (which gathers none) would not.
   */
  readonly dropLoopback?: boolean;
  /** Only for `setup`: numbers each link, so a late signal of the previous one is not fed to the next. */
  readonly generation?: number;
}

/** The selected ICE candidate pair: each end as `address:port protocol (type)`, and the bare addresses. */
export interface CandidatePair {
  readonly local: string;
  readonly remote: string;
  readonly localAddress: string;
  /** Empty for a peer-reflexive remote: Chromium does not reveal its address (it is the other page's local one). */
  readonly remoteAddress: string;
}

export interface OpenResult {
  /** From the start of the connection attempt (for `setup`: its first signal sent) to an open channel, in this page (ms). */
  readonly connectMs: number;
  readonly pair: CandidatePair;
}

/** How many local ICE candidates a page gathered and how many it signaled (only loopback ones may be). */
export interface CandidateCounts {
  readonly gathered: number;
  readonly signaled: number;
  readonly remoteDropped: number;
  /** RTCPeerConnections constructed through the page's loopback wrapper (peerjs page only). */
  readonly constructed: number;
}

export interface BenchPageApi {
  /** Creates the transport's connection; an initiator starts signaling. peerjs: also waits for server registration. */
  prepare(name: TransportName, options: PrepareOptions): Promise<void>;
  /** Resolves once the transport's channel is open in this page. */
  open(name: TransportName, timeoutMs: number): Promise<OpenResult>;
  /** Feeds a signaling message the other page sent (JSON text). */
  signal(name: TransportName, json: string): void;
  /** Builds the payload of a later `throughput` call (on both pages: a receiver of text checks what arrives). */
  preparePayload(name: TransportName, totalBytes: number, frameBytes: number, sending: boolean): void;
  /**
   * Sends `totalBytes` (in frames of `frameBytes` where the transport takes frames) and resolves with the
   * milliseconds until the other page acknowledged having all of it.
   */
  throughput(name: TransportName, totalBytes: number, frameBytes: number, timeoutMs: number): Promise<number>;
  /** Sends `count` small pings one after the other; resolves with each round trip in ms. */
  rtt(name: TransportName, count: number, timeoutMs: number): Promise<number[]>;
  candidates(name: TransportName): CandidateCounts;
  /** Microbenchmarks of the link layer's own chunking (ms per call); link page only. */
  chunkingCost?(frameBytes: number, repeats: number): { splitMs: number; reassembleMs: number };
  /** Closes one transport's connection, or all of them. */
  close(name?: TransportName): void;
}

/** The global name of the page API and of the function the bench exposes for outgoing signals. */
export const PAGE_API = 'peerfarmBench';
export const SIGNAL_OUT = 'peerfarmBenchSignal';
export type SignalOut = (name: TransportName, json: string) => Promise<void>;
