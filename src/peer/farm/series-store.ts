// Keeps this browser's series in IndexedDB as they run, so a closed or reloaded submit tab loses
// nothing (docs/JOBS.md, "Series that outlive the tab"): each series' request, its accepted
// results, the payments it owes and the escrows it holds. A series' writes gather for a short
// window and commit in one transaction as two objects: the batch's results in one flat array (a
// put per result cost the page ~0.05 ms each, measured), and the series' own record, which carries
// the payments not yet answered (a few batches' worth at any time).
//
// Nothing is paid before it is written down: a payment is recorded, under the transfer id it will
// be sent with, before it goes to the ledger (payroll.ts waits for the commit). A tab that closes
// after that sends it again on resume under the same id, which the ledger answers with its first
// outcome: paid once, never twice.
import { idbRequest } from '../indexed-db.ts';
import type { SubmitRequest } from './submit-request.ts';
import { randomTag } from '../../protocol/random.ts';

const DB_NAME = 'peerfarm-series';
const DB_VERSION = 1;
const SERIES = 'series';
const RESULTS = 'results';
/** How long a series' writes gather before they commit together. */
export const JOURNAL_FLUSH_MS = 20;

/** What a series was asked with: everything but the hand-picked workers, who may be gone on resume. */
export type StoredRequest = Omit<SubmitRequest, 'workers'>;

export type StoredState = 'unfinished' | 'done' | 'cancelled';

export interface StoredSeries {
  readonly id: string;
  readonly created: number;
  updated: number;
  readonly request: StoredRequest;
  /** Jobs in the series (after grouping). */
  readonly total: number;
  state: StoredState;
  /** Jobs with an accepted result written down. */
  computed: number;
  /** Points paid to workers (answered `ok` by the ledger). */
  paid: number;
  /** Why it stopped last, when it did not finish. */
  error?: string;
  /** Escrows opened for it and not released yet: released on resume, cancel or finish. */
  escrows: string[];
  /** Payments written down and not yet answered by the ledger: what a closed tab owed. */
  owed: OwedPayment[];
  /** Batches of results written so far: the next batch's number. */
  chunks: number;
}

/** One batch of a series' results, flat: `index, text, worker` for each. */
interface ResultChunk {
  readonly series: string;
  readonly chunk: number;
  readonly entries: readonly (string | number)[];
}

export interface StoredResult {
  readonly series: string;
  readonly index: number;
  /** The accepted result's JSON text. */
  readonly text: string;
  readonly worker: string;
}

/** A payment for an accepted result, recorded before it is sent. */
export interface OwedPayment {
  readonly transfer: string;
  readonly escrow: string;
  readonly worker: string;
  readonly amount: number;
  readonly job: number;
}

/** What a running series writes down (ClientRole hands it to the foreman and the payroll). */
export interface SeriesJournal {
  /** Names this series' payments: transfer ids derive from it. */
  readonly key: string;
  result(index: number, text: string, worker: string): void;
  /** Resolves once the payment is written down (or writing failed: the worker is paid all the same). */
  paying(payment: OwedPayment): Promise<void>;
  /** The ledger answered the payment; `paid` when it moved points. */
  settled(transfer: string, paid: number): void;
  funded(escrow: string): void;
  released(escrow: string): void;
}


/**
 * Where a client keeps its series: this browser's IndexedDB (SeriesStore below), or files in Node
 * (src/node/file-series-store.ts). ClientRole sees only this.
 */
export interface SeriesStorage {
  /** Every series kept, newest first. */
  list(): Promise<StoredSeries[]>;
  get(id: string): Promise<StoredSeries | undefined>;
  results(id: string): Promise<StoredResult[]>;
  /** Writes down a new series about to run. */
  create(request: StoredRequest, total: number): Promise<StoredSeries>;
  delete(id: string): Promise<void>;
  /** The journal of a series this client runs: `record` is kept current with what it writes. */
  journal(record: StoredSeries, onError?: (message: string) => void): BufferedJournal;
  /** Takes the series' lock until the returned function is called; rejects when another client holds it. */
  lock(id: string): Promise<() => Promise<void>>;
  /** Ids of the series another client of this store runs now. */
  runningElsewhere(): Promise<Set<string>>;
  /** Commits a batch of a journal's writes with its record, at once. */
  commit(record: StoredSeries, entries: readonly (string | number)[]): Promise<void>;
}

