// The points desk of the authority: a client's grant, and the points commands of the authority
// protocols on top of the ledger. Awards and settlements are checked against the signature of the
// key the peer proved at join, so no one spends another's points. Both come in batches: one
// ledger transaction and one signature check per batch, however fast the farm runs; batches of
// all links take turns in one FairQueue, so one link's burst never stalls the others.
import { CommandError, ErrorCode } from '../src/protocol/errors.ts';
import { formatList } from '../src/protocol/format.ts';
import { verify } from '../src/protocol/identity.ts';
import { pointsMessage } from '../src/protocol/protocols/points.ts';
import { checkValue, type ArgType, type ArgSpec } from '../src/protocol/schema.ts';
import type { Ledger, LedgerOp } from './ledger/ledger.ts';
import { REASON_MAX_CHARS } from './ledger/results.ts';
import { FairQueue } from './fair-queue.ts';

type Bounds = Pick<ArgSpec, 'min' | 'max'>;

/** `history` entries sent when the peer gives no -limit. */
const DEFAULT_HISTORY_ENTRIES = 20;
const SETTLE_ACTIONS = ['post', 'reject', 'void'] as const;
type SettleAction = (typeof SETTLE_ACTIONS)[number];

/** Who is asking: the joined peer's id and the public key it proved at join. */
export interface Payer {
  readonly id: string;
  readonly key: string;
}

interface BatchArgs { entries: string[]; signature: string }

/** Each entry's transfer id with its ledger result. */
export type BatchResults = Record<string, string>;

const MAX_AWARD_POINTS = 1_000_000;
/**
 * A batch is applied in transactions of at most this many entries, the event loop free between
 * them: a transaction blocks the authority while it runs (better-sqlite3 is synchronous, and each
 * commit waits for the disk), ~3 ms for 100 entries here against ~30 ms for 1000. Entries are
 * independent (each its own transfer id and outcome), so nothing needs them in one transaction.
 */
export const LEDGER_CHUNK_OPS = 100;
/** A hold must last at least this long to be taken: the ledger's own clock reads a little later. */
const MIN_HOLD_MS = 1000;

/** One entry of a batch: a Tcl dict checked field by field, refused in Tcl wording. */
function entryFields(text: string, index: number): Map<string, string> {
  const words = checkValue('dict', text, { maxItems: 16 }, `entry ${index}`) as Record<string, string>;
  return new Map(Object.entries(words));
}

function field(fields: Map<string, string>, key: string, type: ArgType, index: number, bounds: Bounds = {}): unknown {
  const value = fields.get(key);
  if (value === undefined) throw new CommandError(ErrorCode.WRONG_ARGS, `entry ${index} has no "${key}"`);
  return checkValue(type, value, bounds, `"${key}" of entry ${index}`);
}

function awardOps(client: string, entries: readonly string[]): LedgerOp[] {
  return entries.map((text, index) => {
    const fields = entryFields(text, index);
    const expiresAtMs = field(fields, 'expires', 'int', index, { min: 0 }) as number;
    return {
      op: 'hold', id: field(fields, 'transfer', 'token', index) as string, client,
      worker: field(fields, 'worker', 'id', index) as string,
      amount: field(fields, 'amount', 'int', index, { min: 1, max: MAX_AWARD_POINTS }) as number, expiresAtMs,
    };
  });
}

function settleOps(by: string, entries: readonly string[]): LedgerOp[] {
  return entries.map((text, index) => {
    const fields = entryFields(text, index);
    const op = checkAction(field(fields, 'action', 'word', index) as string);
    const reason = fields.get('reason');
    if (reason !== undefined && reason.length > REASON_MAX_CHARS) {
      throw new CommandError(ErrorCode.ARG_TOO_LONG, `"reason" of entry ${index} is longer than ${REASON_MAX_CHARS} characters`);
    }
    return {
      op, id: field(fields, 'transfer', 'token', index) as string, holdId: field(fields, 'hold', 'token', index) as string, by,
      ...(op === 'reject' && { reason: reason ?? 'result outvoted' }),
    };
  });
}

export class PointsDesk {
  constructor(
    private readonly ledger: Ledger,
    private readonly clock: () => number,
    private readonly queue = new FairQueue(),
    /** Told each ledger request's operation and result (the authority's metrics). */
    private readonly onTransfer: (operation: string, result: string) => void = () => undefined,
  ) {}

