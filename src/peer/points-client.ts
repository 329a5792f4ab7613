// A tab's side of the points ledger: balance, history and record, and for clients the signed
// award (escrow for one job) and settle (post, reject or void it), and with
// p2p:authority<-client/3 the series escrow: `escrow` holds a series' budget once, `pay` pays
// accepted results from it (or counts outvoted ones), `release` gives back the rest.
//
// Awards, settlements and payments are batched: entries wait while a batch of their kind is on its
// way (at least BATCH_WINDOW_MS), then travel together as one command, one signature and one ledger
// request each. Every request is kept until it is answered: when the authority link drops, it is
// sent again after the rejoin, under the same transfer ids, which the ledger answers with their
// first outcome, so nothing is lost or applied twice. From /2 on each request carries a token, and a
// refusal (`refused token code message`) rejects exactly that request's callers.
import { sign, type Identity } from '../protocol/identity.ts';
import { parseList } from '../protocol/parse.ts';
import { formatList } from '../protocol/format.ts';
import { MAX_BATCH_ENTRIES, pointsMessage, type PointsCommand } from '../protocol/protocols/points.ts';
import { authorityFromClient1, authorityFromClient3 } from '../protocol/protocols/index.ts';
import { ConnectionState, type AuthorityConnection, type ReplyEventDetail } from './authority-connection.ts';

/** A read (balance, history, record) is one round trip on a live link; past this it failed. */
export const POINTS_TIMEOUT_MS = 10_000;
/**
 * Awards, settlements and payments wait at least this long to travel together: a fast farm makes
 * hundreds a second, and one batch is one command, one signature and one check at the authority.
 */
export const BATCH_WINDOW_MS = 10;
/** A request unanswered on a live link this long is sent again (same ids: idempotent). */
export const BATCH_RESEND_MS = 15_000;
/** Sends of one request on live links before it counts as refused. */
export const BATCH_MAX_SENDS = 4;

export interface Balance { readonly points: number; readonly held: number }
export interface PointsRecord { readonly jobs: number; readonly valid: number; readonly recent: number }
export interface HistoryEntry { readonly id: string; readonly kind: string; readonly delta: number; readonly at: number; readonly other: string }
export type SettleAction = 'post' | 'reject' | 'void';
export type PayAction = 'post' | 'reject';
type BatchKind = 'award' | 'settle' | 'pay';
const BATCH_KINDS = ['award', 'settle', 'pay'] as const;
/** Answers to points requests; each names its request's token (a /1 batch answer: its first transfer id). */
const ANSWERS = ['awarded', 'settled', 'paid', 'escrowed', 'released', 'refused'] as const;
type Answer = (typeof ANSWERS)[number];

/** A points request the authority refused (`code` from the error catalogue), or that got no answer. */
export class PointsError extends Error {
  override readonly name = 'PointsError';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

interface Waiter<T> { resolve: (value: T) => void; reject: (error: Error) => void }

/** One signed request on its way: a batch, an escrow or a release. */
interface Request {
  readonly kind: PointsCommand;
  /** The /2 token; a batch's is its first entry's transfer id, the key of a /1 answer. */
  readonly token: string;
  /** Callers it answers: a batch's entries, or one. */
  readonly size: number;
  readonly signature: Promise<string>;
  /** Sends it on the negotiated protocol. */
  readonly transmit: (signature: string) => void;
  /** Answers its callers with the answer's arguments, or fails them. */
  readonly finish: (outcome: Record<string, unknown> | PointsError) => void;
  sends: number;
  timer?: ReturnType<typeof setTimeout>;
}

interface Read { resolve: (args: Record<string, unknown>) => void; reject: (error: Error) => void; timer: ReturnType<typeof setTimeout> }

export class PointsClient {
  private readonly reads = new Map<string, Read[]>();
  /** Entries waiting for the next batch of their kind. */
  private readonly open: Record<BatchKind, Map<string, { text: string; waiter: Waiter<string> }>> = {
    award: new Map(), settle: new Map(), pay: new Map(),
  };
  /** The batch of each kind on its way (one at a time: entries meanwhile gather into the next). */
  private readonly inFlight: Record<BatchKind, Request | undefined> = { award: undefined, settle: undefined, pay: undefined };
  private readonly windows: Record<BatchKind, ReturnType<typeof setTimeout> | undefined> = {
    award: undefined, settle: undefined, pay: undefined,
  };
  /** Every request sent and not answered yet, by token. */
  private readonly requests = new Map<string, Request>();
  private counter = 0;
  private stopped = false;
  private readonly listeners: [string, EventListener][];

