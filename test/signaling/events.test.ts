import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatList } from '../../src/protocol/format.ts';
import { EventLog, LOG_BATCH_EVENTS, LOG_PENDING_MAX } from '../../src/peer/event-log.ts';
import { EventStore } from '../../signaling/event-store.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { rawJoined, type RawPeer } from '../helpers/ws-peer.ts';

let authority: TestAuthority;
let peer: RawPeer;

async function joinedWorker(): Promise<string> {
  const joined = await rawJoined(authority.wsUrl);
  peer = joined.peer;
  return joined.identity.id;
}

beforeEach(async () => {
  authority = await startTestAuthority();
});

afterEach(async () => {
  peer?.link.close();
  await authority.close();
});

describe('the event log at the authority', () => {
  it('keeps shipped events under the sender\'s joined id, whatever they claim, and drops malformed ones', async () => {
    const id = await joinedWorker();
    const events = [
      JSON.stringify({ t: 1000, kind: 'out', peer: 'x', text: 'solicit -token t1', node: 'somebody-else' }),
      JSON.stringify({ t: 1001, kind: 'overlay', ids: ['a', 'b'] }),
      JSON.stringify({ t: 'soon', kind: 'out' }),
      JSON.stringify({ t: 1002, kind: 'explode' }),
      '{not json',
    ];
    peer.send(`log ${formatList([formatList(events)])}`);
    await expect.poll(() => authority.events.all().filter((e) => e.node === id).length).toBe(2);
    const body = await (await fetch(`${authority.url}/api/events?since=1000&limit=10`)).json();
    expect(body.events.filter((e: { node: string }) => e.node === id)).toEqual([
      { t: 1000, node: id, kind: 'out', peer: 'x', text: 'solicit -token t1' },
      { t: 1001, node: id, kind: 'overlay', ids: ['a', 'b'] },
    ]);
  });

  it('records its own traffic, naming a joined peer by its id', async () => {
    const id = await joinedWorker();
    const own = authority.events.all().filter((e) => e.node === 'authority');
    expect(own.some((e) => e.kind === 'out' && e.peer === id && e.text === `welcome ${id}`)).toBe(true);
    expect(own.some((e) => e.kind === 'in' && e.text?.startsWith('protocol p2p:authority<-worker/2') && e.result === 'ok')).toBe(true);
  });

  it('records refused commands as exceptions', async () => {
    await joinedWorker();
    peer.send('frobnicate');
    await expect.poll(() => authority.events.all().some((e) => e.text === 'frobnicate' && e.result === 'exception')).toBe(true);
  });

  it('serves every event as an NDJSON download', async () => {
    await joinedWorker();
    const response = await fetch(`${authority.url}/api/events.ndjson`);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="peerfarm-events.ndjson"');
    const lines = (await response.text()).trim().split('\n').map((line) => JSON.parse(line) as { t: number });
    expect(lines.length).toBe(authority.events.size);
    expect(lines.every((e, i) => i === 0 || e.t >= lines[i - 1]!.t)).toBe(true);
  });

  it('answers a bad query with 400', async () => {
    const response = await fetch(`${authority.url}/api/events?since=yesterday`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'since must be a number (ms) and limit a whole number above 0' });
  });
});

describe('EventStore', () => {
  it('drops the oldest events when full and counts them', () => {
    const store = new EventStore(10);
    for (let t = 0; t < 30; t++) store.add({ t, node: 'n', kind: 'in' });
    expect(store.all().map((e) => e.t)).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    expect(store.dropped).toBe(20);
  });

  it('serves events in time order even when batches arrive late', () => {
    const store = new EventStore();
    for (const t of [5, 1, 3]) store.add({ t, node: 'n', kind: 'in' });
    expect(store.page(2, 10).map((e) => e.t)).toEqual([3, 5]);
  });
});

describe('EventLog', () => {
  it('ships events in batches of at most LOG_BATCH_EVENTS', () => {
    const sent: string[][] = [];
    const log = new EventLog((events) => void sent.push(events));
    for (let t = 0; t < LOG_BATCH_EVENTS + 10; t++) log.record({ t, kind: 'in', text: `m${t}` });
    log.flush();
    expect(sent.map((events) => events.length)).toEqual([LOG_BATCH_EVENTS, 10]);
    expect(JSON.parse(sent[0]![0]!)).toEqual({ t: 0, kind: 'in', text: 'm0' });
  });

  it('keeps events while the authority is out of reach, but never more than LOG_PENDING_MAX', () => {
    let up = false;
    const sent: string[][] = [];
    const log = new EventLog((events) => {
      if (!up) throw new Error('down');
      sent.push(events);
    });
    for (let t = 0; t < LOG_PENDING_MAX + 7; t++) log.record({ t, kind: 'in' });
    log.flush();
    expect(sent).toEqual([]);
    expect(log.dropped).toBe(7);
    up = true;
    log.flush();
    expect(sent.flat().length).toBe(LOG_PENDING_MAX);
  });

  it('does not log the shipping of the log itself', () => {
    const sent: string[][] = [];
    const log = new EventLog((events) => void sent.push(events));
    log.sink({ t: 1, kind: 'out', link: 'a', text: 'log {...}' });
    log.sink({ t: 2, kind: 'out', link: 'a', text: 'heartbeat' });
    log.flush();
    expect(sent.flat().map((json) => JSON.parse(json).text)).toEqual(['heartbeat']);
  });
});
