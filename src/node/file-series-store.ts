// Keeps the Node client's series in files, as the submit page keeps them in IndexedDB
// (src/peer/farm/series-store.ts), so `peerfarm resume ID` picks up a series whose process
// ended. One folder (~/.peerfarm/series, or --store DIR) holds per series: `<id>.json`, its
// record, replaced whole at each commit; `<id>.results`, one JSON line per batch of results,
// only ever appended; and `<id>.lock` while a process runs it.
import { appendFile, mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BufferedJournal, chunkResults, newSeriesRecord, type SeriesStorage, type StoredRequest, type StoredResult, type StoredSeries,
} from '../peer/farm/series-store.ts';
import { ifMissing } from './if-missing.ts';

const RECORD = '.json';
const RESULTS = '.results';
const LOCK = '.lock';
/** Series ids as newSeriesRecord makes them: nothing that could step out of the folder. */
const SERIES_ID = /^s[a-z0-9]{1,64}$/;
/** Only the owner reads what a series holds (its code, inputs and results). */
const FILE_MODE = 0o600;

export class FileSeriesStore implements SeriesStorage {
  /** Series whose lock this process holds. */
  private readonly held = new Set<string>();

  constructor(readonly dir: string) {}

  async list(): Promise<StoredSeries[]> {
    const ids = (await this.names()).filter((name) => name.endsWith(RECORD)).map((name) => name.slice(0, -RECORD.length));
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.filter((record) => record !== undefined).sort((a, b) => b.created - a.created);
  }

  async get(id: string): Promise<StoredSeries | undefined> {
    const text = await this.read(id, RECORD);
    return text === undefined ? undefined : (JSON.parse(text) as StoredSeries);
  }

  async results(id: string): Promise<StoredResult[]> {
    const text = (await this.read(id, RESULTS)) ?? '';
    // A line cut short by a crash mid-append is a batch never committed: its results are re-run.
    const lines = text.split('\n').filter((line) => line.endsWith(']'));
    return lines.flatMap((line) => chunkResults(id, JSON.parse(line) as (string | number)[]));
  }

  async create(request: StoredRequest, total: number): Promise<StoredSeries> {
    const record = newSeriesRecord(request, total);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.writeRecord(record);
    return record;
  }

  async delete(id: string): Promise<void> {
    await Promise.all([RECORD, RESULTS].map((suffix) => rm(this.path(id, suffix), { force: true })));
  }

  journal(record: StoredSeries, onError: (message: string) => void = () => undefined): BufferedJournal {
    return new BufferedJournal(this, record, onError);
  }

  /** A lock file naming this process: one left by a process that is gone is taken over. */
  async lock(id: string): Promise<() => Promise<void>> {
    const path = this.path(id, LOCK);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(path, 'wx', FILE_MODE);
        await handle.writeFile(String(process.pid));
        await handle.close();
        this.held.add(id);
        return async () => {
          this.held.delete(id);
          await rm(path, { force: true });
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = Number(await readFile(path, 'utf8').catch(() => ''));
        if (alive(owner)) throw new Error(`series ${id} is running in another process (pid ${owner})`);
        await rm(path, { force: true });
      }
    }
    throw new Error(`series ${id}: its lock file ${path} keeps coming back`);
  }

  async runningElsewhere(): Promise<Set<string>> {
    const locked = (await this.names()).filter((name) => name.endsWith(LOCK)).map((name) => name.slice(0, -LOCK.length));
    const running = await Promise.all(locked.map(async (id) => alive(Number(await this.read(id, LOCK) ?? '')) && !this.held.has(id)));
    return new Set(locked.filter((_, i) => running[i]));
  }

  /** Appends the batch, then replaces the record: a record never counts results not on disk. */
  async commit(record: StoredSeries, entries: readonly (string | number)[]): Promise<void> {
    record.updated = Date.now();
    if (entries.length > 0) {
      await appendFile(this.path(record.id, RESULTS), `${JSON.stringify(entries)}\n`, { mode: FILE_MODE });
      record.chunks += 1;
    }
    await this.writeRecord(record);
  }

  private async writeRecord(record: StoredSeries): Promise<void> {
    const path = this.path(record.id, RECORD);
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(record), { mode: FILE_MODE });
    await rename(temporary, path);
  }

  private async read(id: string, suffix: string): Promise<string | undefined> {
    return ifMissing(readFile(this.path(id, suffix), 'utf8'), undefined);
  }

  private async names(): Promise<string[]> {
    return ifMissing(readdir(this.dir), []);
  }

  private path(id: string, suffix: string): string {
    if (!SERIES_ID.test(id)) throw new Error(`"${id}" is not a series id (like s0123456789abcdef)`);
    return join(this.dir, `${id}${suffix}`);
  }
}

/** Whether a process of that pid runs (signal 0 only checks). */
function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
