// The Node client against a real authority and Chromium worker tabs: every ICE candidate it
// gathers, sends or receives is on loopback; it loads as `peer-farm/client` in plain Node; and a
// series stopped with Ctrl-C is kept in its folder, listed by `status`, finished by `resume`
// without running or paying a finished job twice, as `balance` shows.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocketLike } from '../../src/net/ws-link.ts';
import { connect, waitForWorkers } from '../../src/node/client.ts';
import { nodeWrtc } from '../../src/node/wrtc.ts';
import { launchChromium, newContext } from '../helpers/chromium.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { runCli } from '../helpers/cli.ts';
import { openWorkerTabs, waitForWorker } from '../helpers/pages.ts';

const GRANT_POINTS = 100_000;
const LOOPBACK = ['127.0.0.1', '::1'];
/** `candidate:<foundation> <component> <protocol> <priority> <address> ...`, in SDP lines and candidate payloads alike. */
const CANDIDATE = /candidate:\S+ \d+ \S+ \d+ (\S+) /g;

let authority: TestAuthority;
let browser: Browser;
let dir: string;

const wsUrl = () => `${authority.url.replace(/^http/, 'ws')}/ws`;

function addresses(text: string): string[] {
  return [...text.matchAll(CANDIDATE)].map((match) => match[1]!);
}

beforeAll(async () => {
  if (!existsSync('dist/index.html')) throw new Error('pages not built: run "npx vite build" first (npm test does)');
  dir = mkdtempSync(join(tmpdir(), 'peerfarm-node-client-'));
  authority = await startTestAuthority(['--option', 'time_between_authority_checks=1000', '--grant-points', String(GRANT_POINTS)]);
  browser = await launchChromium();
  const context = await newContext(browser, authority.url);
  const tabs = await openWorkerTabs(context, authority.url, 2);
  await Promise.all(tabs.map((page) => waitForWorker(page, (s) => s.neighbours.length > 0, null, 30_000)));
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await authority?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the Node client on loopback', () => {
  it('gathers, signals and accepts only 127.0.0.1 and ::1 candidates, both ways', async () => {
    const gathered: string[] = [];
    const frames: { way: 'in' | 'out'; text: string }[] = [];
    const role = await connect({
      authority: wsUrl(), keyFile: join(dir, 'loopback-key.json'), store: false,
      openSocket: (url) => {
        const socket = new WebSocket(url);
        const send = socket.send.bind(socket);
        socket.send = ((data: string) => {
          frames.push({ way: 'out', text: data });
          send(data);
        }) as typeof socket.send;
        socket.addEventListener('message', ({ data }) => frames.push({ way: 'in', text: String(data) }));
        return socket as unknown as WebSocketLike;
      },
      // What the stack itself gathers, before RtcLink's filter sees it.
      wrtc: (loopbackOnly) => {
        const base = nodeWrtc(loopbackOnly);
        const Base = base.RTCPeerConnection as unknown as typeof RTCPeerConnection;
        class Watched extends Base {
          constructor(config?: RTCConfiguration) {
            super(config);
            this.addEventListener('icecandidate', (event) => {
              if (event.candidate?.candidate) gathered.push(event.candidate.candidate);
            });
          }
        }
        return { ...base, RTCPeerConnection: Watched } as unknown as typeof base;
      },
    });
    try {
      expect(role.options.get('ice_loopback_only')).toBe(1);
      await waitForWorkers(role, 10_000, 2);
      const bids = await role.solicit();
      const result = await role.submit({ code: 'export default (x) => x + 1', inputs: [1, 2, 3, 4, 5, 6], workers: bids.map((bid) => bid.id) });
      expect(result.results).toEqual([2, 3, 4, 5, 6, 7]);
    } finally {
      role.leave();
    }
    const signals = (way: 'in' | 'out') => frames.filter((frame) => frame.way === way && frame.text.startsWith('signal ')).flatMap((frame) => addresses(frame.text));
    const sent = signals('out');
    const received = signals('in');
    const seen = addresses(gathered.map((line) => `${line} `).join('\n'));
    // Not vacuous: candidates went each way, and the stack gathered some.
    expect(sent.length).toBeGreaterThan(0);
    expect(received.length).toBeGreaterThan(0);
    expect(seen.length).toBeGreaterThan(0);
    for (const address of [...sent, ...received, ...seen]) expect(LOOPBACK).toContain(address);
  }, 60_000);
});

