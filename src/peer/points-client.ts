// A tab's side of the points ledger: balance, history and record, and for clients the signed
// award (escrow for one job) and settle (post, reject or void it).
//
// Awards and settlements are batched: entries wait while a batch of their kind is on its way (at
// least BATCH_WINDOW_MS), then travel together as one command, one signature and one ledger
// transaction. A batch is kept until it is answered: when the authority link drops, it is sent
// again after the rejoin, under the same transfer ids, which the ledger answers with their first
// outcome, so nothing is lost or applied twice. With p2p:authority<-client/2 each batch carries a
// token, and a refusal (`refused token code message`) rejects exactly that batch's requests.
import { sign, type Identity } from '../protocol/identity.ts';
import { parseList } from '../protocol/parse.ts';
import { formatList } from '../protocol/format.ts';
import { MAX_BATCH_ENTRIES, pointsMessage } from '../protocol/protocols/points.ts';
import { authorityFromClient2 } from '../protocol/protocols/index.ts';
import { ConnectionState, type AuthorityConnection, type ReplyEventDetail } from './authority-connection.ts';

/** A read (balance, history, record) is one round trip on a live link; past this it failed. */
export const POINTS_TIMEOUT_MS = 10_000;
/**
 * Awards and settlements wait at least this long to travel together: a fast farm makes hundreds
 * a second, and one batch is one command, one signature and one ledger transaction.
 */
export const BATCH_WINDOW_MS = 10;
/** A batch unanswered on a live link this long is sent again (same ids: idempotent). */
export const BATCH_RESEND_MS = 15_000;
/** Sends of one batch on live links before it counts as refused. */
export const BATCH_MAX_SENDS = 4;

export interface Balance { readonly points: number; readonly held: number }
export interface PointsRecord { readonly jobs: number; readonly valid: number; readonly recent: number }
export interface HistoryEntry { readonly id: string; readonly kind: string; readonly delta: number; readonly at: number; readonly other: string }
export type SettleAction = 'post' | 'reject' | 'void';
type BatchKind = 'award' | 'settle';

/** A points request the authority refused (`code` from the error catalogue), or that got no answer. */
export class PointsError extends Error {
  override readonly name = 'PointsError';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

interface Waiter { resolve: (result: string) => void; reject: (error: Error) => void }

interface Batch {
  readonly kind: BatchKind;
  /** The first entry's transfer id: the /2 token, and the key of a /1 answer. */
  readonly token: string;
  readonly text: string;
  readonly signature: Promise<string>;
  readonly waiters: Map<string, Waiter>;
  sends: number;
  timer?: ReturnType<typeof setTimeout>;
}

interface Read { resolve: (args: Record<string, unknown>) => void; reject: (error: Error) => void; timer: ReturnType<typeof setTimeout> }

export class PointsClient {
  private readonly reads = new Map<string, Read[]>();
  /** Entries waiting for the next batch of their kind. */
  private readonly open: Record<BatchKind, Map<string, { text: string; waiter: Waiter }>> = { award: new Map(), settle: new Map() };
  /** The batch of each kind on its way (one at a time: entries meanwhile gather into the next). */
  private readonly inFlight: Record<BatchKind, Batch | undefined> = { award: undefined, settle: undefined };
  private readonly windows: Record<BatchKind, ReturnType<typeof setTimeout> | undefined> = { award: undefined, settle: undefined };
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

