// Security headers of the authority's answers (pages, the sandbox document, the API) and the
// Origin check of /ws, against real authorities serving a small page folder.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../signaling/config.ts';
import { originAllowed, pageHeaders, pageOrigins, type OriginPolicy } from '../../signaling/security-headers.ts';
import { SANDBOX_CSP, SANDBOX_PATH } from '../../workers/sandbox/sandbox-csp.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';
import { rawRequest } from '../hostile/raw-http.ts';

let dist: string;
const started: TestAuthority[] = [];

beforeAll(() => {
  dist = mkdtempSync(join(tmpdir(), 'peerfarm-headers-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>worker</title>');
  writeFileSync(join(dist, 'sandbox.html'), '<!doctype html><title>sandbox</title>');
  writeFileSync(join(dist, 'assets', 'app.js'), 'export {};');
});

afterAll(() => rmSync(dist, { recursive: true, force: true }));

afterEach(async () => {
  for (const authority of started.splice(0)) await authority.close();
});

async function authorityWith(args: string[] = []): Promise<TestAuthority> {
  const authority = await startTestAuthority(['--dist-dir', dist, ...args]);
  started.push(authority);
  return authority;
}

/** Opens a WebSocket with `origin` (undefined: none, as Node clients send); resolves 'open' or the refusal. */
function connectWith(url: string, origin?: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, origin === undefined ? {} : { origin });
    socket.on('open', () => {
      socket.close();
      resolve('open');
    });
    socket.on('error', (error) => resolve(error.message));
  });
}

