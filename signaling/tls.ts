// TLS for the authority (DESIGN.md section 8, "Across machines"): browsers give WebCrypto — which a
// tab needs for its identity — only to secure contexts, so an authority reached by a name or a LAN
// address serves HTTPS and WSS. Either a certificate the operator gives (`--tls-cert`, `--tls-key`,
// PEM), or `--tls self-signed`: an ECDSA P-256 certificate made once in the data folder, naming
// this machine's addresses, and reused on every later start.
import { createHash, createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
// @peculiar/x509 builds on tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

export type TlsConfig =
  | { readonly mode: 'files'; readonly certFile: string; readonly keyFile: string }
  | { readonly mode: 'self-signed'; readonly names: readonly string[] };

export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  /** SHA-256 of the certificate, `AA:BB:...`, what browsers show and people compare. */
  readonly fingerprint: string;
  /** base64 SHA-256 of the public key (SPKI): what Chromium's --ignore-certificate-errors-spki-list takes. */
  readonly spki: string;
  /** The names and addresses the certificate is valid for. */
  readonly names: readonly string[];
  /** Where it came from, and whether it was made just now. */
  readonly source: string;
  readonly created: boolean;
}

export class TlsError extends Error {
  override readonly name = 'TlsError';
}

/** A self-signed certificate is made for this long; an expired one is made anew at start. */
export const SELF_SIGNED_DAYS = 825;
const DAY_MS = 24 * 60 * 60 * 1000;
const SELF_SIGNED_DIR = 'tls';
const SELF_SIGNED_CERT = 'self-signed-cert.pem';
const SELF_SIGNED_KEY = 'self-signed-key.pem';
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export async function loadTls(config: TlsConfig, dataDir: string, clock: () => number = Date.now): Promise<TlsMaterial> {
  if (config.mode === 'files') return fromFiles(config.certFile, config.keyFile);
  const dir = join(dataDir, SELF_SIGNED_DIR);
  const certFile = join(dir, SELF_SIGNED_CERT);
  const keyFile = join(dir, SELF_SIGNED_KEY);
  const wanted = selfSignedNames(config.names);
  if (existsSync(certFile) && existsSync(keyFile)) {
    const kept = fromFiles(certFile, keyFile);
    const validTo = Date.parse(new X509Certificate(kept.cert).validTo);
    const covered = new Set(kept.names.map(canonicalName));
    if (validTo > clock() + DAY_MS && wanted.every((name) => covered.has(canonicalName(name)))) return kept;
  }
  mkdirSync(dir, { recursive: true });
  const { cert, key } = await makeSelfSigned(wanted, clock());
  writeFileSync(keyFile, key, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  writeFileSync(certFile, cert);
  return { ...describe(cert, key), source: certFile, created: true };
}

/** How to trust the certificate, for the start-up log: one line per way. */
export function trustAdvice(material: TlsMaterial, url: string): string[] {
  return [
    `TLS certificate ${material.source} for ${material.names.join(', ')}`,
    `  SHA-256 fingerprint ${material.fingerprint}`,
    ...(material.source.endsWith(SELF_SIGNED_CERT) ? [
      `  self-signed: each browser asks once; open ${url} and accept it after checking the fingerprint above,`,
      `  or trust ${material.source} in the system or browser certificate store,`,
      `  or (Chromium, for tests) --ignore-certificate-errors-spki-list=${material.spki}`,
    ] : []),
  ];
}

function fromFiles(certFile: string, keyFile: string): TlsMaterial {
  const cert = readPem(certFile, 'certificate', /-----BEGIN CERTIFICATE-----/);
  const key = readPem(keyFile, 'private key', /-----BEGIN (?:EC |RSA |ENCRYPTED )?PRIVATE KEY-----/);
  try {
    return { ...describe(cert, key), source: certFile, created: false };
  } catch (error) {
    throw new TlsError(`cannot use ${certFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function readPem(file: string, what: string, begin: RegExp): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TlsError(`cannot read the TLS ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!begin.test(text)) throw new TlsError(`${file} is not a PEM ${what}`);
  return text;
}

function describe(cert: string, key: string): Omit<TlsMaterial, 'source' | 'created'> {
  const parsed = new X509Certificate(cert);
  if (!parsed.checkPrivateKey(createPrivateKey(key))) throw new TlsError('the private key does not belong to the certificate');
  const spkiDer = parsed.publicKey.export({ type: 'spki', format: 'der' });
  return {
    cert, key,
    fingerprint: parsed.fingerprint256,
    spki: createHash('sha256').update(spkiDer).digest('base64'),
    names: (parsed.subjectAltName ?? '').split(', ').filter(Boolean).map((name) => name.replace(/^(DNS|IP Address):/, '')),
  };
}

/** localhost and loopback, this machine's name and every address it has, and the names asked for. */
function selfSignedNames(extra: readonly string[]): string[] {
  const addresses = Object.values(networkInterfaces()).flat()
    .filter((entry) => entry !== undefined && !entry.address.startsWith('fe80:'))
    .map((entry) => entry!.address);
  return [...new Set(['localhost', '127.0.0.1', '::1', hostname(), ...addresses, ...extra])].sort();
}

/** One spelling per name: IPv6 compressed and lower case (certificates print it expanded), names lower case. */
function canonicalName(name: string): string {
  return isIP(name) === 6 ? new URL(`http://[${name}]`).hostname : name.toLowerCase();
}

async function makeSelfSigned(names: readonly string[], nowMs: number): Promise<{ cert: string; key: string }> {
  const crypto = webcrypto as unknown as Crypto;
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']) as CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=peer farm authority (${hostname()})`,
    notBefore: new Date(nowMs - DAY_MS),
    notAfter: new Date(nowMs + SELF_SIGNED_DAYS * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map((name) => ({ type: isIP(name) ? 'ip' as const : 'dns' as const, value: name }))),
    ],
  }, crypto);
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  const key = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(pkcs8).toString('base64').replace(/(.{64})/g, '$1\n').trim()}\n-----END PRIVATE KEY-----\n`;
  return { cert: certificate.toString('pem'), key };
}