  constructor(private readonly authority: AuthorityConnection, private readonly identity: Identity) {
    this.listeners = [
      ['reply', (event) => this.onReply((event as CustomEvent<ReplyEventDetail>).detail)],
      ['joined', () => this.onJoined()],
      ['change', () => {
        if (this.authority.state !== ConnectionState.joined) this.failReads('the link to the authority dropped');
      }],
    ];
    for (const [type, listener] of this.listeners) authority.addEventListener(type, listener);
  }

  /** Requests not yet answered: entries waiting or on their way, escrows and releases. */
  get pending(): number {
    let count = 0;
    for (const kind of BATCH_KINDS) count += this.open[kind].size;
    for (const request of this.requests.values()) count += request.size;
    return count;
  }

  async balance(): Promise<Balance> {
    const args = await this.read('balance', () => this.authority.send('balance', {}));
    return { points: args['points'] as number, held: args['held'] as number };
  }

  async record(): Promise<PointsRecord> {
    const args = await this.read('record', () => this.authority.send('record', {}));
    return { jobs: args['jobs'] as number, valid: args['valid'] as number, recent: args['recent'] as number };
  }

  async history(limit = 20): Promise<HistoryEntry[]> {
    const args = await this.read('history', () => this.authority.send('history', { limit }));
    return (args['entries'] as string[]).map((text) => {
      const words = parseList(text);
      const field = (key: string) => words[words.indexOf(key) + 1] ?? '';
      return { id: field('id'), kind: field('kind'), delta: Number(field('delta')), at: Number(field('at')), other: field('other') };
    });
  }

  /** Holds `amount` for `worker` until `expiresMs`; resolves with the hold id and the ledger's result. */
  async award(worker: string, amount: number, expiresMs: number): Promise<{ hold: string; result: string }> {
    const transfer = this.transferId('a');
    const entry = formatList(['transfer', transfer, 'worker', worker, 'amount', String(amount), 'expires', String(expiresMs)]);
    return { hold: transfer, result: await this.enqueue('award', transfer, entry) };
  }

  async settle(hold: string, action: SettleAction, reason?: string): Promise<string> {
    const transfer = this.transferId('s');
    const entry = formatList(['transfer', transfer, 'hold', hold, 'action', action, ...(reason ? ['reason', reason] : [])]);
    return this.enqueue('settle', transfer, entry);
  }

  /**
   * Holds `amount` for a whole series until `expiresMs` (p2p:authority<-client/3); resolves with the
   * escrow id and the ledger's result (`ok`, `insufficient_points`, ...). An authority without /3
   * rejects it with PointsError `UNSUPPORTED`.
   */
  escrow(amount: number, expiresMs: number): Promise<{ escrow: string; result: string }> {
    const transfer = this.transferId('e');
    return new Promise((resolve, reject) => {
      this.single('escrow', transfer, [transfer, String(amount), String(expiresMs)],
        (signature) => this.authority.send('escrow', { token: transfer, transfer, amount, expires: expiresMs, signature }),
        (args) => resolve({ escrow: transfer, result: String(args['result']) }), reject);
    });
  }

  /**
   * Pays `amount` from the escrow to `worker` for an accepted result (`post`), or counts an
   * outvoted result against the worker with no payment (`reject`). Batched like settle; resolves
   * with the ledger's result (`ok`, `over_budget`, `hold_expired`, ...). `transfer` names it when
   * the caller must be able to send it again from another tab (a resumed series); by default a fresh id.
   */
  pay(escrow: string, worker: string, amount: number, action: PayAction, transfer = this.transferId('p')): Promise<string> {
    const entry = formatList(['transfer', transfer, 'escrow', escrow, 'worker', worker, 'amount', String(amount), 'action', action]);
    return this.enqueue('pay', transfer, entry);
  }

