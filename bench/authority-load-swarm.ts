// The load generator of `bench authority-load` (bench/authority-load.ts starts one per server, as a
// child process, and drives it step by step over IPC). It holds PEERS real `ws` links to one server,
// all from 127.0.0.1: ours join with a real P-256 signature over the challenge, heartbeat at the
// pushed interval and ask for peer lists at the pushed period; PeerJS peers connect and heartbeat
// (its server has no peer lists). Relays go between random live pairs, closed loop to find the
// saturating rate and paced to measure latency; every relay is counted in and out.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { formatList } from '../src/protocol/format.ts';
import { parseCommand, parseList } from '../src/protocol/parse.ts';
import { generateIdentity, joinMessage, sign, type Identity } from '../src/protocol/identity.ts';
import { until } from '../test/helpers/until.ts';

/** The figure: twice the PeerJS server's default per-process cap (5,000). */
export const PEERS = Number(process.env['AUTHORITY_LOAD_PEERS'] ?? 10_000);
/** Joins under way at once: under the authority's --max-unjoined (256), past which it closes the oldest. */
const JOINS_IN_FLIGHT = 128;
/** Relays kept in flight to find the saturating rate (closed loop: each arrival sends the next). */
const SATURATE_WINDOW = 1000;
/** Closed loop before the rounds, so both servers' code is optimised before anything is timed. */
export const WARMUP_MS = 3000;
export const SATURATE_MS = 12_000;
/** Latency is measured at half the saturating rate, open loop (relays paced on a clock). */
export const HALF_RATE_MS = 16_000;
/** Rounds per server: with the warm-up, 60 s of load on each (the figure). */
export const ROUNDS = 2;
const PACE_TICK_MS = 2;
/** Peers that leave before the rounds; each then gets one relay from a live peer. */
const GONE_PEERS = 100;
const SCHEDULE_TICK_MS = 100;
/** Sequence numbers seen, one byte each: far above the relays of 60 s at any rate reached here. */
const MAX_RELAYS = 1 << 24;
/** A generator holds PEERS sockets plus its own files. */
const SPARE_FILES = 512;
const CANDIDATE = 'candidate:842163049 1 udp 1677729535 127.0.0.1 54321 typ host generation 0 ufrag bench network-cost 999';

interface Peer {
  readonly index: number;
  readonly id: string;
  ws: WebSocket | undefined;
  live: boolean;
}

type Incoming =
  | { readonly kind: 'relay'; readonly seq: number; readonly sentAt: number }
  | { readonly kind: 'gone'; readonly id: string }
  | { readonly kind: 'list' }
  | { readonly kind: 'error'; readonly text: string };

/** How one server's peers speak: ours Tcl command lines, PeerJS JSON messages. */
interface Dialect {
  readonly name: string;
  /** Opens and joins one peer's link; resolves once it is registered. */
  connect(peer: Peer, identity: Identity | undefined): Promise<WebSocket>;
  relay(to: string, seq: number, sentAt: number): string;
  readonly heartbeat: string;
  readonly list: string | undefined;
  read(frame: string): Incoming;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What the authority pushes in `options` (read at each join): the heartbeat period and the peer
 * list period. PeerJS peers heartbeat at the same pace.
 */
const pushed = { heartbeatIntervalMs: 10_000, listIntervalMs: 60_000 };

function openWs(url: string): WebSocket {
  const ws = new WebSocket(url, { localAddress: '127.0.0.1', perMessageDeflate: false, handshakeTimeout: 30_000 });
  ws.on('error', () => undefined); // always followed by close
  return ws;
}

/** Rejects when the link closes or the server refuses before `settle` is called. */
function handshake(ws: WebSocket, onFrame: (text: string, settle: (error?: Error) => void) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    let done = false;
    const settle = (error?: Error) => {
      if (done) return;
      done = true;
      ws.removeAllListeners('message');
      ws.removeAllListeners('close');
      if (error) {
        ws.terminate();
        reject(error);
      } else resolve(ws);
    };
    ws.on('message', (data) => onFrame(String(data), settle));
    ws.once('close', (code, reason) => settle(new Error(`closed while joining (${code} ${String(reason)})`)));
  });
}

