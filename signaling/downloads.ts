// The NDJSON download of the event store: streamed in chunks with backpressure, one chunk per
// turn of the event loop, so a download of 200,000 events never holds up other peers' answers;
// and few at once, since each holds a copy of the store's index while it streams.
import type { ServerResponse } from 'node:http';
import type { NetEvent } from '../src/protocol/events.ts';
import { refusal, type Refusal } from './refusal.ts';

/** Downloads streaming at once; each is ~40 MB of writing, more would only share the same CPU. */
export const MAX_CONCURRENT_DOWNLOADS = 2;
/** Events per chunk: ~100 KB of JSON, well under a millisecond to format. */
export const DOWNLOAD_CHUNK_EVENTS = 500;
/** A client that reads nothing for this long loses its download (and frees the slot). */
export const DOWNLOAD_STALL_MS = 30_000;
/** What a refused download is told to wait before it tries again. */
const DOWNLOAD_RETRY_AFTER_S = 5;

export class Downloads {
  private active = 0;

  get count(): number {
    return this.active;
  }

  /** A slot for one more download, or the refusal when all are taken. */
  claim(): (() => void) | Refusal {
    if (this.active >= MAX_CONCURRENT_DOWNLOADS) {
      return refusal(503, `${MAX_CONCURRENT_DOWNLOADS} event downloads are running; try again in ${DOWNLOAD_RETRY_AFTER_S} s`,
        { 'retry-after': String(DOWNLOAD_RETRY_AFTER_S) });
    }
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
    };
  }
}

/** Streams `events` as NDJSON; resolves when the response ended or was dropped. Never rejects. */
export async function streamNdjson(response: ServerResponse, events: readonly NetEvent[]): Promise<void> {
  response.writeHead(200, {
    'content-type': 'application/x-ndjson; charset=utf-8',
    'content-disposition': 'attachment; filename="peerfarm-events.ndjson"',
    'cache-control': 'no-store',
  });
  for (let from = 0; from < events.length; from += DOWNLOAD_CHUNK_EVENTS) {
    if (response.destroyed) return;
    let chunk = '';
    for (const event of events.slice(from, from + DOWNLOAD_CHUNK_EVENTS)) chunk += `${JSON.stringify(event)}\n`;
    // A fast reader drains the socket at once, and 'drain' then comes on the same turn: yield
    // after every chunk anyway, so other sockets are read between any two chunks.
    if (!response.write(chunk) && !(await drained(response))) {
      response.destroy();
      return;
    }
    await nextTurn();
  }
  response.end();
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** True once the response drains; false when it closes first or stays full past DOWNLOAD_STALL_MS. */
function drained(response: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      response.off('drain', onDrain);
      response.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    const timer = setTimeout(() => done(false), DOWNLOAD_STALL_MS);
    response.on('drain', onDrain);
    response.on('close', onClose);
  });
}