  /** Every joined peer has an account, so it can be paid before it ever spends. */
  openAccount(id: string): void {
    this.ledger.openAccount(id);
  }

  /**
   * An identity's one grant, the first time it acts as a client (asks to spend), limited per
   * address and day (anti-Sybil). Workers earn from zero, so a lab of worker tabs behind one
   * address leaves its submitters their grants. Refusals (granted already, address limit) are
   * not errors.
   */
  grantClient(id: string, address: string): void {
    const day = new Date(this.clock()).toISOString().slice(0, 10);
    this.onTransfer('grant', this.ledger.grant(`grant-${id}`, id, this.ledger.options.grantPoints, { ip: address, day }));
  }

  balance(peer: Payer): { points: number; held: number } {
    return { points: this.ledger.balance(peer.id) ?? 0, held: this.ledger.heldBy(peer.id) };
  }

  history(peer: Payer, limit = DEFAULT_HISTORY_ENTRIES): string[] {
    return this.ledger.history(peer.id, limit).map((entry) => formatList([
      'id', entry.transferId ?? '', 'kind', entry.kind, 'delta', String(entry.delta), 'at', String(entry.atMs),
      'other', entry.delta < 0 ? entry.credit : entry.debit,
    ]));
  }

  record(peer: Payer): { jobs: number; valid: number; recent: number } {
    const { jobs, valid, recent } = this.ledger.record(peer.id);
    return { jobs, valid: valid ?? 1, recent: recent ?? 1 };
  }

  /** Holds points for each entry; in turn with every other link's batches. */
  award(link: object, peer: Payer, { entries, signature }: BatchArgs): Promise<BatchResults> {
    return this.queue.run(link, async () => {
      await this.checkSignature(peer, pointsMessage('award', formatList(entries)), signature);
      return this.apply(awardOps(peer.id, entries));
    });
  }

  /** Posts, rejects or voids a hold for each entry; in turn with every other link's batches. */
  settle(link: object, peer: Payer, { entries, signature }: BatchArgs): Promise<BatchResults> {
    return this.queue.run(link, async () => {
      await this.checkSignature(peer, pointsMessage('settle', formatList(entries)), signature);
      return this.apply(settleOps(peer.id, entries));
    });
  }

  /** A link closed: its waiting batches are not run (a retry after rejoin is idempotent). */
  forget(link: object): void {
    this.queue.drop(link);
  }

  /** A batch in chunks of LEDGER_CHUNK_OPS, the event loop free between them; each transfer id paired with its result. */
  private async apply(ops: LedgerOp[]): Promise<BatchResults> {
    const byTransfer: BatchResults = Object.create(null) as BatchResults;
    for (let start = 0; start < ops.length; start += LEDGER_CHUNK_OPS) {
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      this.transact(ops.slice(start, start + LEDGER_CHUNK_OPS), byTransfer);
    }
    return byTransfer;
  }

  /**
   * One ledger transaction. A hold that would already have expired is `hold_expired` unless its id
   * was applied before: a batch sent again after a long outage gets its first outcomes back.
   */
  private transact(ops: LedgerOp[], byTransfer: BatchResults): void {
    const nowMs = this.clock();
    const late = (op: LedgerOp) => op.op === 'hold' && op.expiresAtMs <= nowMs + MIN_HOLD_MS && this.ledger.outcome(op.id) === undefined;
    const ready = ops.filter((op) => !late(op));
    const results = this.ledger.transact(ready);
    ready.forEach((op, i) => (byTransfer[op.id] = results[i]!));
    for (const op of ops) {
      byTransfer[op.id] ??= 'hold_expired';
      this.onTransfer(op.op, byTransfer[op.id]!);
    }
  }

  private async checkSignature(peer: Payer, message: string, signature: string): Promise<void> {
    if (!(await verify(peer.key, message, signature))) {
      const shown = message.length > 80 ? `${message.slice(0, 77)}...` : message;
      throw new CommandError(ErrorCode.BAD_SIGNATURE, `bad signature: sign "${shown}" with the key you joined with`);
    }
  }
}

function checkAction(action: string): SettleAction {
  if ((SETTLE_ACTIONS as readonly string[]).includes(action)) return action as SettleAction;
  throw new CommandError(ErrorCode.BAD_VALUE, `bad action "${action}": must be post, reject, or void`);
}
