// Structured logs: JSON lines from one pino logger; an internal error keeps its stack in the log
// and the client gets one line; the authority command starts with a JSON line naming its URLs.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLog } from '../../signaling/log.ts';
import { startTestAuthority } from '../helpers/authority.ts';
import { rawRequest } from '../hostile/raw-http.ts';

/** A log whose JSON lines land in `lines`. */
function capturedLog(level: Parameters<typeof createLog>[0]) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLog(level, destination) };
}

describe('the authority log', () => {
  it('writes JSON lines at the configured level and above', () => {
    const { lines, log } = capturedLog('warn');
    log.info('not shown');
    log.warn({ peer: 'p1' }, 'shown');
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'shown', peer: 'p1', service: 'peerfarm-authority' })]);
  });

  it('keeps an internal error\'s stack in the log and tells the client only "internal error"', async () => {
    const { lines, log } = capturedLog('error');
    const authority = await startTestAuthority([], { log });
    try {
      await authority.points.close(); // the database is gone: every ledger read throws
      const response = await fetch(`${authority.url}/api/ledger`);
      expect(response.status).toBe(500);
      expect(await response.text()).toBe('{"error":"internal error"}');
      const failure = lines.find((line) => line['msg'] === 'HTTP request failed') as { err: { stack: string }; url: string };
      expect(failure.url).toBe('/api/ledger');
      expect(failure.err.stack).toMatch(/database connection is not open[\s\S]*\n\s+at /);
    } finally {
      await authority.close();
    }
  });

  it('logs refused requests at debug level, not above', async () => {
    const { lines, log } = capturedLog('debug');
    const authority = await startTestAuthority([], { log });
    try {
      const bytes = 'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n';
      expect((await rawRequest(authority.port, bytes)).status).toBe(426);
      expect((await rawRequest(authority.port, 'BREW / HTTP/1.1\r\n\r\n')).status).toBe(400);
      expect(lines.map((line) => line['msg'])).toEqual(['upgrade refused', 'malformed request refused']);
      expect(lines.filter((line) => (line['level'] as number) > 20)).toEqual([]);
    } finally {
      await authority.close();
    }
  });
});

describe('the authority command', () => {
  it('starts with one JSON line naming its URLs and logs its closing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'peerfarm-log-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/main.ts', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    try {
      const started = JSON.parse((await lines.next()).value as string) as Record<string, string>;
      expect(started).toMatchObject({ level: 30, msg: expect.stringMatching(/^peer farm authority on http:\/\/localhost:\d+$/) });
      expect(started['ws']).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws$/);
      expect(started['metrics']).toBe(`${started['url']}/metrics`);
      child.kill('SIGTERM');
      expect(JSON.parse((await lines.next()).value as string)).toMatchObject({ msg: 'closing', signal: 'SIGTERM' });
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
