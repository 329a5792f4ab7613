// TLS: `--tls self-signed` makes a certificate once in the data folder and reuses it; the authority
// serves HTTPS and WSS on one port and redirects plain HTTP there; `--tls-cert/--tls-key` serve a
// given one; bad TLS settings stop the authority with one line. Real sockets on loopback.
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthorityConnection } from '../../src/peer/authority-connection.ts';
import { Options } from '../../src/peer/options.ts';
import { generateIdentity } from '../../src/protocol/identity.ts';
import type { WebSocketLike } from '../../src/net/ws-link.ts';
import { ConfigError, readConfig } from '../../signaling/config.ts';
import { loadTls, trustAdvice, TlsError } from '../../signaling/tls.ts';
import { startTestAuthority, type TestAuthority } from '../helpers/authority.ts';

const started: TestAuthority[] = [];

afterEach(async () => {
  for (const authority of started.splice(0)) await authority.close();
});

async function tlsAuthority(args: string[], dataDir?: string): Promise<TestAuthority> {
  const authority = await startTestAuthority([...args, ...(dataDir ? ['--data-dir', dataDir] : [])]);
  started.push(authority);
  return authority;
}

/** GET over HTTPS trusting `ca` (the authority's certificate), as a browser that accepted it would. */
function getHttps(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function getPlain(url: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, location: response.headers.location }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('--tls self-signed', () => {
  it('serves HTTPS and WSS on one port, with a certificate it made in the data folder', async () => {
    const authority = await tlsAuthority(['--tls', 'self-signed', '--tls-name', 'farm.lan']);
    expect(authority.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(authority.wsUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/ws$/);
    const tls = authority.tls!;
    expect(tls).toMatchObject({ created: true, source: join(authority.dataDir, 'tls', 'self-signed-cert.pem') });
    expect(tls.names).toEqual(expect.arrayContaining(['localhost', '127.0.0.1', 'farm.lan']));
    expect(tls.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(statSync(join(authority.dataDir, 'tls', 'self-signed-key.pem')).mode & 0o777).toBe(0o600);
    expect(await getHttps(`${authority.url}/api/health`, tls.cert)).toMatchObject({ status: 200, body: expect.stringContaining('"ok":true') });
    const identity = await generateIdentity();
    const connection = new AuthorityConnection({
      role: 'worker', identity, urls: [authority.wsUrl], options: new Options(),
      openSocket: (url) => new WebSocket(url, { ca: tls.cert }) as unknown as WebSocketLike,
    });
    await connection.start();
    expect(connection.state).toBe('joined');
    connection.stop();
  });

  it('redirects plain HTTP on its port to the same path over HTTPS', async () => {
    const authority = await tlsAuthority(['--tls', 'self-signed']);
    const plain = authority.url.replace('https:', 'http:');
    expect(await getPlain(`${plain}/submit.html?ephemeral`)).toEqual({ status: 308, location: `${authority.url}/submit.html?ephemeral` });
    expect((await getPlain(`${plain}/%zz`)).status).toBe(400);
  });

  it('keeps its certificate across restarts, and tells how to trust it', async () => {
    const first = await tlsAuthority(['--tls', 'self-signed']);
    const { dataDir } = first;
    const fingerprint = first.tls!.fingerprint;
    const material = await loadTls({ mode: 'self-signed', names: [] }, dataDir);
    expect(material).toMatchObject({ created: false, fingerprint });
    const advice = trustAdvice(material, 'https://localhost:8080');
    expect(advice[1]).toBe(`  SHA-256 fingerprint ${fingerprint}`);
    expect(advice.at(-1)).toBe(`  or (Chromium, for tests) --ignore-certificate-errors-spki-list=${material.spki}`);
    // A name it does not cover yet makes a new one.
    expect(await loadTls({ mode: 'self-signed', names: ['new.lan'] }, dataDir)).toMatchObject({ created: true });
  });
});

describe('--tls-cert and --tls-key', () => {
  it('serve the given certificate', async () => {
    const made = await tlsAuthority(['--tls', 'self-signed']);
    const dir = join(made.dataDir, 'tls');
    const given = await tlsAuthority(['--tls-cert', join(dir, 'self-signed-cert.pem'), '--tls-key', join(dir, 'self-signed-key.pem')]);
    expect(given.tls).toMatchObject({ created: false, fingerprint: made.tls!.fingerprint });
    expect((await getHttps(`${given.url}/api/health`, made.tls!.cert)).status).toBe(200);
  });

  it('refuse a key of another certificate, a file that is not PEM, or one that is missing, in one line', async () => {
    const a = await tlsAuthority(['--tls', 'self-signed']);
    const b = await tlsAuthority(['--tls', 'self-signed', '--tls-name', 'b.lan']);
    const cert = join(a.dataDir, 'tls', 'self-signed-cert.pem');
    await expect(loadTls({ mode: 'files', certFile: cert, keyFile: join(b.dataDir, 'tls', 'self-signed-key.pem') }, a.dataDir))
      .rejects.toThrow(new TlsError(`cannot use ${cert}: the private key does not belong to the certificate`));
    await expect(loadTls({ mode: 'files', certFile: join(a.dataDir, 'ledger.sqlite'), keyFile: cert }, a.dataDir))
      .rejects.toThrow(`${join(a.dataDir, 'ledger.sqlite')} is not a PEM certificate`);
    await expect(loadTls({ mode: 'files', certFile: '/nonexistent/cert.pem', keyFile: cert }, a.dataDir))
      .rejects.toThrow('cannot read the TLS certificate /nonexistent/cert.pem: ENOENT');
  });

  it('are checked with the other settings', () => {
    const read = (...args: string[]) => () => readConfig(args, {});
    expect(read('--tls', 'on')).toThrow(new ConfigError('--tls takes "self-signed", got "on" (a certificate of your own: --tls-cert FILE --tls-key FILE)'));
    expect(read('--tls-cert', 'c.pem')).toThrow(new ConfigError('--tls-cert and --tls-key go together: give both PEM files'));
    expect(read('--tls', 'self-signed', '--tls-key', 'k.pem')).toThrow('--tls self-signed and --tls-cert/--tls-key exclude each other');
    expect(read('--tls-name', 'x.lan')).toThrow('--tls-name names what a self-signed certificate covers: add --tls self-signed');
    expect(read('--tls', 'self-signed', '--tls-name', 'bad name')).toThrow('--tls-name must be a host name or an IP address, got "bad name"');
    expect(readConfig([], { TLS: 'self-signed', TLS_NAMES: 'a.lan, b.lan' }).tls).toEqual({ mode: 'self-signed', names: ['a.lan', 'b.lan'] });
    expect(readConfig([], {}).tls).toBeUndefined();
  });
});
