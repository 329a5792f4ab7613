// Hostile HTTP input against a real authority in this process, over raw TCP: every malformed
// request line, target, header set and upgrade gets a status and one line, never a crash, a stack
// trace or silence; afterwards the authority still answers and still takes peers.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_HEADER_BYTES } from '../../signaling/http.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { joinAs } from '../helpers/ws-peer.ts';
import { rawRequest, type RawAnswer } from './raw-http.ts';

const SECRET = 'the contents of a file outside dist';
let fixture: string;
let authority: TestAuthority;

beforeAll(async () => {
  fixture = mkdtempSync(join(tmpdir(), 'peerfarm-hostile-http-'));
  mkdirSync(join(fixture, 'dist', 'assets'), { recursive: true });
  writeFileSync(join(fixture, 'dist', 'index.html'), '<!doctype html><title>worker</title>');
  writeFileSync(join(fixture, 'dist', 'assets', 'app.js'), 'export {};');
  writeFileSync(join(fixture, 'dist', '.env'), SECRET);
  writeFileSync(join(fixture, 'secret.txt'), SECRET);
  authority = await startTestAuthority(['--dist-dir', join(fixture, 'dist')]);
});

afterAll(async () => {
  await authority.close();
  rmSync(fixture, { recursive: true, force: true });
});

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const UPGRADE = `Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${KEY}\r\n`;
const get = (target: string, method = 'GET') => `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;
const upgrade = (target: string, headers = UPGRADE, method = 'GET') => `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`;
const send = (bytes: string) => rawRequest(authority.port, bytes);

/** A refusal: the status, one line of reason, no stack trace, and the connection closed. */
function expectRefusal(answer: RawAnswer, status: number, reason: RegExp): void {
  expect(answer.status).toBe(status);
  expect(answer.body).toMatch(reason);
  expect(answer.body.trimEnd()).not.toContain('\n');
  expect(answer.body).not.toMatch(/\bat .*\.(ts|js):\d+/);
  expect(answer.closed).toBe(true);
}

describe('malformed request lines and targets', () => {
  it.each([
    ['an empty segment', get('//'), 400, /empty segment/],
    ['a scheme and nothing else', get('http://'), 400, /is not a path: this server is no proxy/],
    ['a lone percent sign', get('/%'), 400, /malformed percent-encoding/],
    ['an asterisk', get('*'), 400, /"\*" is not served here/],
    ['OPTIONS with an asterisk', get('*', 'OPTIONS'), 400, /"\*" is not served here/],
    ['an absolute-form target', get('http://evil.example/ws'), 400, /no proxy, send the path only/],
    ['an unknown method', get('/', 'FROB'), 400, /unknown method/],
    ['bytes that are no request at all', '\x00\x01\x02garbage\r\n\r\n', 400, /malformed request/],
    ['a NUL byte in the target', get('/\x00'), 400, /invalid request target/],
    ['an unknown HTTP version', 'GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n', 400, /HPE_INVALID_VERSION/],
    ['no Host header', 'GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n', 400, /missing Host header/],
    ['a target past the length limit', get(`/${'a'.repeat(5000)}`), 414, /longer than 4096 characters/],
    ['CONNECT', 'CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n', 405, /CONNECT is not served: this server is no proxy/],
  ])('refuses %s', async (_what, bytes, status, reason) => {
    expectRefusal(await send(bytes), status, reason);
  });

  it('answers a request head past Node\'s limit with 431 and closes the socket', async () => {
    const bytes = `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(MAX_HEADER_BYTES + 100)}\r\n\r\n`;
    expectRefusal(await send(bytes), 431, new RegExp(`request head larger than ${MAX_HEADER_BYTES} bytes`));
  });

  it('refuses a malformed target under /api with JSON', async () => {
    const answer = await send(get('/api/%zz'));
    expectRefusal(answer, 400, /malformed percent-encoding/);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(answer.body)).toEqual({ error: 'path "/api/%zz" has a malformed percent-encoding' });
  });
});

describe('the built pages', () => {
  it.each([
    ['/../secret.txt', /dot segment/],
    ['/assets/../../secret.txt', /dot segment/],
    ['/%2e%2e/secret.txt', /dot segment/],
    ['/%2E%2E/%2E%2E/secret.txt', /dot segment/],
    ['/assets%2f..%2f..%2fsecret.txt', /encoded slash/],
    ['/..%5csecret.txt', /encoded slash or backslash/],
    ['/\\..\\secret.txt', /backslash/],
    ['/index.html%00.js', /control character/],
  ])('refuses the traversal %s without reading the file', async (target, reason) => {
    const answer = await send(get(target));
    expectRefusal(answer, 400, reason);
    expect(answer.body).not.toContain(SECRET);
  });

  it('does not serve dot files', async () => {
    const answer = await send(get('/.env'));
    expectRefusal(answer, 404, /not found: \/\.env/);
    expect(answer.body).not.toContain(SECRET);
  });

  it('serves a page and an asset by GET and HEAD', async () => {
    const page = await send(get('/'));
    expect(page.status).toBe(200);
    expect(page.body).toBe('<!doctype html><title>worker</title>');
    const asset = await rawRequest(authority.port, get('/assets/app.js', 'HEAD'), { head: true });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('answers 404 for a page deleted under it (a rebuild while it runs)', async () => {
    const file = join(fixture, 'dist', 'assets', 'old-hash.js');
    writeFileSync(file, 'export {};');
    expect((await send(get('/assets/old-hash.js'))).status).toBe(200);
    rmSync(file);
    expectRefusal(await send(get('/assets/old-hash.js')), 404, /not found: \/assets\/old-hash\.js/);
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'])('refuses %s on a page with 405 and Allow', async (method) => {
    const answer = await send(get('/', method));
    expectRefusal(answer, 405, new RegExp(`^${method} is not allowed on /; use GET`));
    expect(answer.headers['allow']).toBe('GET, HEAD');
  });

  it('answers a plain GET of /ws with 426 and one line', async () => {
    const answer = await send(get('/ws?%zz'));
    expectRefusal(answer, 426, /\/ws is the WebSocket endpoint/);
    expect(answer.headers['upgrade']).toBe('websocket');
  });
});

describe('WebSocket upgrades', () => {
  const without = (header: string) => UPGRADE.split('\r\n').filter((line) => !line.startsWith(header)).join('\r\n');
  it.each([
    ['no Sec-WebSocket-Key', upgrade('/ws', without('Sec-WebSocket-Key')), 400, /missing or invalid Sec-WebSocket-Key/],
    ['an invalid Sec-WebSocket-Key', upgrade('/ws', UPGRADE.replace(KEY, 'not-a-key')), 400, /missing or invalid Sec-WebSocket-Key/],
    ['no Sec-WebSocket-Version', upgrade('/ws', without('Sec-WebSocket-Version')), 426, /Sec-WebSocket-Version must be 13, got ""/],
    ['an unknown Sec-WebSocket-Version', upgrade('/ws', UPGRADE.replace('Version: 13', 'Version: 12')), 426, /must be 13, got "12"/],
    ['an upgrade to another protocol', upgrade('/ws', UPGRADE.replace('Upgrade: websocket', 'Upgrade: h2c')), 400, /Upgrade must be "websocket", got "h2c"/],
    ['a POST', upgrade('/ws', UPGRADE, 'POST'), 405, /a WebSocket opens with GET, not POST/],
    ['another path', upgrade('/other'), 404, /no WebSocket endpoint at "\/other"; connect to \/ws/],
    ['a dot segment', upgrade('/../ws'), 400, /dot segment/],
    ['a malformed target', upgrade('/%'), 400, /malformed percent-encoding/],
    ['an absolute-form target', upgrade('http://evil.example/ws'), 400, /no proxy/],
    ['no Host header', `GET /ws HTTP/1.1\r\n${UPGRADE}\r\n`, 400, /missing Host header/],
  ])('refuses %s with a status and a plain line', async (_what, bytes, status, reason) => {
    const answer = await send(bytes);
    expectRefusal(answer, status, reason);
    expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('tells a client with an unknown version which versions it speaks', async () => {
    const answer = await send(upgrade('/ws', UPGRADE.replace('Version: 13', 'Version: 12')));
    expect(answer.headers['sec-websocket-version']).toBe('13, 8');
  });

  it('accepts /ws whatever its query', async () => {
    const answer = await send(upgrade('/ws?%zz'));
    expect(answer.status).toBe(101);
  });
});

describe('sockets that fail under the authority', () => {
  /** Writes `bytes` and resets the connection (RST) once `after` bytes of answer came, or at once. */
  const resetAfter = (bytes: string, after: number) => new Promise<void>((resolve) => {
    const socket = connect(authority.port, '127.0.0.1');
    let seen = 0;
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen >= after) socket.resetAndDestroy();
    });
    socket.write(bytes, () => {
      if (after === 0) socket.resetAndDestroy();
    });
  });

  it('survives resets during refused and accepted upgrades, requests and downloads', async () => {
    const bad = upgrade('/ws', UPGRADE.replace(KEY, 'bad'));
    for (let i = 0; i < 25; i++) {
      await Promise.all([
        resetAfter(bad, 0), resetAfter(bad, 1), resetAfter(upgrade('/ws'), 0), resetAfter(upgrade('/ws'), 1),
        resetAfter(get('/'), 0), resetAfter(get('/api/health'), 1),
      ]);
    }
    for (let i = 0; i < 3; i++) await resetAfter(get('/api/events.ndjson'), 1);
    const health = await fetch(`${authority.url}/api/health`);
    expect(health.status).toBe(200);
    // The download slots were given back: two downloads still run at once.
    const downloads = await Promise.all([1, 2].map(() => fetch(`${authority.url}/api/events.ndjson`)));
    expect(downloads.map((response) => response.status)).toEqual([200, 200]);
    await Promise.all(downloads.map((response) => response.text()));
  });
});

describe('after all of that', () => {
  it('still answers /api/health and still takes a peer', async () => {
    const response = await fetch(`${authority.url}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true });
    const worker = await joinAs('worker', authority.wsUrl);
    expect(worker.state).toBe('joined');
    worker.stop();
  });
});