  /** Requests not yet answered: awards and settlements waiting or on their way. */
  get pending(): number {
    const inFlight = (kind: BatchKind) => this.inFlight[kind]?.waiters.size ?? 0;
    return this.open.award.size + this.open.settle.size + inFlight('award') + inFlight('settle');
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

  /** Leaving the network: whatever is unanswered fails now instead of waiting for a rejoin. */
  stop(): void {
    this.stopped = true;
    for (const [type, listener] of this.listeners) this.authority.removeEventListener(type, listener);
    this.failReads('left the network');
    const error = new PointsError('STOPPED', 'left the network before the authority answered');
    for (const kind of ['award', 'settle'] as const) {
      clearTimeout(this.windows[kind]);
      clearTimeout(this.inFlight[kind]?.timer);
      for (const { waiter } of this.open[kind].values()) waiter.reject(error);
      for (const waiter of this.inFlight[kind]?.waiters.values() ?? []) waiter.reject(error);
      this.open[kind].clear();
      this.inFlight[kind] = undefined;
    }
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
    const batch: Batch = {
      kind, token: taken[0]![0], text, sends: 0,
      signature: sign(this.identity, pointsMessage(kind, text)),
      waiters: new Map(taken.map(([transfer, entry]) => [transfer, entry.waiter])),
    };
    this.inFlight[kind] = batch;
    void this.send(batch);
  }

  /** Sends (or sends again) a batch on a live link; with no link it waits for `joined`. */
  private async send(batch: Batch): Promise<void> {
    const signature = await batch.signature;
    if (this.inFlight[batch.kind] !== batch || this.authority.state !== ConnectionState.joined) return;
    if (batch.sends >= BATCH_MAX_SENDS) {
      return this.settleBatch(batch, new PointsError('NO_ANSWER', `no answer to "${batch.kind}" after ${batch.sends} sends`));
    }
    batch.sends += 1;
    const entries = parseList(batch.text);
    try {
      // /2 names the batch with a token; /1 answers under the first entry's transfer id.
      const withToken = this.authority.speaks(authorityFromClient2.name);
      if (batch.kind === 'award') {
        if (withToken) this.authority.send('award', { token: batch.token, entries, signature });
        else this.authority.send('award', { entries, signature });
      } else if (withToken) this.authority.send('settle', { token: batch.token, entries, signature });
      else this.authority.send('settle', { entries, signature });
    } catch {
      return; // the link dropped just now: `joined` sends it again
    }
    clearTimeout(batch.timer);
    batch.timer = setTimeout(() => void this.send(batch), BATCH_RESEND_MS);
  }

  private onJoined(): void {
    for (const kind of ['award', 'settle'] as const) {
      const batch = this.inFlight[kind];
      if (batch) void this.send(batch);
      else this.flush(kind);
    }
  }

  private onReply({ command, args }: ReplyEventDetail): void {
    if (command === 'awarded' || command === 'settled' || command === 'refused') return this.onBatchAnswer(command, args);
    const read = this.reads.get(command)?.shift();
    if (!read) return;
    clearTimeout(read.timer);
    read.resolve(args);
  }

  private onBatchAnswer(command: 'awarded' | 'settled' | 'refused', args: Record<string, unknown>): void {
    const results = args['results'] as Record<string, string> | undefined;
    // /2 answers name their token; a /1 answer is keyed by the transfer id of its first entry.
    const token = (args['token'] as string | undefined) ?? Object.keys(results ?? {})[0] ?? '';
    const batch = [this.inFlight.award, this.inFlight.settle].find((candidate) => candidate?.token === token);
    if (!batch) return; // an answer to a batch already answered (a resend crossed it)
    if (command === 'refused') {
      return this.settleBatch(batch, new PointsError(String(args['code']), `${batch.kind} refused: ${String(args['message'])}`));
    }
    this.settleBatch(batch, results ?? {});
  }

  /** Answers every request of the batch and lets the next batch of its kind go. */
  private settleBatch(batch: Batch, outcome: Record<string, string> | PointsError): void {
    clearTimeout(batch.timer);
    this.inFlight[batch.kind] = undefined;
    for (const [transfer, waiter] of batch.waiters) {
      if (outcome instanceof PointsError) waiter.reject(outcome);
      else waiter.resolve(outcome[transfer] ?? 'no_result');
    }
    this.flush(batch.kind);
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
