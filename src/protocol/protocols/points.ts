// Points commands of the authority protocols (DESIGN.md section 5): balance, history and record
// for everyone; award and settle, and (/3) the series escrow, pay and release, signed with the
// peer's key, for clients. Catalogue: docs/PROTOCOL.md.
import type { CommandSpec } from '../schema.ts';

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

/** Requests one `award` or `settle` batch carries at most: one ledger transaction each. */
export const MAX_BATCH_ENTRIES = 1000;

export const award = {
  args: [{ name: 'entries', type: 'list', maxItems: MAX_BATCH_ENTRIES, maxBytes: 256 * 1024 }, signature],
  reply: 'awarded',
  doc: 'Holds points of this client in escrow, one hold per entry, a dict `transfer T worker W amount A expires E` ' +
    '(E in ms since 1970); the hold id is the transfer id. Signed: `peerfarm award <entries>` (the canonical list).',
} as const satisfies CommandSpec;

export const settle = {
  args: [{ name: 'entries', type: 'list', maxItems: MAX_BATCH_ENTRIES, maxBytes: 256 * 1024 }, signature],
  reply: 'settled',
  doc: 'Settles holds, one per entry `transfer T hold H action A ?reason R?`: `post` pays the worker (an accepted ' +
    'result), `reject` returns the points and counts against the worker (an outvoted result), `void` returns them ' +
    '(nothing done). Signed: `peerfarm settle <entries>`.',
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
  args: [{ name: 'results', type: 'dict', maxItems: 2 * MAX_BATCH_ENTRIES }],
  reply: '',
  doc: 'The outcome of each award, `transfer result ...`: ok, exists, insufficient_points, self_payment, ' +
    'unknown_account, bad_amount.',
} as const satisfies CommandSpec;

export const settled = {
  args: [{ name: 'results', type: 'dict', maxItems: 2 * MAX_BATCH_ENTRIES }],
  reply: '',
  doc: 'The outcome of each settlement, `transfer result ...`: ok, exists, no_such_hold, not_your_hold, hold_posted, ' +
    'hold_voided, hold_expired.',
} as const satisfies CommandSpec;

/** Names a points request in /2, so its answer is matched to it whatever order answers come in. */
const requestToken = { name: 'token', type: 'token' } as const;

export const awardWithToken = {
  ...award,
  args: [requestToken, ...award.args],
  doc: `${award.doc} Answered \`awarded token results\` or \`refused token code message\`.`,
} as const satisfies CommandSpec;

export const settleWithToken = {
  ...settle,
  args: [requestToken, ...settle.args],
  doc: `${settle.doc} Answered \`settled token results\` or \`refused token code message\`.`,
} as const satisfies CommandSpec;

export const awardedWithToken = { ...awarded, args: [requestToken, ...awarded.args] } as const satisfies CommandSpec;
export const settledWithToken = { ...settled, args: [requestToken, ...settled.args] } as const satisfies CommandSpec;

export const refused = {
  args: [requestToken, { name: 'code', type: 'word', maxBytes: 32 }, { name: 'message', type: 'string', maxBytes: 4096 }],
  reply: '',
  doc: 'The points request `token` was refused as a whole and changed nothing: `code` is from the error catalogue ' +
    '(BAD_SIGNATURE, BAD_VALUE, BUSY, ...), `message` says why.',
} as const satisfies CommandSpec;

/** A series' budget escrowed at most in one hold (a safe integer, far above any grant). */
export const MAX_ESCROW_POINTS = 1_000_000_000;

export const escrow = {
  args: [requestToken, { name: 'transfer', type: 'token' }, { name: 'amount', type: 'int', min: 1, max: MAX_ESCROW_POINTS },
    { name: 'expires', type: 'int', min: 0 }, signature],
  reply: 'escrowed',
  doc: 'Holds `amount` points of this client for a whole series, for no worker yet, until `expires` (ms since 1970) ' +
    'or its release; the escrow id is the transfer id. Signed: `peerfarm escrow <transfer> <amount> <expires>` ' +
    '(the words as sent). Answered `escrowed token result` or `refused token code message`.',
} as const satisfies CommandSpec;

export const pay = {
  args: [requestToken, { name: 'entries', type: 'list', maxItems: MAX_BATCH_ENTRIES, maxBytes: 256 * 1024 }, signature],
  reply: 'paid',
  doc: 'Judged results of a series, one per entry `transfer T escrow E worker W amount A action post|reject`: `post` ' +
    'pays A from the escrow E to W (an accepted result), `reject` pays nothing and counts against W (an outvoted ' +
    'result). Signed: `peerfarm pay <entries>`. Answered `paid token results` or `refused token code message`.',
} as const satisfies CommandSpec;

export const release = {
  args: [requestToken, { name: 'transfer', type: 'token' }, { name: 'escrow', type: 'token' }, signature],
  reply: 'released',
  doc: 'Ends the series escrow `escrow`: what is left goes back to this client. Signed: `peerfarm release ' +
    '<transfer> <escrow>`. Answered `released token result amount` or `refused token code message`.',
} as const satisfies CommandSpec;

const result = { name: 'result', type: 'word', maxBytes: 32 } as const;

export const escrowed = {
  args: [requestToken, result],
  reply: '',
  doc: 'The outcome of an escrow: ok, exists, insufficient_points, unknown_account, bad_amount, hold_expired ' +
    '(its expiry had passed when it arrived).',
} as const satisfies CommandSpec;

export const paid = {
  args: [requestToken, { name: 'results', type: 'dict', maxItems: 2 * MAX_BATCH_ENTRIES }],
  reply: '',
  doc: 'The outcome of each payment, `transfer result ...`: ok, exists, over_budget (more than the escrow has left), ' +
    'no_such_hold, not_your_hold, hold_released, hold_expired, bad_amount, self_payment, unknown_account.',
} as const satisfies CommandSpec;

export const released = {
  args: [requestToken, result, { name: 'amount', type: 'int', min: 0 }],
  reply: '',
  doc: 'The outcome of a release and the points it gave back: ok, exists, no_such_hold, not_your_hold, ' +
    'hold_released (released before), hold_expired (its expiry gave them back; amount 0).',
} as const satisfies CommandSpec;

/** The signed points requests. */
export type PointsCommand = 'award' | 'settle' | 'escrow' | 'pay' | 'release';

/**
 * What a peer signs for a points request: the command and its entries (or, for escrow and
 * release, its arguments) in canonical list form (what formatList writes, so both sides derive
 * the same text from the parsed words).
 */
export function pointsMessage(command: PointsCommand, entriesText: string): string {
  return `peerfarm ${command} ${entriesText}`;
}

/** What a worker signs for a job result, so a client can prove who returned what. */
export function resultMessage(series: string, lease: string, value: string): string {
  return `peerfarm result ${series} ${lease} ${value}`;
}