describe('peer-farm/client', () => {
  it('loads in plain Node through the package exports and joins', async () => {
    const script = `import { connect } from 'peer-farm/client';
const role = await connect({ authority: process.argv[1], keyFile: process.argv[2], store: false });
await role.refreshBalance();
console.log(JSON.stringify({ id: role.id, state: role.state, balance: role.balance }));
role.leave();
process.exit(0);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, wsUrl(), join(dir, 'plain-key.json')]);
    const seen = JSON.parse(stdout) as { id: string; state: string; balance: { points: number; held: number } };
    expect(seen.id).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.state).toBe('joined');
    expect(seen.balance).toEqual({ points: expect.any(Number) as number, held: 0 });
  }, 60_000);
});

describe('peerfarm status, resume and balance', () => {
  it('keeps a series stopped with Ctrl-C, lists it, and resumes it without running or paying a finished job twice', async () => {
    const job = join(dir, 'job.mjs');
    writeFileSync(job, 'export default (n) => {\n  let x = n;\n  for (let i = 0; i < 200000; i++) x = (x * 31 + i) % 1000003;\n  return x;\n};\n');
    const flags = ['--authority', wsUrl(), '--key', join(dir, 'resume-key.json'), '--store', join(dir, 'series')];
    let stoppedAt = 0;
    const first = await runCli(['run', job, '--range', '0:399', ...flags], {
      onLine: (_line, count, signal) => {
        if (count !== 20) return;
        stoppedAt = count;
        signal('SIGINT');
      },
    });
    expect(stoppedAt).toBe(20);
    expect(first.code).toBe(130);
    const id = /^peerfarm: interrupted; kept, to finish it: peerfarm resume (s[a-z0-9]+)\n$/.exec(first.stderr)?.[1];
    expect(id, first.stderr).toBeDefined();

    const listed = await runCli(['status', ...flags]);
    expect(listed.code).toBe(0);
    const [kept] = listed.lines.map((line) => JSON.parse(line) as { id: string; state: string; total: number; computed: number });
    expect(kept).toMatchObject({ id, state: 'unfinished', total: 400 });
    expect(kept!.computed).toBeGreaterThanOrEqual(first.lines.length - 1);

    const resumed = await runCli(['resume', id!, ...flags]);
    expect({ code: resumed.code, stderr: resumed.stderr }).toEqual({ code: 0, stderr: '' });
    const results = resumed.lines.map((line) => JSON.parse(line) as { index: number; value: number });
    expect(results.map((r) => r.index).sort((a, b) => a - b)).toEqual(Array.from({ length: 400 }, (_, i) => i));
    const local = (n: number) => {
      let x = n;
      for (let i = 0; i < 200000; i++) x = (x * 31 + i) % 1000003;
      return x;
    };
    for (const { index, value } of results) expect(value).toBe(local(index));
    // Everything the first run printed is among what resume kept, unchanged.
    for (const line of first.lines) expect(resumed.lines).toContain(line);

    const balance = await runCli(['balance', ...flags]);
    expect(JSON.parse(balance.lines[0]!)).toEqual({ points: GRANT_POINTS - 400, held: 0 });
    const done = await runCli(['status', ...flags]);
    expect(JSON.parse(done.lines[0]!)).toMatchObject({ id, state: 'done', computed: 400, paid: 400 });
  }, 120_000);
});
