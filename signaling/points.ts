// The points desk of the authority: a client's grant, and the points commands of the authority
// protocols on top of the ledger. Awards, settlements, series escrows, payments and releases are
// checked against the signature of the key the peer proved at join, so no one spends another's
// points. A request goes through stages that are each fair across links: its entries are parsed in
// a FairQueue (one request at a time, links in turn); signature checks run side by side (WebCrypto
// works off the event loop); then its ledger requests join the group commit
// (ledger/group-commit.ts), where the requests of every link waiting share one durable transaction,
// each link its share. So one link's burst never stalls the others' answers, and a link's requests
// still reach the ledger in the order they came.
import { CommandError, ErrorCode } from '../src/protocol/errors.ts';
import { formatList } from '../src/protocol/format.ts';
import { verify } from '../src/protocol/identity.ts';
import { pointsMessage, type PointsCommand } from '../src/protocol/protocols/points.ts';
import { checkValue, type ArgType, type ArgSpec } from '../src/protocol/schema.ts';
import type { LedgerOp } from './ledger/ledger.ts';
import type { LedgerStore } from './ledger/store.ts';
import { GroupCommit } from './ledger/group-commit.ts';
import { REASON_MAX_CHARS, type LedgerResult } from './ledger/results.ts';
import { FairQueue, MAX_QUEUED_PER_LINK } from './fair-queue.ts';

type Bounds = Pick<ArgSpec, 'min' | 'max'>;

/** `history` entries sent when the peer gives no -limit. */
const DEFAULT_HISTORY_ENTRIES = 20;
const SETTLE_ACTIONS = ['post', 'reject', 'void'] as const;
const PAY_ACTIONS = ['post', 'reject'] as const;

/** Who is asking: the joined peer's id and the public key it proved at join. */
export interface Payer {
  readonly id: string;
  readonly key: string;
}

interface BatchArgs { entries: string[]; signature: string }
interface EscrowArgs { transfer: string; amount: number; expires: number; signature: string }
interface ReleaseArgs { transfer: string; escrow: string; signature: string }

/** Each entry's transfer id with its ledger result. */
export type BatchResults = Record<string, string>;

/** The most one job may be paid: a hold of `award`, a payment of `pay`. */
const MAX_AWARD_POINTS = 1_000_000;
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

