// A child process for the crash test: `node --import tsx test/helpers/ledger-crasher.ts <dataDir> <run>`.
// Opens the ledger in <dataDir>, prints `ready`, then makes transfers until killed (or the bounds
// below), printing `ack <id> <result>` for each request only after its transaction has committed.
// Even runs call `transact` in a loop (one request or a batch per transaction); odd runs have
// REQUESTERS concurrent requesters going through the group commit, as the authority's links do.
// Requests are job holds and their settlements, and series escrows with payments and releases.
import { writeSync } from 'node:fs';
import { openLedger } from '../../signaling/ledger/database.ts';
import { Ledger, type LedgerOp } from '../../signaling/ledger/ledger.ts';
import { GroupCommit } from '../../signaling/ledger/group-commit.ts';
import { prng } from './prng.ts';

/** The test kills us within 300 ms of `ready`; these only stop a child nobody kills. */
const MAX_REQUESTS = 100_000;
const MAX_RUN_MS = 15_000;
const ACCOUNTS = Array.from({ length: 8 }, (_, i) => `acct-${i}`);
const HOLD_LIFETIME_MS = 60 * 60 * 1000;
const BATCH_SIZE = 10;
const REQUESTERS = 50;
/** A full stdout pipe (the test process busy elsewhere) is waited out this long per try. */
const PIPE_FULL_WAIT_MS = 2;
const pause = new Int32Array(new SharedArrayBuffer(4));

const [dataDir, runText] = process.argv.slice(2);
if (dataDir === undefined || runText === undefined) {
  console.error('usage: ledger-crasher.ts <dataDir> <run>');
  process.exit(2);
}
const run = Number(runText);
const random = prng(1000 + run);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const ledger = new Ledger({ db: openLedger(dataDir), options: { grantPoints: 1000, grantsPerIpPerDay: 1000 } });
for (const account of ACCOUNTS) ledger.grant(`grant-${account}`, account, 1000, { ip: '127.0.0.1', day: 'all' });
say('ready');

const open: { id: string; client: string }[] = [];
const escrows: { id: string; client: string }[] = [];
let serial = 0;
const startedMs = Date.now();
const going = () => serial < MAX_REQUESTS && Date.now() - startedMs < MAX_RUN_MS;
if (run % 2 === 0) {
  while (going()) {
    const ops = Array.from({ length: random() < 0.2 ? BATCH_SIZE : 1 }, nextOp);
    const results = ops.length === 1 ? [ledger.transact(ops)[0]!] : ledger.transact(ops);
    say(ops.map((op, i) => `ack ${op.id} ${results[i]!}`).join('\n'));
  }
} else {
  const group = new GroupCommit({ ledger });
  const requester = async () => {
    while (going()) {
      const op = nextOp();
      say(`ack ${op.id} ${await group.submit(op)}`);
    }
  };
  await Promise.all(Array.from({ length: REQUESTERS }, requester));
}

function nextOp(): LedgerOp {
  const id = `run${run}-${++serial}`;
  const roll = random();
  if (roll < 0.1) {
    const client = pick(ACCOUNTS);
    escrows.push({ id, client });
    return { op: 'escrow', id, client, amount: 1 + Math.floor(random() * 50), expiresAtMs: Date.now() + HOLD_LIFETIME_MS };
  }
  if (roll < 0.3 && escrows.length > 0) {
    const escrow = pick(escrows);
    if (random() < 0.1) {
      escrows.splice(escrows.indexOf(escrow), 1);
      return { op: 'release', id, escrowId: escrow.id, by: escrow.client };
    }
    return { op: 'pay', id, escrowId: escrow.id, by: escrow.client, worker: pick(ACCOUNTS), amount: 1 + Math.floor(random() * 10),
      action: random() < 0.9 ? 'post' : 'reject' };
  }
  if (open.length > 0 && random() < 0.5) {
    const hold = open.splice(Math.floor(random() * open.length), 1)[0]!;
    return { op: random() < 0.8 ? 'post' : 'void', id, holdId: hold.id, by: hold.client };
  }
  const [client, worker] = [pick(ACCOUNTS), pick(ACCOUNTS)];
  if (client !== worker) open.push({ id, client });
  const amount = 1 + Math.floor(random() * 20);
  return { op: 'hold', id, client, worker, amount, expiresAtMs: Date.now() + HOLD_LIFETIME_MS };
}

// Synchronous, so a line is in the pipe before the next transaction starts. Node's stdout pipe is
// non-blocking: when it is full, writeSync throws EAGAIN and the rest must be written again.
function say(lines: string): void {
  let rest = Buffer.from(`${lines}\n`);
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(1, rest));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, PIPE_FULL_WAIT_MS);
    }
  }
}
