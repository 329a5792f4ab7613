// The points desk of the authority: grants at join, and the points commands of the authority
// protocols on top of the ledger. Awards and settlements are checked against the signature of the
// key the peer proved at join, so no one spends another's points.
import { CommandError, ErrorCode } from '../src/protocol/errors.ts';
import { formatList } from '../src/protocol/format.ts';
import type { Reply } from '../src/protocol/handler.ts';
import { verify } from '../src/protocol/identity.ts';
import { awardMessage, settleMessage } from '../src/protocol/protocols/points.ts';
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

interface AwardArgs { transfer: string; worker: string; amount: number; expires: number; signature: string }
interface SettleArgs { transfer: string; hold: string; action: string; signature: string; reason?: string }

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

  async award(peer: Payer, args: AwardArgs): Promise<Reply> {
    await this.checkSignature(peer, awardMessage(args.transfer, args.worker, args.amount, args.expires), args.signature);
    if (args.expires <= this.clock()) throw new CommandError(ErrorCode.BAD_VALUE, `award expires in the past: ${args.expires}`);
    const result = this.ledger.hold(args.transfer, peer.id, args.worker, args.amount, { expiresAtMs: args.expires });
    return ['awarded', args.transfer, result];
  }

  async settle(peer: Payer, args: SettleArgs): Promise<Reply> {
    const action = checkAction(args.action);
    await this.checkSignature(peer, settleMessage(args.transfer, args.hold, action), args.signature);
    const result = action === 'reject'
      ? this.ledger.reject(args.transfer, args.hold, peer.id, args.reason ?? 'result outvoted')
      : this.ledger[action](args.transfer, args.hold, peer.id);
    return ['settled', args.transfer, result];
  }

  private async checkSignature(peer: Payer, message: string, signature: string): Promise<void> {
    if (!(await verify(peer.key, message, signature))) {
      throw new CommandError(ErrorCode.BAD_SIGNATURE, `bad signature: sign "${message}" with the key you joined with`);
    }
  }
}

function checkAction(action: string): SettleAction {
  if ((SETTLE_ACTIONS as readonly string[]).includes(action)) return action as SettleAction;
  throw new CommandError(ErrorCode.BAD_VALUE, `bad action "${action}": must be post, reject, or void`);
}
