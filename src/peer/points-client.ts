// A tab's side of the points ledger: balance, history and record, and for clients the signed
// award (escrow for one job) and settle (post, reject or void it). Answers come back over the
// authority link; award/settle answers carry their transfer id, the others come in order.
import { sign, type Identity } from '../protocol/identity.ts';
import { parseList } from '../protocol/parse.ts';
import { awardMessage, settleMessage } from '../protocol/protocols/points.ts';
import type { AuthorityConnection, ReplyEventDetail } from './authority-connection.ts';

/** An answer from the authority is a round trip on a live link; past this the request failed. */
export const POINTS_TIMEOUT_MS = 10_000;

export interface Balance { readonly points: number; readonly held: number }
export interface Record { readonly jobs: number; readonly valid: number; readonly recent: number }
export interface HistoryEntry { readonly id: string; readonly kind: string; readonly delta: number; readonly at: number; readonly other: string }
export type SettleAction = 'post' | 'reject' | 'void';

type Pending = { resolve: (args: globalThis.Record<string, unknown>) => void; reject: (error: Error) => void };

export class PointsClient {
  private readonly inOrder = new Map<string, Pending[]>();
  private readonly byTransfer = new Map<string, Pending>();
  private counter = 0;

  constructor(private readonly authority: AuthorityConnection, private readonly identity: Identity) {
    authority.addEventListener('reply', (event) => this.onReply((event as CustomEvent<ReplyEventDetail>).detail));
  }

  async balance(): Promise<Balance> {
    const args = await this.ask('balance', ['balance']);
    return { points: args['points'] as number, held: args['held'] as number };
  }

  async record(): Promise<Record> {
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
    const signature = await sign(this.identity, awardMessage(transfer, worker, amount, expiresMs));
    const args = await this.askTransfer(transfer, ['award', transfer, worker, String(amount), String(expiresMs), signature]);
    return { hold: transfer, result: args['result'] as string };
  }

  async settle(hold: string, action: SettleAction, reason?: string): Promise<string> {
    const transfer = this.transferId('s');
    const signature = await sign(this.identity, settleMessage(transfer, hold, action));
    const words = ['settle', ...(reason ? ['-reason', reason] : []), transfer, hold, action, signature];
    return (await this.askTransfer(transfer, words))['result'] as string;
  }

  private transferId(prefix: string): string {
    // Unique across reloads and tabs of one identity: the ledger keeps every id for ever.
    return `${prefix}${Date.now().toString(36)}-${this.identity.id.slice(0, 8)}-${++this.counter}`;
  }

  private ask(command: string, words: string[]): Promise<globalThis.Record<string, unknown>> {
    return this.pending(words, (entry) => {
      const queue = this.inOrder.get(command) ?? [];
      queue.push(entry);
      this.inOrder.set(command, queue);
      return () => queue.splice(queue.indexOf(entry), 1);
    });
  }

  private askTransfer(transfer: string, words: string[]): Promise<globalThis.Record<string, unknown>> {
    return this.pending(words, (entry) => {
      this.byTransfer.set(transfer, entry);
      return () => this.byTransfer.delete(transfer);
    });
  }

  private pending(words: string[], enlist: (entry: Pending) => () => unknown): Promise<globalThis.Record<string, unknown>> {
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
      const transfer = args['transfer'] as string;
      const entry = this.byTransfer.get(transfer);
      this.byTransfer.delete(transfer);
      entry?.resolve(args);
      return;
    }
    this.inOrder.get(command)?.shift()?.resolve(args);
  }
}