const ours = (wsUrl: string): Dialect => ({
  name: 'ours',
  connect: (peer, identity) => {
    const ws = openWs(wsUrl);
    ws.once('open', () => ws.send('protocol p2p:authority<-worker/2'));
    return handshake(ws, (text, settle) => {
      const [command, ...args] = parseCommand(text);
      if (command === 'challenge') {
        void sign(identity!, joinMessage(args[0]!)).then((signature) =>
          ws.send(formatList(['join', peer.id, identity!.publicKey, signature])));
      } else if (command === 'options') {
        for (let i = 0; i + 1 < args.length; i += 2) {
          if (args[i] === 'heartbeat_interval_ms') pushed.heartbeatIntervalMs = Number(args[i + 1]);
          if (args[i] === 'time_between_authority_checks') pushed.listIntervalMs = Number(args[i + 1]);
        }
      } else if (command === 'welcome') {
        ws.send('listening');
        ws.send('peers');
        settle();
      } else if (command === 'exception') settle(new Error(`refused: ${args.join(' ')}`));
    });
  },
  relay: (to, seq, sentAt) => formatList(['signal', to, formatList([
    'type', 'candidate', 'candidate', CANDIDATE, 'sdpMid', '0', 'sdpMLineIndex', '0', 'seq', String(seq), 't', sentAt.toFixed(3)])]),
  heartbeat: 'heartbeat',
  list: 'peers',
  read: (frame) => {
    if (frame.startsWith('signal ')) {
      const payload = parseList(parseCommand(frame)[2]!);
      return { kind: 'relay', seq: Number(payload[payload.length - 3]), sentAt: Number(payload[payload.length - 1]) };
    }
    if (frame.startsWith('peers ')) return { kind: 'list' };
    const gone = /^exception \{peer "([0-9a-f]+)" is not connected/.exec(frame);
    if (gone) return { kind: 'gone', id: gone[1]! };
    return { kind: 'error', text: frame.slice(0, 200) };
  },
});

const peerjs = (baseUrl: string): Dialect => ({
  name: 'PeerJS',
  connect: (peer) => {
    const ws = openWs(`${baseUrl}/peerjs?key=peerjs&id=${peer.id}&token=t${peer.index}`);
    return handshake(ws, (text, settle) => {
      const message = JSON.parse(text) as { type: string; payload?: { msg?: string } };
      if (message.type === 'OPEN') settle();
      else settle(new Error(`refused: ${message.type} ${message.payload?.msg ?? ''}`));
    });
  },
  relay: (to, seq, sentAt) => JSON.stringify({
    type: 'CANDIDATE', dst: to,
    payload: { candidate: { candidate: CANDIDATE, sdpMid: '0', sdpMLineIndex: 0 }, type: 'data', connectionId: 'dc_bench', seq, t: Number(sentAt.toFixed(3)) },
  }),
  heartbeat: '{"type":"HEARTBEAT"}',
  list: undefined,
  read: (frame) => {
    const message = JSON.parse(frame) as { type: string; src?: string; payload?: { seq: number; t: number } };
    if (message.type === 'CANDIDATE') return { kind: 'relay', seq: message.payload!.seq, sentAt: message.payload!.t };
    if (message.type === 'EXPIRE') return { kind: 'gone', id: message.src ?? '' };
    return { kind: 'error', text: frame.slice(0, 200) };
  },
});

type Mode = 'idle' | 'closed' | 'paced';

/** The peers of one server and every relay among them. */
class Swarm {
  readonly peers: Peer[];
  /** Live peers, for picking random pairs in O(1). */
  private readonly live: Peer[] = [];
  sent = 0;
  arrived = 0;
  duplicates = 0;
  private readonly seen = new Uint8Array(MAX_RELAYS);
  readonly errors: string[] = [];
  lists = 0;
  droppedLinks = 0;
  /** Relays sent to peers that left, and the answers saying so (PEER_GONE, EXPIRE). */
  goneSent = 0;
  goneAnswered = 0;
  goneLastAnswerMs = NaN;
  private goneSentAt = 0;
  private goneIds = new Set<string>();
  mode: Mode = 'idle';
  /** Latencies of relays sent since `recordFrom` (ms). */
  latencies: number[] = [];
  private recordFrom = Infinity;
  private scheduler: ReturnType<typeof setInterval> | undefined;

  constructor(readonly dialect: Dialect, ids: readonly string[]) {
    this.peers = ids.map((id, index) => ({ index, id, ws: undefined, live: false }));
  }

  get outstanding(): number {
    return this.sent - this.arrived;
  }

  /** Joins every peer, JOINS_IN_FLIGHT at a time; resolves with the time it took (ms). */
  async join(identities: readonly Identity[] | undefined): Promise<number> {
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < this.peers.length) {
        const peer = this.peers[next++]!;
        const ws = await this.dialect.connect(peer, identities?.[peer.index]);
        this.attach(peer, ws);
      }
    };
    await Promise.all(Array.from({ length: JOINS_IN_FLIGHT }, worker));
    return performance.now() - started;
  }

  private attach(peer: Peer, ws: WebSocket): void {
    peer.ws = ws;
    peer.live = true;
    this.live.push(peer);
    ws.on('message', (data) => this.receive(String(data)));
    ws.once('close', () => {
      if (peer.live) {
        this.droppedLinks += 1;
        this.leave(peer);
      }
    });
  }

  private leave(peer: Peer): void {
    peer.live = false;
    const at = this.live.indexOf(peer);
    this.live[at] = this.live[this.live.length - 1]!;
    this.live.pop();
  }

  private receive(frame: string): void {
    const incoming = this.dialect.read(frame);
    switch (incoming.kind) {
      case 'relay': {
        if (!(incoming.seq >= 0 && incoming.seq < MAX_RELAYS)) {
          this.errors.push(`relay with sequence number ${incoming.seq}`);
          return;
        }
        if (this.seen[incoming.seq] === 1) {
          this.duplicates += 1;
          return;
        }
        this.seen[incoming.seq] = 1;
        this.arrived += 1;
        if (incoming.seq >= this.recordFrom) this.latencies.push(performance.now() - incoming.sentAt);
        if (this.mode === 'closed') this.relayRandom();
        return;
      }
      case 'gone':
        if (this.goneIds.has(incoming.id)) {
          this.goneAnswered += 1;
          this.goneLastAnswerMs = performance.now() - this.goneSentAt;
        } else this.errors.push(`unexpected gone: ${incoming.id}`);
        return;
      case 'list':
        this.lists += 1;
        return;
      case 'error':
        this.errors.push(incoming.text);
        return;
    }
  }

  private pick(): Peer {
    return this.live[Math.floor(Math.random() * this.live.length)]!;
  }

  relayRandom(): void {
    if (this.sent >= MAX_RELAYS) throw new Error(`more than ${MAX_RELAYS} relays: raise MAX_RELAYS`);
    const from = this.pick();
    let to = this.pick();
    while (to === from) to = this.pick();
    const seq = this.sent++;
    from.ws!.send(this.dialect.relay(to.id, seq, performance.now()));
  }

  /** Heartbeats every peer once per heartbeat interval, and (ours) asks for lists once a minute, spread evenly. */
  startBackground(): void {
    let heartbeatCursor = 0;
    let listCursor = 0;
    let heartbeatDebt = 0;
    let listDebt = 0;
    this.scheduler = setInterval(() => {
      heartbeatDebt += (this.peers.length * SCHEDULE_TICK_MS) / pushed.heartbeatIntervalMs;
      listDebt += (this.peers.length * SCHEDULE_TICK_MS) / pushed.listIntervalMs;
      for (; heartbeatDebt >= 1; heartbeatDebt -= 1) {
        const peer = this.peers[heartbeatCursor++ % this.peers.length]!;
        if (peer.live) peer.ws!.send(this.dialect.heartbeat);
      }
      for (; listDebt >= 1; listDebt -= 1) {
        const peer = this.peers[listCursor++ % this.peers.length]!;
        if (peer.live && this.dialect.list) peer.ws!.send(this.dialect.list);
      }
    }, SCHEDULE_TICK_MS);
  }

  /** `count` peers leave; once their links are closed each gets one relay from a live peer. */
  async leaveAndRelayToGone(count: number): Promise<void> {
    const leaving = this.live.slice(0, count);
    const closed = leaving.map((peer) => new Promise((resolve) => peer.ws!.once('close', resolve)));
    for (const peer of leaving) {
      this.leave(peer);
      this.goneIds.add(peer.id);
      peer.ws!.close();
    }
    await Promise.all(closed);
    await sleep(200);
    this.goneSentAt = performance.now();
    for (const peer of leaving) {
      this.pick().ws!.send(this.dialect.relay(peer.id, 0, performance.now()));
      this.goneSent += 1;
    }
  }

  /** Closed loop for `ms`: SATURATE_WINDOW relays in flight. Returns relays per second. */
  async saturate(ms: number): Promise<number> {
    this.mode = 'closed';
    for (let i = 0; i < SATURATE_WINDOW; i++) this.relayRandom();
    await sleep(500); // the window settles
    const [from, started] = [this.arrived, performance.now()];
    await sleep(ms);
    const rate = ((this.arrived - from) * 1000) / (performance.now() - started);
    this.mode = 'idle';
    await this.drain();
    return rate;
  }

  /** Open loop at `perSecond` for `ms`; returns the sorted latencies (ms) of the relays sent. */
  async paced(perSecond: number, ms: number): Promise<number[]> {
    this.mode = 'paced';
    this.latencies = [];
    this.recordFrom = this.sent;
    const started = performance.now();
    let paced = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const elapsed = performance.now() - started;
        if (elapsed >= ms) {
          clearInterval(timer);
          resolve();
          return;
        }
        for (const due = Math.floor((elapsed * perSecond) / 1000); paced < due; paced++) this.relayRandom();
      }, PACE_TICK_MS);
    });
    this.mode = 'idle';
    await this.drain();
    this.recordFrom = Infinity;
    return this.latencies.sort((a, b) => a - b);
  }

  async drain(timeoutMs = 5000): Promise<void> {
    await until(() => this.outstanding === 0, timeoutMs, 10).catch(() => undefined);
  }

  close(): void {
    clearInterval(this.scheduler);
    for (const peer of this.peers) {
      peer.live = false;
      peer.ws?.terminate();
    }
  }
}