function oneOf<const T extends readonly string[]>(choices: T, value: string): T[number] {
  if ((choices as readonly string[]).includes(value)) return value as T[number];
  const listed = choices.length === 2 ? choices.join(' or ') : `${choices.slice(0, -1).join(', ')}, or ${choices.at(-1)!}`;
  throw new CommandError(ErrorCode.BAD_VALUE, `bad action "${value}": must be ${listed}`);
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
    const op = oneOf(SETTLE_ACTIONS, field(fields, 'action', 'word', index) as string);
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

function payOps(by: string, entries: readonly string[]): LedgerOp[] {
  return entries.map((text, index) => {
    const fields = entryFields(text, index);
    return {
      op: 'pay', id: field(fields, 'transfer', 'token', index) as string, by,
      escrowId: field(fields, 'escrow', 'token', index) as string,
      worker: field(fields, 'worker', 'id', index) as string,
      amount: field(fields, 'amount', 'int', index, { min: 1, max: MAX_AWARD_POINTS }) as number,
      action: oneOf(PAY_ACTIONS, field(fields, 'action', 'word', index) as string),
    };
  });
}

function byTransfer(ops: readonly LedgerOp[], results: readonly LedgerResult[]): BatchResults {
  const answer: BatchResults = Object.create(null) as BatchResults;
  ops.forEach((op, i) => (answer[op.id] = results[i]!));
  return answer;
}

export class PointsDesk {
  /** Every ledger request of every link commits through here, a turn's requests in one transaction. */
  readonly commits: GroupCommit;
  /** Requests of each link not answered yet (checked, or waiting in the group commit). */
  private readonly unanswered = new Map<object, number>();
  /** Per link, settles once its latest request has gone to the group commit (or was refused). */
  private readonly lastSubmitted = new Map<object, Promise<unknown>>();
  /** Links forgotten: what they still had on its way never reaches the ledger. */
  private readonly gone = new WeakSet<object>();

  constructor(
    private readonly ledger: LedgerStore,
    private readonly clock: () => number,
    private readonly queue = new FairQueue(),
    /** Told each ledger request's operation and result (the authority's metrics). */
    private readonly onTransfer: (operation: string, result: string) => void = () => undefined,
  ) {
    this.commits = new GroupCommit({ ledger, clock, screen: async (op, nowMs) => ((await this.late(op, nowMs)) ? 'hold_expired' : undefined) });
  }

  /**
   * A peer joining: every joined peer has an account, so it can be paid before it ever spends.
   * A client also gets its identity's one grant, the first time it acts as a client (asks to
   * spend), limited per address and day (anti-Sybil). Workers earn from zero, so a lab of worker
   * tabs behind one address leaves its submitters their grants. Refusals (granted already,
   * address limit) are not errors.
   */
  async admit(id: string, address: string, client: boolean): Promise<void> {
    await this.ledger.openAccount(id);
    if (!client) return;
    const day = new Date(this.clock()).toISOString().slice(0, 10);
    this.onTransfer('grant', await this.ledger.grant(`grant-${id}`, id, this.ledger.options.grantPoints, { ip: address, day }));
  }

  async balance(peer: Payer): Promise<{ points: number; held: number }> {
    const [points, held] = await Promise.all([this.ledger.balance(peer.id), this.ledger.heldBy(peer.id)]);
    return { points: points ?? 0, held };
  }

  async history(peer: Payer, limit = DEFAULT_HISTORY_ENTRIES): Promise<string[]> {
    return (await this.ledger.history(peer.id, limit)).map((entry) => formatList([
      'id', entry.transferId ?? '', 'kind', entry.kind, 'delta', String(entry.delta), 'at', String(entry.atMs),
      'other', entry.delta < 0 ? entry.credit : entry.debit,
    ]));
  }

  async record(peer: Payer): Promise<{ jobs: number; valid: number; recent: number }> {
    const { jobs, valid, recent } = await this.ledger.record(peer.id);
    return { jobs, valid: valid ?? 1, recent: recent ?? 1 };
  }

  /** Holds points for each entry. */
  async award(link: object, peer: Payer, { entries, signature }: BatchArgs): Promise<BatchResults> {
    const { ops, results } = await this.request(link, peer, 'award', formatList(entries), signature, () => awardOps(peer.id, entries));
    return byTransfer(ops, results);
  }

  /** Posts, rejects or voids a hold for each entry. */
  async settle(link: object, peer: Payer, { entries, signature }: BatchArgs): Promise<BatchResults> {
    const { ops, results } = await this.request(link, peer, 'settle', formatList(entries), signature, () => settleOps(peer.id, entries));
    return byTransfer(ops, results);
  }

  /** Holds a series' budget in one hold for no worker yet; its id is the transfer id. */
  async escrow(link: object, peer: Payer, { transfer, amount, expires, signature }: EscrowArgs): Promise<string> {
    const signed = formatList([transfer, String(amount), String(expires)]);
    const { results } = await this.request(link, peer, 'escrow', signed, signature,
      () => [{ op: 'escrow', id: transfer, client: peer.id, amount, expiresAtMs: expires }]);
    return results[0]!;
  }

  /** Pays accepted results from series holds, or counts outvoted ones against their workers. */
  async pay(link: object, peer: Payer, { entries, signature }: BatchArgs): Promise<BatchResults> {
    const { ops, results } = await this.request(link, peer, 'pay', formatList(entries), signature, () => payOps(peer.id, entries));
    return byTransfer(ops, results);
  }

  /** Ends a series hold; `amount` is what went back to the client (0 unless the result is ok). */
  async release(link: object, peer: Payer, { transfer, escrow, signature }: ReleaseArgs): Promise<{ result: string; amount: number }> {
    const { results } = await this.request(link, peer, 'release', formatList([transfer, escrow]), signature,
      () => [{ op: 'release', id: transfer, escrowId: escrow, by: peer.id }]);
    return { result: results[0]!, amount: await this.ledger.released(escrow, results[0]!) };
  }

  /** A link closed: its waiting requests are not run and never answered (a retry after rejoin is idempotent). */
  forget(link: object): void {
    this.gone.add(link);
    this.queue.drop(link);
    this.commits.drop(link);
    this.unanswered.delete(link);
    this.lastSubmitted.delete(link);
  }

  /**
   * One signed request of `link`: admitted (at most MAX_QUEUED_PER_LINK unanswered per link),
   * parsed in turn with other links' requests while its signature is checked, then committed with
   * the group once the link's earlier requests went. A bad signature is refused before a bad entry.
   */
  private async request(link: object, peer: Payer, command: PointsCommand, signed: string, signature: string,
    toOps: () => LedgerOp[]): Promise<{ ops: LedgerOp[]; results: LedgerResult[] }> {
    const waiting = this.unanswered.get(link) ?? 0;
    if (waiting >= MAX_QUEUED_PER_LINK) {
      throw new CommandError(ErrorCode.BUSY, `too many requests waiting on this link (${MAX_QUEUED_PER_LINK}): wait for the answers first`);
    }
    this.unanswered.set(link, waiting + 1);
    try {
      const checked = await this.queue.run(link, () => {
        const verified = this.checkSignature(peer, pointsMessage(command, signed), signature);
        verified.catch(() => undefined); // awaited below, maybe after it failed
        try {
          return { verified, ops: toOps() };
        } catch (error) {
          return { verified, error };
        }
      });
      const earlier = this.lastSubmitted.get(link);
      const submitted = (async () => {
        await earlier?.catch(() => undefined);
        await checked.verified;
        if (checked.ops === undefined) throw checked.error;
        if (this.gone.has(link)) return new Promise<never>(() => undefined); // closed meanwhile: nobody to answer
        return { ops: checked.ops, results: this.commits.submitAll(checked.ops, link) };
      })();
      this.lastSubmitted.set(link, submitted);
      try {
        const { ops, results: committed } = await submitted;
        const results = await committed;
        ops.forEach((op, i) => this.onTransfer(op.op, results[i]!));
        return { ops, results };
      } finally {
        if (this.lastSubmitted.get(link) === submitted) this.lastSubmitted.delete(link);
      }
    } finally {
      const left = (this.unanswered.get(link) ?? 1) - 1;
      if (left > 0) this.unanswered.set(link, left);
      else this.unanswered.delete(link);
    }
  }

  /**
   * A hold or escrow that would already have expired at its commit is `hold_expired`, unless its id
   * was applied before: a request sent again after a long outage gets its first outcome back.
   */
  private async late(op: LedgerOp, nowMs: number): Promise<boolean> {
    return (op.op === 'hold' || op.op === 'escrow') && op.expiresAtMs <= nowMs + MIN_HOLD_MS &&
      await this.ledger.outcome(op.id) === undefined;
  }

  private async checkSignature(peer: Payer, message: string, signature: string): Promise<void> {
    if (!(await verify(peer.key, message, signature))) {
      const shown = message.length > 80 ? `${message.slice(0, 77)}...` : message;
      throw new CommandError(ErrorCode.BAD_SIGNATURE, `bad signature: sign "${shown}" with the key you joined with`);
    }
  }
}