export class SeriesStore implements SeriesStorage {
  private db: Promise<IDBDatabase> | undefined;
  /** Series whose lock this tab holds. */
  private readonly held = new Set<string>();

  /** A store in this browser's IndexedDB, or undefined where there is none (some private windows). */
  static open(): SeriesStore | undefined {
    return typeof indexedDB === 'undefined' ? undefined : new SeriesStore();
  }

  /** Every series kept, newest first. */
  async list(): Promise<StoredSeries[]> {
    const all = await this.read(SERIES, (store) => store.getAll() as IDBRequest<StoredSeries[]>);
    return all.sort((a, b) => b.created - a.created);
  }

  get(id: string): Promise<StoredSeries | undefined> {
    return this.read(SERIES, (store) => store.get(id) as IDBRequest<StoredSeries | undefined>);
  }

  async results(id: string): Promise<StoredResult[]> {
    const chunks = await this.read(RESULTS, (store) => store.getAll(ofSeries(id)) as IDBRequest<ResultChunk[]>);
    return chunks.flatMap(({ entries }) => chunkResults(id, entries));
  }

  /** Writes down a new series about to run. */
  async create(request: StoredRequest, total: number): Promise<StoredSeries> {
    const record = newSeriesRecord(request, total);
    await this.write([SERIES], (tx) => tx.objectStore(SERIES).add(record));
    return record;
  }

  /** Saves the record's own fields (state, error, counts). */
  async update(record: StoredSeries): Promise<void> {
    record.updated = Date.now();
    await this.write([SERIES], (tx) => tx.objectStore(SERIES).put(record));
  }

  async delete(id: string): Promise<void> {
    await this.write([SERIES, RESULTS], (tx) => {
      tx.objectStore(SERIES).delete(id);
      tx.objectStore(RESULTS).delete(ofSeries(id));
    });
  }

  /** The journal of a series this tab runs: `record` is kept current with what it writes. */
  journal(record: StoredSeries, onError: (message: string) => void = () => undefined): BufferedJournal {
    return new BufferedJournal(this, record, onError);
  }

  /**
   * Takes the series' lock for this tab until the returned function is called (it resolves once
   * the lock is free again), so two tabs of one browser never run one series at once; rejects at
   * once when another tab holds it.
   */
  async lock(id: string): Promise<() => Promise<void>> {
    const locks = globalThis.navigator?.locks;
    if (!locks) return async () => undefined;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let requested!: Promise<unknown>;
    const got = await new Promise<boolean>((resolve, reject) => {
      requested = locks.request(lockName(id), { ifAvailable: true }, (lock) => {
        resolve(lock !== null);
        return lock ? held : undefined;
      });
      requested.catch(reject);
    });
    if (!got) throw new Error(`series ${id} is running in another tab of this browser`);
    this.held.add(id);
    return async () => {
      this.held.delete(id);
      release();
      await requested.catch(() => undefined);
    };
  }

  /** Ids of the series another tab of this browser runs now. */
  async runningElsewhere(): Promise<Set<string>> {
    const held = await globalThis.navigator?.locks?.query().catch(() => undefined);
    const ids = (held?.held ?? []).map((lock) => lock.name ?? '').filter((name) => name.startsWith(LOCK_PREFIX)).map((name) => name.slice(LOCK_PREFIX.length));
    return new Set(ids.filter((id) => !this.held.has(id)));
  }

  /** Commits a batch of a journal's writes with its record, in one transaction. */
  async commit(record: StoredSeries, entries: readonly (string | number)[]): Promise<void> {
    record.updated = Date.now();
    const chunk: ResultChunk | undefined = entries.length === 0 ? undefined : { series: record.id, chunk: record.chunks++, entries };
    await this.write([SERIES, RESULTS], (tx) => {
      if (chunk) tx.objectStore(RESULTS).put(chunk);
      tx.objectStore(SERIES).put(record);
    });
  }

  private async read<T>(name: string, get: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const db = await this.database();
    return idbRequest(get(db.transaction(name).objectStore(name)));
  }

