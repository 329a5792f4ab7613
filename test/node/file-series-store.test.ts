// The Node client's series store: what a journal commits reads back after the process is gone,
// a batch cut short by a crash is not counted, and a series runs in one process at a time.
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSeriesStore } from '../../src/node/file-series-store.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'peerfarm-store-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('FileSeriesStore', () => {
  it('reads back a series, its results and what it owes through a fresh store, as a new process would', async () => {
    const store = new FileSeriesStore(dir);
    const record = await store.create({ code: 'export default (x) => x', inputs: [1, 2, 3], workers: ['w'] } as never, 3);
    const journal = store.journal(record);
    journal.result(0, '1', 'w1');
    journal.result(2, '3', 'w2');
    await journal.paying({ transfer: 't1', escrow: 'e1', worker: 'w1', amount: 1, job: 0 });
    journal.funded('e1');
    await journal.finish('unfinished', 'interrupted');

    const again = new FileSeriesStore(dir);
    const [kept] = await again.list();
    expect(kept).toMatchObject({ id: record.id, state: 'unfinished', error: 'interrupted', total: 3, computed: 2, escrows: ['e1'] });
    expect(kept!.owed).toEqual([{ transfer: 't1', escrow: 'e1', worker: 'w1', amount: 1, job: 0 }]);
    expect(kept!.request).toEqual({ code: 'export default (x) => x', inputs: [1, 2, 3] });
    expect(await again.results(record.id)).toEqual([
      { series: record.id, index: 0, text: '1', worker: 'w1' },
      { series: record.id, index: 2, text: '3', worker: 'w2' },
    ]);
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).mode & 0o077).toBe(0);
  });

  it('skips a batch of results cut short by a crash', async () => {
    const store = new FileSeriesStore(dir);
    const record = await store.create({ code: 'export default (x) => x', inputs: [1, 2] }, 2);
    await store.commit(record, [0, '1', 'w1']);
    appendFileSync(join(dir, `${record.id}.results`), '[1,"2","w');
    expect((await store.results(record.id)).map((result) => result.index)).toEqual([0]);
  });

  it('lets one process run a series at a time, and takes over the lock of a process that is gone', async () => {
    const store = new FileSeriesStore(dir);
    const record = await store.create({ code: 'export default (x) => x', inputs: [1] }, 1);
    const unlock = await store.lock(record.id);
    await expect(new FileSeriesStore(dir).lock(record.id)).rejects.toThrow(`series ${record.id} is running in another process (pid ${process.pid})`);
    expect(await new FileSeriesStore(dir).runningElsewhere()).toEqual(new Set([record.id]));
    await unlock();
    // A pid no process has: what a killed run leaves behind.
    writeFileSync(join(dir, `${record.id}.lock`), '2147483646');
    const again = await store.lock(record.id);
    await again();
  });

  it('refuses an id that is not a series id', async () => {
    await expect(new FileSeriesStore(dir).get('../key')).rejects.toThrow('"../key" is not a series id (like s0123456789abcdef)');
  });
});