/** One round on one server; `loopDelayP99Ms` is the generator's own event-loop delay while it paced (what it adds to latencies). */
export interface Round {
  rate: number; latencies: number[]; cpuUsPerRelay: number; loopDelayP99Ms: number;
  /** Share of one core the server and this generator used while saturated: which of them bounds the rate. */
  serverCpuShare: number; generatorCpuShare: number;
}

/** Steps the coordinator asks of a generator, and what each answers. */
export interface Steps {
  join: { joinMs: number; keysMs: number };
  gone: null;
  warmup: null;
  round: Round;
  report: SwarmReport;
}
export type Step = keyof Steps;

export interface SwarmReport {
  held: number; sent: number; arrived: number; duplicates: number; lists: number; droppedLinks: number;
  goneSent: number; goneAnswered: number; goneLastAnswerMs: number; errors: string[];
}

/** CPU time (user + system) a process has used, ms (USER_HZ = 100). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The soft limit on open files of a process (Node raises its own to the hard one at start). */
export function openFilesLimit(pid: number | 'self' = 'self'): number {
  return Number(/Max open files\s+(\d+)/.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'))![1]);
}

async function makeIdentities(): Promise<{ identities: Identity[]; ms: number }> {
  const started = performance.now();
  const identities: Identity[] = [];
  for (let i = 0; i < PEERS; i += 500) {
    identities.push(...await Promise.all(Array.from({ length: Math.min(500, PEERS - i) }, () => generateIdentity())));
  }
  return { identities, ms: performance.now() - started };
}

async function generator(kind: string, url: string, serverPid: number): Promise<void> {
  // Each generator holds PEERS sockets (Node raises its soft limit to the hard one by itself).
  if (openFilesLimit() < PEERS + SPARE_FILES) throw new Error(`a generator needs ${PEERS + SPARE_FILES} open files; the limit is ${openFilesLimit()} (ulimit -n)`);
  // PeerJS peers need no keys: a random id each.
  const { identities, ms: keysMs } = kind === 'ours' ? await makeIdentities() : { identities: undefined, ms: 0 };
  const ids = identities?.map((identity) => identity.id) ?? Array.from({ length: PEERS }, () => randomBytes(16).toString('hex'));
  const swarm = new Swarm(kind === 'ours' ? ours(url) : peerjs(url), ids);
  const run: { [S in Step]: () => Promise<Steps[S]> } = {
    join: async () => {
      const joinMs = await swarm.join(identities);
      swarm.startBackground();
      return { joinMs, keysMs };
    },
    gone: async () => {
      await swarm.leaveAndRelayToGone(GONE_PEERS);
      return null;
    },
    warmup: async () => {
      await swarm.saturate(WARMUP_MS);
      return null;
    },
    round: async () => {
      const [cpu, ownCpu, relays, started] = [cpuMs(serverPid), cpuMs(process.pid), swarm.arrived, performance.now()];
      const rate = await swarm.saturate(SATURATE_MS);
      const [serverCpu, generatorCpu, wallMs] = [cpuMs(serverPid) - cpu, cpuMs(process.pid) - ownCpu, performance.now() - started];
      const cpuUsPerRelay = (serverCpu * 1000) / (swarm.arrived - relays);
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      const latencies = await swarm.paced(rate / 2, HALF_RATE_MS);
      delay.disable();
      return {
        rate, cpuUsPerRelay, latencies, loopDelayP99Ms: delay.percentile(99) / 1e6,
        serverCpuShare: serverCpu / wallMs, generatorCpuShare: generatorCpu / wallMs,
      };
    },
    report: async () => ({
      held: swarm.peers.filter((peer) => peer.live).length, sent: swarm.sent, arrived: swarm.arrived,
      duplicates: swarm.duplicates, lists: swarm.lists, droppedLinks: swarm.droppedLinks, goneSent: swarm.goneSent,
      goneAnswered: swarm.goneAnswered, goneLastAnswerMs: swarm.goneLastAnswerMs,
      errors: swarm.errors.slice(0, 5),
    }),
  };
  process.on('message', (message: { step: Step | 'close' }) => {
    if (message.step === 'close') {
      swarm.close();
      process.disconnect();
      return;
    }
    run[message.step]().then((result) => process.send!({ result }), (error: unknown) => process.send!({ error: String(error) }));
  });
  process.send!({ ready: true });
}

/** The coordinator's handle on a generator child: one step at a time. */
export interface Generator {
  step<S extends Step>(step: S): Promise<Steps[S]>;
  close(): Promise<void>;
}

export async function startGenerator(kind: 'ours' | 'peerjs', url: string, serverPid: number): Promise<Generator> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, AUTHORITY_LOAD_GENERATOR: kind, AUTHORITY_LOAD_URL: url, AUTHORITY_LOAD_SERVER_PID: String(serverPid) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let waiting: { resolve: (value: never) => void; reject: (error: Error) => void } | undefined;
  child.on('message', (message: { ready?: true; result?: never; error?: string }) => {
    const settle = waiting;
    waiting = undefined;
    if (message.error !== undefined) settle?.reject(new Error(`${kind} generator: ${message.error}`));
    else settle?.resolve(message.result ?? (undefined as never));
  });
  child.once('exit', (code) => waiting?.reject(new Error(`${kind} generator exited (${code})`)));
  const ask = <T>(message: object): Promise<T> => new Promise((resolve, reject) => {
    waiting = { resolve: resolve as (value: never) => void, reject };
    child.send(message);
  });
  await new Promise<void>((resolve, reject) => {
    waiting = { resolve: () => resolve(), reject };
  });
  return {
    step: (step) => ask({ step }),
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ step: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const generatorKind = process.env['AUTHORITY_LOAD_GENERATOR'];
if (generatorKind !== undefined) {
  await generator(generatorKind, process.env['AUTHORITY_LOAD_URL']!, Number(process.env['AUTHORITY_LOAD_SERVER_PID']));
}