  private async write(names: string[], work: (tx: IDBTransaction) => void): Promise<void> {
    const db = await this.database();
    const tx = db.transaction(names, 'readwrite');
    work(tx);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write aborted'));
    });
  }

  private database(): Promise<IDBDatabase> {
    this.db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const opening = indexedDB.open(DB_NAME, DB_VERSION);
      opening.onupgradeneeded = () => {
        const db = opening.result;
        db.createObjectStore(SERIES, { keyPath: 'id' });
        db.createObjectStore(RESULTS, { keyPath: ['series', 'chunk'] });
      };
      opening.onsuccess = () => resolve(opening.result);
      opening.onerror = () => reject(opening.error ?? new Error('IndexedDB would not open'));
      opening.onblocked = () => reject(new Error('IndexedDB is blocked by an older version of this page in another tab'));
    }).catch((error: unknown) => {
      this.db = undefined;
      throw error;
    });
    return this.db;
  }
}

/** Gathers a series' writes for JOURNAL_FLUSH_MS and commits them with its record in one transaction. */
export class BufferedJournal implements SeriesJournal {
  /** Results waiting for the next commit, flat: `index, text, worker`. */
  private entries: (string | number)[] = [];
  private waiters: (() => void)[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The record's `owed`, by transfer id: written out with the record at each commit. */
  private readonly owed: Map<string, OwedPayment>;

  constructor(private readonly store: Pick<SeriesStorage, 'commit'>, readonly record: StoredSeries, private readonly onError: (message: string) => void) {
    this.owed = new Map(record.owed.map((payment) => [payment.transfer, payment]));
  }

  get key(): string {
    return this.record.id;
  }

  result(index: number, text: string, worker: string): void {
    this.record.computed += 1;
    this.entries.push(index, text, worker);
    this.schedule();
  }

  paying(payment: OwedPayment): Promise<void> {
    this.owed.set(payment.transfer, payment);
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  settled(transfer: string, paid: number): void {
    this.record.paid += paid;
    this.owed.delete(transfer);
    this.schedule();
  }

  funded(escrow: string): void {
    this.record.escrows = [...this.record.escrows, escrow];
    this.schedule();
  }

  released(escrow: string): void {
    this.record.escrows = this.record.escrows.filter((id) => id !== escrow);
    this.schedule();
  }

  /** Sets the series' state and writes everything still waiting. */
  async finish(state: StoredState, error?: string): Promise<void> {
    this.record.state = state;
    if (error === undefined) delete this.record.error;
    else this.record.error = error;
    await this.flush();
  }

  /** Commits what waits now. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const entries = this.entries;
    const waiters = this.waiters;
    this.entries = [];
    this.waiters = [];
    this.record.owed = [...this.owed.values()];
    try {
      await this.store.commit(this.record, entries);
    } catch (error) {
      // The series runs on, but a reload would lose what was not written: the page says so.
      this.onError(error instanceof Error ? error.message : String(error));
    } finally {
      for (const resolve of waiters) resolve();
    }
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => void this.flush(), JOURNAL_FLUSH_MS);
  }
}

const LOCK_PREFIX = 'peerfarm-series:';

function lockName(id: string): string {
  return `${LOCK_PREFIX}${id}`;
}

function ofSeries(id: string): IDBKeyRange {
  return IDBKeyRange.bound([id], [id, []]);
}

/** The record of a new series about to run, under a fresh id. */
export function newSeriesRecord(request: StoredRequest, total: number): StoredSeries {
  const now = Date.now();
  return {
    id: newSeriesId(), created: now, updated: now, request: storable(request), total, state: 'unfinished', computed: 0, paid: 0, escrows: [], owed: [], chunks: 0,
  };
}

/** The results of one batch, from its flat `index, text, worker` entries. */
export function chunkResults(series: string, entries: readonly (string | number)[]): StoredResult[] {
  const results: StoredResult[] = [];
  for (let i = 0; i + 2 < entries.length; i += 3) {
    results.push({ series, index: entries[i] as number, text: entries[i + 1] as string, worker: entries[i + 2] as string });
  }
  return results;
}

/** A fresh series id: 16 random base-36 characters (also the stem of its payments' transfer ids). */
function newSeriesId(): string {
  return `s${randomTag(16)}`;
}

/** The request as IndexedDB keeps it: plain data only (a page may pass a proxy or a class instance). */
function storable(request: StoredRequest): StoredRequest {
  const { workers: _workers, ...rest } = request as SubmitRequest;
  return structuredClone(rest);
}
