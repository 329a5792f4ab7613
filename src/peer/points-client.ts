// A tab's side of the points ledger: balance, history and record, and for clients the signed
// award (escrow for one job) and settle (post, reject or void it). Answers come back over the
// authority link; award/settle answers carry their transfer id, the others come in order.
import { sign, type Identity } from '../protocol/identity.ts';
import { parseList } from '../protocol/parse.ts';
import { formatList } from '../protocol/format.ts';
import { MAX_BATCH_ENTRIES, pointsMessage } from '../protocol/protocols/points.ts';
import type { AuthorityConnection, ReplyEventDetail } from './authority-connection.ts';

/** An answer from the authority is a round trip on a live link; past this the request failed. */
export const POINTS_TIMEOUT_MS = 10_000;
/**
 * Awards and settlements wait this long to travel together: a fast farm makes hundreds a second,
 * and one batch is one command, one signature and one ledger transaction.
 */
export const BATCH_WINDOW_MS = 10;

export interface Balance { readonly points: number; readonly held: number }
export interface PointsRecord { readonly jobs: number; readonly valid: number; readonly recent: number }
export interface HistoryEntry { readonly id: string; readonly kind: string; readonly delta: number; readonly at: number; readonly other: string }
export type SettleAction = 'post' | 'reject' | 'void';

type Pending = { resolve: (args: Record<string, unknown>) => void; reject: (error: Error) => void };

export class PointsClient {
  private readonly inOrder = new Map<string, Pending[]>();
  private readonly byTransfer = new Map<string, Pending>();
  private counter = 0;
  private readonly batches = {
    award: new Batch((entries) => this.sendBatch('award', entries)),
    settle: new Batch((entries) => this.sendBatch('settle', entries)),
  };

  constructor(private readonly authority: AuthorityConnection, private readonly identity: Identity) {
    authority.addEventListener('reply', (event) => this.onReply((event as CustomEvent<ReplyEventDetail>).detail));
  }

  async balance(): Promise<Balance> {
    const args = await this.ask('balance', ['balance']);
    return { points: args['points'] as number, held: args['held'] as number };
  }

  async record(): Promise<PointsRecord> {
    const args = await this.ask('record', ['record']);
    return { jobs: args['jobs'] as number, valid: args['valid'] as number, recent: args['recent'] as number };
  }

  async history(limit = 20): Promise<HistoryEntry[]> {
    const args = await this.ask('history', ['history', '-limit', String(limit)]);
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
    return { hold: transfer, result: await this.batches.award.add(transfer, entry) };
  }

  async settle(hold: string, action: SettleAction, reason?: string): Promise<string> {
    const transfer = this.transferId('s');
    const entry = formatList(['transfer', transfer, 'hold', hold, 'action', action, ...(reason ? ['reason', reason] : [])]);
    return this.batches.settle.add(transfer, entry);
  }

  private transferId(prefix: string): string {
    // Unique across reloads and tabs of one identity: the ledger keeps every id for ever.
    return `${prefix}${Date.now().toString(36)}-${this.identity.id.slice(0, 8)}-${++this.counter}`;
  }

  /** Signs and sends one batch; each entry's result arrives keyed by its transfer id. */
  private async sendBatch(command: 'award' | 'settle', entries: { transfer: string; text: string }[]): Promise<Map<string, string>> {
    const text = formatList(entries.map((entry) => entry.text));
    const signature = await sign(this.identity, pointsMessage(command, text));
    const key = entries[0]!.transfer;
    const args = await this.pending([command, text, signature], (entry) => {
      this.byTransfer.set(key, entry);
      return () => this.byTransfer.delete(key);
    });
    return new Map(Object.entries(args['results'] as Record<string, string>));
  }

  private ask(command: string, words: string[]): Promise<Record<string, unknown>> {
    return this.pending(words, (entry) => {
      const queue = this.inOrder.get(command) ?? [];
      queue.push(entry);
      this.inOrder.set(command, queue);
      return () => queue.splice(queue.indexOf(entry), 1);
    });
  }

  private pending(words: string[], enlist: (entry: Pending) => () => unknown): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      let forget: () => unknown = () => undefined;
      const timer = setTimeout(() => {
        forget();
        reject(new Error(`no answer to "${words[0]}" within ${POINTS_TIMEOUT_MS} ms`));
      }, POINTS_TIMEOUT_MS);
      forget = enlist({
        resolve: (args) => { clearTimeout(timer); resolve(args); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      });
      try {
        this.authority.request(words);
      } catch (error) {
        forget();
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  private onReply({ command, args }: ReplyEventDetail): void {
    if (command === 'awarded' || command === 'settled') {
      // A batch is answered under the transfer id of its first entry.
      const first = Object.keys(args['results'] as object)[0] ?? '';
      const entry = this.byTransfer.get(first);
      this.byTransfer.delete(first);
      entry?.resolve(args);
      return;
    }
    this.inOrder.get(command)?.shift()?.resolve(args);
  }
}

/** Collects entries for BATCH_WINDOW_MS (or MAX_BATCH_ENTRIES) and hands each its own result. */
class Batch {
  private entries: { transfer: string; text: string; resolve: (result: string) => void; reject: (error: Error) => void }[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly send: (entries: { transfer: string; text: string }[]) => Promise<Map<string, string>>) {}

  add(transfer: string, text: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.entries.push({ transfer, text, resolve, reject });
      if (this.entries.length >= MAX_BATCH_ENTRIES) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), BATCH_WINDOW_MS);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.entries;
    this.entries = [];
    if (batch.length === 0) return;
    this.send(batch).then((results) => {
      for (const entry of batch) entry.resolve(results.get(entry.transfer) ?? 'no_result');
    }, (error: unknown) => {
      for (const entry of batch) entry.reject(error instanceof Error ? error : new Error(String(error)));
    });
  }
}