describe('page headers', () => {
  it('sends the pages a CSP without inline script, allowing this authority\'s WebSocket, and the other headers', async () => {
    const authority = await authorityWith();
    const response = await fetch(`${authority.url}/`);
    const host = `127.0.0.1:${authority.port}`;
    expect(response.headers.get('content-security-policy')).toBe([
      "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:",
      `connect-src 'self' ws://${host} wss://${host}`, "frame-src 'self'", "worker-src 'self'", "frame-ancestors 'self'",
      "base-uri 'none'", "form-action 'self'", "object-src 'none'",
    ].join('; '));
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  });

  it('sends the same headers with every asset of the pages', async () => {
    const authority = await authorityWith();
    const response = await fetch(`${authority.url}/assets/app.js`);
    expect(response.headers.get('content-security-policy')).toMatch(/^default-src 'self'; script-src 'self';/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('lets the pages frame the sandbox origin when --sandbox-origin is set', async () => {
    const authority = await authorityWith(['--sandbox-origin', 'https://sandbox.example.org']);
    const csp = (await fetch(`${authority.url}/`)).headers.get('content-security-policy');
    expect(csp).toContain("frame-src 'self' https://sandbox.example.org;");
  });

  it('leaves a Host header that is not a host name out of the policy', async () => {
    const authority = await authorityWith();
    const answer = await rawRequest(authority.port, 'GET / HTTP/1.1\r\nHost: x; script-src *\r\nConnection: close\r\n\r\n');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-security-policy']).toContain("connect-src 'self'; ");
    expect(answer.headers['content-security-policy']).not.toContain('script-src *');
  });
});

describe('sandbox document headers', () => {
  it('serves the sandbox document with its own CSP, framable by the authority\'s origins and the allowed ones', async () => {
    const authority = await authorityWith(['--allow-origin', 'https://farm.example.org']);
    const response = await fetch(`${authority.url}${SANDBOX_PATH}`);
    const port = authority.port;
    // No [::1]: CSP host sources cannot name IPv6 literals.
    expect(response.headers.get('content-security-policy')).toBe(`${SANDBOX_CSP}; frame-ancestors 'self' ` +
      `http://127.0.0.1:${port} https://127.0.0.1:${port} http://localhost:${port} https://farm.example.org`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('lets the pages on 127.0.0.1 frame the sandbox asked for under localhost (the --sandbox-origin set-up)', async () => {
    const authority = await authorityWith();
    const answer = await rawRequest(authority.port, `GET ${SANDBOX_PATH} HTTP/1.1\r\nHost: localhost:${authority.port}\r\nConnection: close\r\n\r\n`);
    expect(answer.headers['content-security-policy']).toContain(` http://127.0.0.1:${authority.port}`);
  });
});

describe('API and refusal headers', () => {
  it('marks JSON answers as data: nosniff and a CSP that loads and frames nothing', async () => {
    const authority = await authorityWith();
    for (const path of ['/api/health', '/api/nope', '/metrics', '/nope']) {
      const response = await fetch(`${authority.url}${path}`);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });
});

describe('the Origin check of /ws', () => {
  it('accepts no Origin (a Node client), the authority\'s own origin, and its listen address under localhost', async () => {
    const authority = await authorityWith();
    expect(await connectWith(authority.wsUrl)).toBe('open');
    expect(await connectWith(authority.wsUrl, authority.url)).toBe('open');
    expect(await connectWith(authority.wsUrl, `http://localhost:${authority.port}`)).toBe('open');
    expect(await connectWith(authority.wsUrl, `https://127.0.0.1:${authority.port}`)).toBe('open');
  });

  it('refuses another origin with 403 and one line', async () => {
    const authority = await authorityWith();
    expect(await connectWith(authority.wsUrl, 'https://evil.example')).toBe('Unexpected server response: 403');
    expect(await connectWith(authority.wsUrl, 'null')).toBe('Unexpected server response: 403');
    expect(await connectWith(authority.wsUrl, `http://127.0.0.1:${authority.port + 1}`)).toBe('Unexpected server response: 403');
    const answer = await rawRequest(authority.port, `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${authority.port}\r\nOrigin: https://evil.example\r\n` +
      'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    expect(answer.status).toBe(403);
    expect(answer.body).toBe('origin "https://evil.example" may not connect here: only the authority\'s own origin and those given with --allow-origin\n');
  });

  it('accepts the origins given with --allow-origin', async () => {
    const authority = await authorityWith(['--allow-origin', 'https://farm.example.org', '--allow-origin=http://lab.example:8080']);
    expect(await connectWith(authority.wsUrl, 'https://farm.example.org')).toBe('open');
    expect(await connectWith(authority.wsUrl, 'http://lab.example:8080')).toBe('open');
    expect(await connectWith(authority.wsUrl, 'https://other.example.org')).toBe('Unexpected server response: 403');
  });
});

describe('configuration of origins', () => {
  it('reads ALLOW_ORIGINS as a comma-separated list and lets --allow-origin win', () => {
    expect(readConfig([], { ALLOW_ORIGINS: 'https://a.example, http://b.example:81/' }).allowOrigins)
      .toEqual(['https://a.example', 'http://b.example:81']);
    expect(readConfig(['--allow-origin', 'https://c.example'], { ALLOW_ORIGINS: 'https://a.example' }).allowOrigins)
      .toEqual(['https://c.example']);
  });

  it('refuses an allowed origin that is not a bare http(s) origin', () => {
    expect(() => readConfig(['--allow-origin', 'https://a.example/path'], {}))
      .toThrow('allowed origin must be an http(s) origin such as https://farm.example.org, got "https://a.example/path"');
  });
});

describe('the origins of a federation', () => {
  const policy: OriginPolicy = {
    ownOrigins: ['http://127.0.0.1:8080'], allowOrigins: [],
    federation: () => ['ws://127.0.0.1:8081/ws', 'wss://b.farm.example.org/ws', 'not a url', 'http://c.example.org/'],
  };

  it('lets the pages open sockets to the other authorities, and those authorities\' pages open ours', () => {
    const csp = pageHeaders('127.0.0.1:8080', policy)['content-security-policy']!;
    expect(csp).toContain('connect-src \'self\' ws://127.0.0.1:8080 wss://127.0.0.1:8080 ws://127.0.0.1:8081 wss://b.farm.example.org;');
    expect(originAllowed('http://127.0.0.1:8081', '127.0.0.1:8080', policy)).toBe(true);
    expect(originAllowed('https://b.farm.example.org', '127.0.0.1:8080', policy)).toBe(true);
  });

  it('counts only ws(s) URLs that parse: nothing else becomes an origin of ours', () => {
    expect(originAllowed('http://c.example.org', '127.0.0.1:8080', policy)).toBe(false);
    expect(originAllowed('http://127.0.0.1:8082', '127.0.0.1:8080', policy)).toBe(false);
    expect(pageOrigins('127.0.0.1:8080', { ...policy, federation: () => [] })).not.toContain('http://127.0.0.1:8081');
  });
});