  /** Ends the escrow; resolves with the result and the points that went back to this client. */
  release(escrow: string): Promise<{ result: string; amount: number }> {
    const transfer = this.transferId('r');
    return new Promise((resolve, reject) => {
      this.single('release', transfer, [transfer, escrow],
        (signature) => this.authority.send('release', { token: transfer, transfer, escrow, signature }),
        (args) => resolve({ result: String(args['result']), amount: Number(args['amount']) }), reject);
    });
  }

  /** Leaving the network: whatever is unanswered fails now instead of waiting for a rejoin. */
  stop(): void {
    this.stopped = true;
    for (const [type, listener] of this.listeners) this.authority.removeEventListener(type, listener);
    this.failReads('left the network');
    const error = new PointsError('STOPPED', 'left the network before the authority answered');
    for (const kind of BATCH_KINDS) {
      clearTimeout(this.windows[kind]);
      for (const { waiter } of this.open[kind].values()) waiter.reject(error);
      this.open[kind].clear();
    }
    for (const request of [...this.requests.values()]) this.finish(request, error);
  }

  private transferId(prefix: string): string {
    // Unique across reloads and tabs of one identity: the ledger keeps every id for ever.
    return `${prefix}${Date.now().toString(36)}-${this.identity.id.slice(0, 8)}-${++this.counter}`;
  }

  private enqueue(kind: BatchKind, transfer: string, text: string): Promise<string> {
    if (this.stopped) return Promise.reject(new PointsError('STOPPED', 'left the network'));
    return new Promise((resolve, reject) => {
      this.open[kind].set(transfer, { text, waiter: { resolve, reject } });
      if (this.open[kind].size >= MAX_BATCH_ENTRIES) this.flush(kind);
      else this.windows[kind] ??= setTimeout(() => this.flush(kind), BATCH_WINDOW_MS);
    });
  }

  /** Sends the waiting entries as one batch, unless one of this kind is still on its way. */
  private flush(kind: BatchKind): void {
    clearTimeout(this.windows[kind]);
    this.windows[kind] = undefined;
    if (this.inFlight[kind] || this.open[kind].size === 0 || this.stopped) return;
    const taken = [...this.open[kind]].slice(0, MAX_BATCH_ENTRIES);
    for (const [transfer] of taken) this.open[kind].delete(transfer);
    const text = formatList(taken.map(([, entry]) => entry.text));
    const entries = taken.map(([, entry]) => entry.text);
    const waiters = new Map(taken.map(([transfer, entry]) => [transfer, entry.waiter]));
    const token = taken[0]![0];
    // /1 names no batch: its answer is keyed by the first entry's transfer id.
    const withToken = () => !this.authority.speaks(authorityFromClient1.name);
    const transmit = (signature: string): void => {
      if (kind === 'pay') this.authority.send('pay', { token, entries, signature });
      else if (kind === 'award') {
        if (withToken()) this.authority.send('award', { token, entries, signature });
        else this.authority.send('award', { entries, signature });
      } else if (withToken()) this.authority.send('settle', { token, entries, signature });
      else this.authority.send('settle', { entries, signature });
    };
    const request: Request = {
      kind, token, size: waiters.size, sends: 0, transmit, signature: sign(this.identity, pointsMessage(kind, text)),
      finish: (outcome) => {
        this.inFlight[kind] = undefined;
        const results = outcome instanceof PointsError ? undefined : outcome['results'] as Record<string, string> | undefined;
        for (const [transfer, waiter] of waiters) {
          if (outcome instanceof PointsError) waiter.reject(outcome);
          else waiter.resolve(results?.[transfer] ?? 'no_result');
        }
        this.flush(kind);
      },
    };
    this.inFlight[kind] = request;
    this.start(request);
  }

