// Group commit: ledger requests that arrive in the same event-loop turn share one durable
// transaction. Each commit waits for the disk (WAL, synchronous=FULL), so one commit per request
// caps the authority at a few thousand requests a second; one per turn costs a request its CPU only.
//
// `submit` queues a request under a source (a link) and answers it, with its own result, once the
// transaction holding it has committed: nothing is answered that a kill -9 could lose. A commit
// runs at setImmediate and takes at most `maxOps` requests, the sources in turn, each a fair share
// of the room (room / sources waiting, at least one) and at most `maxPerSource`: a source with
// thousands waiting never holds up another's one. Between commits the event loop reads the sockets.
// One commit is in flight at a time (on PostgreSQL it waits for the server): what arrives meanwhile
// waits for the next, so each commit's group is as large as the store's speed makes it.
import type { Ledger } from './ledger.ts';
import { checkOp, type LedgerOp } from './ops.ts';
import type { LedgerResult } from './results.ts';

/**
 * Requests per transaction at most: a commit blocks the authority while it runs (better-sqlite3 is
 * synchronous), ~3 ms for 100 requests here; past ~100 the commit's fsync is a small part of it.
 */
export const GROUP_COMMIT_MAX_OPS = 100;
/** One source's requests per transaction at most (its fair share is smaller when others wait). */
export const GROUP_COMMIT_MAX_PER_SOURCE = 100;

export interface GroupCommitDeps {
  /** The synchronous SQLite Ledger or any LedgerStore (store.ts). */
  readonly ledger: { [M in 'transact' | 'transactEach']: (...args: Parameters<Ledger[M]>) => ReturnType<Ledger[M]> | Promise<ReturnType<Ledger[M]>> };
  readonly clock?: () => number;
  /**
   * Answers a request at its commit without the ledger, or undefined to let the ledger answer
   * (the points desk: a hold whose expiry has passed by then). Runs just before the transaction.
   */
  readonly screen?: (op: LedgerOp, nowMs: number) => LedgerResult | undefined | Promise<LedgerResult | undefined>;
  readonly maxOps?: number;
  readonly maxPerSource?: number;
}

interface Waiting {
  readonly op: LedgerOp;
  readonly resolve: (result: LedgerResult) => void;
  readonly reject: (error: Error) => void;
}

/** One source's requests, oldest first; `head` skips the ones taken (no O(n) shift). */
interface SourceQueue {
  items: Waiting[];
  head: number;
}

/** Submissions with no source of their own share this one. */
const ANONYMOUS = {};

export class GroupCommit {
  /** Transactions committed, and the requests they held: what the tests count. */
  commits = 0;
  committed = 0;
  private readonly queues = new Map<object, SourceQueue>();
  /** Sources with requests waiting, in turn order; each is here once. */
  private turns: object[] = [];
  private scheduled = false;
  private committing = false;
  private readonly ledger: GroupCommitDeps['ledger'];
  private readonly clock: () => number;
  private readonly screen: GroupCommitDeps['screen'];
  private readonly maxOps: number;
  private readonly maxPerSource: number;

  constructor({ ledger, clock = Date.now, screen, maxOps = GROUP_COMMIT_MAX_OPS, maxPerSource = GROUP_COMMIT_MAX_PER_SOURCE }: GroupCommitDeps) {
    if (!Number.isSafeInteger(maxOps) || maxOps < 1 || !Number.isSafeInteger(maxPerSource) || maxPerSource < 1) {
      throw new Error(`GroupCommit: maxOps and maxPerSource must be positive integers; got ${maxOps} and ${maxPerSource}`);
    }
    this.ledger = ledger;
    this.clock = clock;
    this.screen = screen;
    this.maxOps = maxOps;
    this.maxPerSource = maxPerSource;
  }

  /** Requests waiting for a commit. */
  get waiting(): number {
    let count = 0;
    for (const queue of this.queues.values()) count += queue.items.length - queue.head;
    return count;
  }

