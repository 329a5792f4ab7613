// Heavy requests never stall the others: NDJSON downloads of a full store stream in chunks with
// backpressure, so while clients read them slowly a peer's command and /api/health are answered
// and the downloads are still under way; past MAX_CONCURRENT_DOWNLOADS a download waits its turn.
import { get, type IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_CONCURRENT_DOWNLOADS } from '../../signaling/downloads.ts';
import { MAX_STORED_EVENTS } from '../../signaling/event-store.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { rawJoined, type RawPeer } from '../helpers/ws-peer.ts';

let authority: TestAuthority;
let peer: RawPeer;

beforeEach(async () => {
  authority = await startTestAuthority();
  const startMs = Date.now() - MAX_STORED_EVENTS;
  for (let i = 0; i < MAX_STORED_EVENTS; i++) {
    authority.events.add({ t: startMs + i, node: `n${i % 50}`, kind: 'in', peer: `p${i % 77}`, text: `heartbeat ${i} ${'x'.repeat(100)}`, result: 'ok' });
  }
  ({ peer } = await rawJoined(authority.wsUrl));
});

afterEach(async () => {
  peer.link.close();
  await authority.close();
});

interface SlowDownload {
  readonly response: IncomingMessage;
  /** Reads the rest; resolves with the number of lines and the last one. */
  finish(): Promise<{ lines: number; last: string }>;
}

/** Starts a download, reads its first chunk and stops reading (a slow client). */
function slowDownload(): Promise<SlowDownload> {
  return new Promise((resolve, reject) => {
    get(`${authority.url}/api/events.ndjson`, (response) => {
      let lines = 0;
      let tail = '';
      const count = (chunk: Buffer) => {
        const text = tail + chunk.toString('utf8');
        const parts = text.split('\n');
        lines += parts.length - 1;
        tail = parts.at(-1)!;
        if (parts.length > 1) last = parts.at(-2)!;
      };
      let last = '';
      response.once('data', (chunk: Buffer) => {
        response.pause();
        count(chunk);
        resolve({
          response,
          finish: () => new Promise((done) => {
            response.on('data', count);
            response.on('end', () => done({ lines, last }));
            response.resume();
          }),
        });
      });
    }).on('error', reject);
  });
}

const metric = async (name: string) => {
  const text = await (await fetch(`${authority.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
};

describe('event downloads', () => {
  it('answers a peer and /api/health while downloads of a full store are read slowly', async () => {
    const order: string[] = [];
    const downloads = await Promise.all(Array.from({ length: MAX_CONCURRENT_DOWNLOADS }, () => slowDownload()));
    peer.send('peers -max 5');
    const answered = peer.next(/^peers/).then(() => order.push('peer answered'));
    const health = fetch(`${authority.url}/api/health`).then(async (response) => {
      expect(response.status).toBe(200);
      order.push('health answered');
    });
    await Promise.all([answered, health]);
    // The authority is still streaming both: it waits on the clients, it did not write them out at once.
    expect(await metric('peerfarm_downloads_active')).toBe(MAX_CONCURRENT_DOWNLOADS);
    const results = await Promise.all(downloads.map((download, i) => download.finish().then((result) => {
      order.push(`download ${i} done`);
      return result;
    })));
    expect(order.slice(0, 2).sort()).toEqual(['health answered', 'peer answered']);
    for (const { lines, last } of results) {
      expect(lines).toBe(MAX_STORED_EVENTS);
      expect(JSON.parse(last)).toMatchObject({ t: expect.any(Number), node: 'authority' }); // the join came last
    }
  });

  it('refuses a download past MAX_CONCURRENT_DOWNLOADS with 503, Retry-After and one line, and takes it once a slot is free', async () => {
    const downloads = await Promise.all(Array.from({ length: MAX_CONCURRENT_DOWNLOADS }, () => slowDownload()));
    const refused = await fetch(`${authority.url}/api/events.ndjson`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toEqual({ error: `${MAX_CONCURRENT_DOWNLOADS} event downloads are running; try again in 5 s` });
    downloads[0]!.response.destroy();
    await expect.poll(() => metric('peerfarm_downloads_active')).toBe(MAX_CONCURRENT_DOWNLOADS - 1);
    await downloads[1]!.finish();
    const next = await fetch(`${authority.url}/api/events.ndjson`);
    expect(next.status).toBe(200);
    expect((await next.text()).split('\n').length - 1).toBe(MAX_STORED_EVENTS);
  });

  it('answers HEAD without streaming the store', async () => {
    const response = await fetch(`${authority.url}/api/events.ndjson`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
  });
});
