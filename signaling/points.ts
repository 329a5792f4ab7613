// The points desk of the authority: grants at join, and the points commands of the authority
// protocols on top of the ledger. Awards and settlements are checked against the signature of the
// key the peer proved at join, so no one spends another's points. Both come in batches: one
// ledger transaction and one signature check per batch, however fast the farm runs.
import { CommandError, ErrorCode } from '../src/protocol/errors.ts';
import { formatList } from '../src/protocol/format.ts';
import type { Reply } from '../src/protocol/handler.ts';
import { verify } from '../src/protocol/identity.ts';
import { pointsMessage } from '../src/protocol/protocols/points.ts';
import { checkValue, type ArgType, type ArgSpec } from '../src/protocol/schema.ts';
import type { LedgerOp } from './ledger/ledger.ts';
import { REASON_MAX_CHARS } from './ledger/results.ts';

type Bounds = Pick<ArgSpec, 'min' | 'max'>;
import type { Ledger } from './ledger/ledger.ts';

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

const MAX_AWARD_POINTS = 1_000_000;

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

function awardOps(client: string, entries: readonly string[], nowMs: number): LedgerOp[] {
  return entries.map((text, index) => {
    const fields = entryFields(text, index);
    const expiresAtMs = field(fields, 'expires', 'int', index, { min: 0 }) as number;
    if (expiresAtMs <= nowMs) throw new CommandError(ErrorCode.BAD_VALUE, `entry ${index} expires in the past: ${expiresAtMs}`);
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
  constructor(private readonly ledger: Ledger, private readonly clock: () => number) {}

  /** A new identity's one grant, limited per address and day (anti-Sybil); refusals are not errors. */
  onJoin(id: string, address: string): void {
    this.ledger.openAccount(id);
    const day = new Date(this.clock()).toISOString().slice(0, 10);
    this.ledger.grant(`grant-${id}`, id, this.ledger.options.grantPoints, { ip: address, day });
  }

  balance(peer: Payer): Reply {
    const points = this.ledger.balance(peer.id) ?? 0;
    const held = this.ledger.holds(peer.id).filter((h) => h.client === peer.id).reduce((sum, h) => sum + h.amount, 0);
    return ['balance', String(points), String(held)];
  }

  history(peer: Payer, limit = DEFAULT_HISTORY_ENTRIES): Reply {
    const entries = this.ledger.history(peer.id, limit).map((entry) => formatList([
      'id', entry.transferId ?? '', 'kind', entry.kind, 'delta', String(entry.delta), 'at', String(entry.atMs),
      'other', entry.delta < 0 ? entry.credit : entry.debit,
    ]));
    return ['history', formatList(entries)];
  }

  record(peer: Payer): Reply {
    const { jobs, valid, recent } = this.ledger.record(peer.id);
    return ['record', String(jobs), String(valid ?? 1), String(recent ?? 1)];
  }

  async award(peer: Payer, { entries, signature }: BatchArgs): Promise<Reply> {
    await this.checkSignature(peer, pointsMessage('award', formatList(entries)), signature);
    return this.run('awarded', awardOps(peer.id, entries, this.clock()));
  }

  async settle(peer: Payer, { entries, signature }: BatchArgs): Promise<Reply> {
    await this.checkSignature(peer, pointsMessage('settle', formatList(entries)), signature);
    return this.run('settled', settleOps(peer.id, entries));
  }

  /** One batch, one ledger transaction; the reply pairs each transfer id with its result. */
  private run(reply: string, ops: LedgerOp[]): Reply {
    const results = this.ledger.transact(ops);
    return [reply, formatList(ops.flatMap((op, i) => [op.id, results[i]!]))];
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