  /**
   * Queues one request; resolves with its result once committed. A malformed request (our own bug)
   * rejects at once with LedgerUsageError and is never queued.
   */
  submit(op: LedgerOp, source: object = ANONYMOUS): Promise<LedgerResult> {
    try {
      checkOp(op);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise((resolve, reject) => {
      let queue = this.queues.get(source);
      if (queue === undefined) {
        queue = { items: [], head: 0 };
        this.queues.set(source, queue);
        this.turns.push(source);
      }
      queue.items.push({ op, resolve, reject });
      this.schedule();
    });
  }

  /** Queues requests in order; resolves with their results, in order, once all are committed. */
  submitAll(ops: readonly LedgerOp[], source: object = ANONYMOUS): Promise<LedgerResult[]> {
    return Promise.all(ops.map((op) => this.submit(op, source)));
  }

  /** Forgets a closed source's waiting requests; their promises never settle (nobody is listening). */
  drop(source: object): void {
    if (!this.queues.delete(source)) return;
    this.turns = this.turns.filter((turn) => turn !== source);
  }

  private schedule(): void {
    if (this.scheduled || this.committing) return;
    this.scheduled = true;
    // setImmediate runs after the I/O of this turn: every request read in it joins the commit.
    setImmediate(() => {
      this.scheduled = false;
      this.committing = true;
      void this.commit(this.take()).finally(() => {
        this.committing = false;
        if (this.turns.length > 0) this.schedule();
      });
    });
  }

  /** The next commit's requests: sources in turn, each its share of the room. */
  private take(): Waiting[] {
    const taken: Waiting[] = [];
    const perSource = new Map<object, number>();
    const later: object[] = [];
    while (taken.length < this.maxOps && this.turns.length > 0) {
      const room = this.maxOps - taken.length;
      const source = this.turns.shift()!;
      const queue = this.queues.get(source)!;
      const already = perSource.get(source) ?? 0;
      const share = Math.min(Math.ceil(room / (this.turns.length + 1)), this.maxPerSource - already);
      const end = Math.min(queue.head + share, queue.items.length);
      for (let i = queue.head; i < end; i++) taken.push(queue.items[i]!);
      perSource.set(source, already + end - queue.head);
      queue.head = end;
      if (queue.head === queue.items.length) this.queues.delete(source);
      else if (already + share >= this.maxPerSource) later.push(source);
      else this.turns.push(source);
      if (queue.head > 1024 && queue.head * 2 > queue.items.length) {
        queue.items = queue.items.slice(queue.head);
        queue.head = 0;
      }
    }
    this.turns.push(...later);
    return taken;
  }

  /**
   * One transaction for the group. When it throws (a request the ledger refuses to run, our bug),
   * nothing of it was written: it runs again with each request in its own savepoint, so only the
   * faulty one fails. When that throws too (the disk), every request of the group fails.
   */
  private async commit(group: Waiting[]): Promise<void> {
    if (group.length === 0) return;
    const nowMs = this.clock();
    const ready: Waiting[] = [];
    for (const waiting of group) {
      let early: LedgerResult | undefined;
      try {
        early = await this.screen?.(waiting.op, nowMs);
      } catch (error) {
        waiting.reject(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      if (early === undefined) ready.push(waiting);
      else waiting.resolve(early);
    }
    if (ready.length === 0) return;
    const ops = ready.map((waiting) => waiting.op);
    let results: (LedgerResult | Error)[];
    try {
      results = await this.ledger.transact(ops);
    } catch {
      try {
        results = await this.ledger.transactEach(ops);
      } catch (error) {
        for (const waiting of ready) waiting.reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
    }
    this.commits += 1;
    this.committed += ready.length;
    ready.forEach((waiting, i) => {
      const result = results[i]!;
      if (result instanceof Error) waiting.reject(result);
      else waiting.resolve(result);
    });
  }
}