  /** An escrow or a release: one request, signed over its words, kept until answered. */
  private single(kind: 'escrow' | 'release', token: string, words: string[], transmit: (signature: string) => void,
    answered: (args: Record<string, unknown>) => void, reject: (error: Error) => void): void {
    if (this.stopped) return reject(new PointsError('STOPPED', 'left the network'));
    const request: Request = {
      kind, token, size: 1, sends: 0, transmit, signature: sign(this.identity, pointsMessage(kind, formatList(words))),
      finish: (outcome) => (outcome instanceof PointsError ? reject(outcome) : answered(outcome)),
    };
    this.start(request);
  }

  private start(request: Request): void {
    this.requests.set(request.token, request);
    void this.send(request);
  }

  /** Sends (or sends again) a request on a live link; with no link it waits for `joined`. */
  private async send(request: Request): Promise<void> {
    const signature = await request.signature;
    if (this.requests.get(request.token) !== request || this.authority.state !== ConnectionState.joined) return;
    if (request.sends >= BATCH_MAX_SENDS) {
      return this.finish(request, new PointsError('NO_ANSWER', `no answer to "${request.kind}" after ${request.sends} sends`));
    }
    if ((request.kind === 'escrow' || request.kind === 'pay' || request.kind === 'release') && !this.authority.speaks(authorityFromClient3.name)) {
      return this.finish(request, new PointsError('UNSUPPORTED',
        `"${request.kind}" needs ${authorityFromClient3.name}; this authority speaks ${this.authority.protocol ?? 'none'}`));
    }
    request.sends += 1;
    try {
      request.transmit(signature);
    } catch {
      return; // the link dropped just now: `joined` sends it again
    }
    clearTimeout(request.timer);
    request.timer = setTimeout(() => void this.send(request), BATCH_RESEND_MS);
  }

  /** Answers the request's callers and forgets it. */
  private finish(request: Request, outcome: Record<string, unknown> | PointsError): void {
    clearTimeout(request.timer);
    this.requests.delete(request.token);
    request.finish(outcome);
  }

  private onJoined(): void {
    for (const request of this.requests.values()) void this.send(request);
    for (const kind of BATCH_KINDS) if (!this.inFlight[kind]) this.flush(kind);
  }

  private onReply({ command, args }: ReplyEventDetail): void {
    if ((ANSWERS as readonly string[]).includes(command)) return this.onAnswer(command as Answer, args);
    const read = this.reads.get(command)?.shift();
    if (!read) return;
    clearTimeout(read.timer);
    read.resolve(args);
  }

  private onAnswer(command: Answer, args: Record<string, unknown>): void {
    const results = args['results'] as Record<string, string> | undefined;
    // /2 and /3 answers name their token; a /1 answer is keyed by the transfer id of its first entry.
    const token = (args['token'] as string | undefined) ?? Object.keys(results ?? {})[0] ?? '';
    const request = this.requests.get(token);
    if (!request) return; // an answer to a request already answered (a resend crossed it)
    if (command === 'refused') {
      return this.finish(request, new PointsError(String(args['code']), `${request.kind} refused: ${String(args['message'])}`));
    }
    this.finish(request, args);
  }

  /** Reads are answered in order; each waits for its own reply or the timeout. */
  private read(command: string, send: () => void): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const queue = this.reads.get(command) ?? [];
      this.reads.set(command, queue);
      const read: Read = {
        resolve, reject,
        timer: setTimeout(() => {
          queue.splice(queue.indexOf(read), 1);
          reject(new PointsError('NO_ANSWER', `no answer to "${command}" within ${POINTS_TIMEOUT_MS} ms`));
        }, POINTS_TIMEOUT_MS),
      };
      try {
        send();
      } catch (error) {
        clearTimeout(read.timer);
        return reject(error instanceof Error ? error : new Error(String(error)));
      }
      queue.push(read);
    });
  }

  private failReads(reason: string): void {
    for (const queue of this.reads.values()) {
      for (const read of queue.splice(0)) {
        clearTimeout(read.timer);
        read.reject(new PointsError('NO_ANSWER', reason));
      }
    }
  }
}
