// Points commands of the authority protocols (DESIGN.md section 5): balance, history and record
// for everyone; award and settle, signed with the peer's key, for clients. Catalogue: docs/PROTOCOL.md.
import type { CommandSpec } from '../schema.ts';

/** Transfer ids are chosen by the requester, unique per request: a retry reuses its id. */
const transfer = { name: 'transfer', type: 'token' } as const;
const hold = { name: 'hold', type: 'token' } as const;
const signature = { name: 'signature', type: 'base64', maxBytes: 256 } as const;
/** Entries one `history` reply carries at most. */
export const HISTORY_MAX_ENTRIES = 200;

export const balance = {
  args: [],
  reply: 'balance',
  doc: 'Asks for this peer\'s balance.',
} as const satisfies CommandSpec;

export const history = {
  args: [],
  options: { '-limit': { type: 'int', min: 1, max: HISTORY_MAX_ENTRIES } },
  reply: 'history',
  doc: `Asks for the latest ledger entries of this peer (20 by default, ${HISTORY_MAX_ENTRIES} at most).`,
} as const satisfies CommandSpec;

export const record = {
  args: [],
  reply: 'record',
  doc: 'Asks for this worker\'s record: jobs done, valid share, recent valid share (7-day half-life).',
} as const satisfies CommandSpec;

export const award = {
  args: [transfer, { name: 'worker', type: 'id' }, { name: 'amount', type: 'int', min: 1, max: 1_000_000 },
    { name: 'expires', type: 'int', min: 0 }, signature],
  reply: 'awarded',
  doc: 'Holds `amount` points of this client in escrow for `worker` until `expires` (ms since 1970); the hold id is ' +
    'the transfer id. Signed: `peerfarm award <transfer> <worker> <amount> <expires>`.',
} as const satisfies CommandSpec;

export const settle = {
  args: [transfer, hold, { name: 'action', type: 'word', maxBytes: 8 }, signature],
  options: { '-reason': { type: 'string', maxBytes: 200 } },
  reply: 'settled',
  doc: '`post` pays the hold to its worker (an accepted result), `reject` returns it and counts against the worker ' +
    '(an outvoted result), `void` returns it (nothing done). Signed: `peerfarm settle <transfer> <hold> <action>`.',
} as const satisfies CommandSpec;

export const balanceReply = {
  args: [{ name: 'points', type: 'int', min: 0 }, { name: 'held', type: 'int', min: 0 }],
  reply: '',
  doc: 'Points free to spend, and points held in escrow for awarded jobs.',
} as const satisfies CommandSpec;

export const historyReply = {
  args: [{ name: 'entries', type: 'list', maxItems: HISTORY_MAX_ENTRIES }],
  reply: '',
  doc: 'Ledger entries, newest first, each a dict `id kind delta at other`.',
} as const satisfies CommandSpec;

export const recordReply = {
  args: [{ name: 'jobs', type: 'int', min: 0 }, { name: 'valid', type: 'number', min: 0, max: 1 },
    { name: 'recent', type: 'number', min: 0, max: 1 }],
  reply: '',
  doc: 'A worker\'s record; a worker with no judged job reports valid and recent as 1.',
} as const satisfies CommandSpec;

export const awarded = {
  args: [transfer, { name: 'result', type: 'word', maxBytes: 32 }],
  reply: '',
  doc: 'The outcome of `award`: ok, exists, insufficient_points, self_payment, unknown_account, bad_amount.',
} as const satisfies CommandSpec;

export const settled = {
  args: [transfer, { name: 'result', type: 'word', maxBytes: 32 }],
  reply: '',
  doc: 'The outcome of `settle`: ok, exists, no_such_hold, not_your_hold, hold_posted, hold_voided, hold_expired.',
} as const satisfies CommandSpec;

/** What a peer signs for a points request: the command's words, so nothing else can be passed off. */
export function awardMessage(transferId: string, worker: string, amount: number, expires: number): string {
  return `peerfarm award ${transferId} ${worker} ${amount} ${expires}`;
}

export function settleMessage(transferId: string, holdId: string, action: string): string {
  return `peerfarm settle ${transferId} ${holdId} ${action}`;
}
