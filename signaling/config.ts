// Authority configuration from flags and environment; a wrong value is one clear line, not a trace.
import { resolve } from 'node:path';
import { isIP } from 'node:net';
import type { TlsConfig } from './tls.ts';
import { iceConfigProblem, type IceConfig } from './turn.ts';
import { federationConfigProblem, type FederationConfig } from './federation/config.ts';
import { MAX_CONNECTIONS_PER_ADDRESS } from './websocket.ts';
import { redactUrl } from './ledger/database-url.ts';

export interface AuthorityConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** A PostgreSQL ledger shared with other authorities; undefined: the SQLite file in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** The built pages (vite build output). */
  readonly distDir: string;
  readonly maxConnections: number;
  /** WebSockets one address may hold open at once. */
  readonly maxConnectionsPerAddress: number;
  /** A registered peer silent for this long is removed. */
  readonly peerExpiryMs: number;
  /** Points a new identity is granted once, and how many grants one address gets per day. */
  readonly grantPoints: number;
  readonly grantsPerIpPerDay: number;
  /** Option overrides pushed to every peer (`--option key=value`). */
  readonly options: Readonly<Record<string, string>>;
  /**
   * Another origin (host name) serving the same sandbox document, e.g. https://sandbox.example.org:
   * peers load their job sandbox from there, on another site, which every browser with site
   * isolation puts in a process of its own (`sandbox_url` is pushed to peers).
   */
  readonly sandboxOrigin?: string | undefined;
  /** pino level of the JSON log lines on stdout (`silent` for none). */
  readonly logLevel: LogLevel;
  /** A link that has not declared its protocol this long after it opened is closed. */
  readonly handshakeTimeoutMs: number;
  /** A link that has not joined this long after it opened is closed. */
  readonly joinTimeoutMs: number;
  /** Links not joined yet, from all addresses together; past it the oldest of them is closed. */
  readonly maxUnjoined: number;
  /** Origins besides the authority's own whose pages may open /ws (and frame the sandbox). */
  readonly allowOrigins: readonly string[];
  /** HTTPS and WSS instead of HTTP and WS: a given certificate, or one made once in the data folder. */
  readonly tls?: TlsConfig | undefined;
  /** STUN/TURN URLs pushed as `ice_servers`, and the TURN secret credentials are minted from (turn.ts). */
  readonly ice: IceConfig;
  /** Other authorities to federate with, this one's announced URL and the members' secret. */
  readonly federation: FederationConfig;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * One authority holds 10,000 peers (DESIGN.md section 7, measured by `bench authority-load`); the
 * 20% above that leaves room for links not joined yet (--max-unjoined) and for reloaded tabs whose
 * old link has not expired. Each link is one file descriptor: Node raises its soft limit to the hard
 * one, which must be above this (ulimit -Hn). Past it, run more authorities.
 */
export const DEFAULT_MAX_CONNECTIONS = 12_000;
export const DEFAULT_PEER_EXPIRY_MS = 30_000;
/** A client declares its protocol in its first frame; 10 s allows a slow mobile link, not an idle slot. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Joining takes a key generation and a signature at most; 15 s covers a slow, busy tab. */
export const DEFAULT_JOIN_TIMEOUT_MS = 15_000;
/** Enough for a classroom joining at once, small enough that idle sockets never fill --max-connections. */
export const DEFAULT_MAX_UNJOINED = 256;

export const USAGE = `usage: npm start -- [--port N] [--host ADDR] [--data-dir DIR] [--max-connections N]
                      [--max-connections-per-address N] [--peer-expiry-ms MS] [--grant-points N]
                      [--grants-per-ip-per-day N] [--option key=value ...]
                      [--sandbox-origin URL] [--allow-origin URL ...] [--log-level LEVEL]
                      [--handshake-timeout-ms MS] [--join-timeout-ms MS] [--max-unjoined N]
                      [--tls-cert FILE --tls-key FILE | --tls self-signed [--tls-name NAME ...]]
                      [--turn-url URL ... --turn-secret SECRET] [--database-url postgres://...]
                      [--peer-authority WS_URL ... --federation-secret SECRET] [--public-url WS_URL]
environment: PORT (8080), HOST (127.0.0.1), DATA_DIR (./data), MAX_CONNECTIONS (12000),
             MAX_CONNECTIONS_PER_ADDRESS (64), PEER_EXPIRY_MS,
             GRANT_POINTS (1000), GRANTS_PER_IP_PER_DAY (3), SANDBOX_ORIGIN, ALLOW_ORIGINS (comma-separated),
             LOG_LEVEL (info), HANDSHAKE_TIMEOUT_MS (10000), JOIN_TIMEOUT_MS (15000), MAX_UNJOINED (256),
             TLS_CERT, TLS_KEY, TLS (self-signed), TLS_NAMES (comma-separated),
             TURN_URLS (comma-separated), TURN_SECRET, DATABASE_URL (the ledger on PostgreSQL),
             PEER_AUTHORITIES (comma-separated), FEDERATION_SECRET, PUBLIC_URL`;

const FLAGS = ['--port', '--host', '--data-dir', '--max-connections', '--max-connections-per-address', '--peer-expiry-ms',
  '--option', '--dist-dir', '--grant-points', '--grants-per-ip-per-day', '--sandbox-origin', '--allow-origin', '--log-level',
  '--handshake-timeout-ms', '--join-timeout-ms', '--max-unjoined', '--tls', '--tls-cert', '--tls-key', '--tls-name',
  '--turn-url', '--turn-secret', '--database-url', '--peer-authority', '--federation-secret', '--public-url'];

export function readConfig(argv: readonly string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): AuthorityConfig {
  const flags = readFlags(argv);
  const value = (flag: string, name: string): string | undefined => flags.get(flag)?.at(-1) ?? env[name];
  const options = Object.fromEntries((flags.get('--option') ?? []).map(checkOption));
  const host = checkHost(value('--host', 'HOST') ?? '127.0.0.1');
  return {
    host,
    port: checkInt('port', value('--port', 'PORT') ?? '8080', 0, 65535),
    dataDir: resolve(cwd, nonEmpty('data folder', value('--data-dir', 'DATA_DIR') ?? 'data')),
    databaseUrl: checkDatabaseUrl(value('--database-url', 'DATABASE_URL')),
    distDir: resolve(cwd, value('--dist-dir', 'DIST_DIR') ?? 'dist'),
    maxConnections: checkInt('max connections', value('--max-connections', 'MAX_CONNECTIONS') ?? String(DEFAULT_MAX_CONNECTIONS), 1, 100_000),
    maxConnectionsPerAddress: checkInt('max connections per address',
      value('--max-connections-per-address', 'MAX_CONNECTIONS_PER_ADDRESS') ?? String(MAX_CONNECTIONS_PER_ADDRESS), 1, 100_000),
    peerExpiryMs: checkInt('peer expiry', value('--peer-expiry-ms', 'PEER_EXPIRY_MS') ?? String(DEFAULT_PEER_EXPIRY_MS), 1000, 3_600_000),
    grantPoints: checkInt('grant points', value('--grant-points', 'GRANT_POINTS') ?? '1000', 0, 1_000_000),
    grantsPerIpPerDay: checkInt('grants per address and day', value('--grants-per-ip-per-day', 'GRANTS_PER_IP_PER_DAY') ?? '3', 0, 1_000_000),
    options,
    sandboxOrigin: checkSandboxOrigin(value('--sandbox-origin', 'SANDBOX_ORIGIN')),
    logLevel: checkLogLevel(value('--log-level', 'LOG_LEVEL') ?? 'info'),
    handshakeTimeoutMs: checkInt('handshake timeout', value('--handshake-timeout-ms', 'HANDSHAKE_TIMEOUT_MS') ?? String(DEFAULT_HANDSHAKE_TIMEOUT_MS), 10, 600_000),
    joinTimeoutMs: checkInt('join timeout', value('--join-timeout-ms', 'JOIN_TIMEOUT_MS') ?? String(DEFAULT_JOIN_TIMEOUT_MS), 10, 600_000),
    maxUnjoined: checkInt('max unjoined', value('--max-unjoined', 'MAX_UNJOINED') ?? String(DEFAULT_MAX_UNJOINED), 1, 100_000),
    allowOrigins: (flags.get('--allow-origin') ?? env['ALLOW_ORIGINS']?.split(',').filter((text) => text.trim() !== '') ?? [])
      .map((text) => checkOrigin('allowed origin', text.trim(), 'https://farm.example.org')),
    tls: checkTls(value('--tls', 'TLS'), value('--tls-cert', 'TLS_CERT'), value('--tls-key', 'TLS_KEY'),
      flags.get('--tls-name') ?? env['TLS_NAMES']?.split(',').map((name) => name.trim()).filter(Boolean) ?? [], cwd),
    ice: checkIce(flags.get('--turn-url') ?? env['TURN_URLS']?.split(',').map((url) => url.trim()).filter(Boolean) ?? [],
      value('--turn-secret', 'TURN_SECRET'), options),
    federation: checkFederation({
      seeds: flags.get('--peer-authority') ?? env['PEER_AUTHORITIES']?.split(',').map((url) => url.trim()).filter(Boolean) ?? [],
      publicUrl: value('--public-url', 'PUBLIC_URL'),
      secret: value('--federation-secret', 'FEDERATION_SECRET'),
    }, host),
  };
}

function checkFederation(federation: FederationConfig, host: string): FederationConfig {
  const problem = federationConfigProblem(federation, host);
  if (problem !== undefined) throw new ConfigError(problem);
  return federation;
}

function checkDatabaseUrl(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || !['postgres:', 'postgresql:'].includes(url.protocol) || url.hostname === '') {
    const shown = url === undefined ? 'not a URL' : `"${redactUrl(url)}"`;
    throw new ConfigError(`--database-url (DATABASE_URL) must be a URL such as postgres://user@host:5432/peerfarm, got ${shown}`);
  }
  return text;
}

function checkIce(urls: readonly string[], secret: string | undefined, options: Readonly<Record<string, string>>): IceConfig {
  const problem = iceConfigProblem(urls, secret);
  if (problem !== undefined) throw new ConfigError(problem);
  if (urls.length > 0 && options['ice_servers'] !== undefined) {
    throw new ConfigError('--turn-url and --option ice_servers=... both set the ICE servers: keep one');
  }
  return { urls, secret };
}

function checkTls(mode: string | undefined, certFile: string | undefined, keyFile: string | undefined,
  names: readonly string[], cwd: string): TlsConfig | undefined {
  if (mode !== undefined && mode !== 'self-signed') throw new ConfigError(`--tls takes "self-signed", got "${mode}" (a certificate of your own: --tls-cert FILE --tls-key FILE)`);
  if (mode !== undefined && (certFile !== undefined || keyFile !== undefined)) {
    throw new ConfigError('--tls self-signed and --tls-cert/--tls-key exclude each other: choose one');
  }
  if ((certFile === undefined) !== (keyFile === undefined)) throw new ConfigError('--tls-cert and --tls-key go together: give both PEM files');
  for (const name of names) {
    if (!/^[A-Za-z0-9.-]{1,253}$/.test(name) && isIP(name) === 0) throw new ConfigError(`--tls-name must be a host name or an IP address, got "${name}"`);
  }
  if (names.length > 0 && mode === undefined) throw new ConfigError('--tls-name names what a self-signed certificate covers: add --tls self-signed');
  if (certFile !== undefined && keyFile !== undefined) return { mode: 'files', certFile: resolve(cwd, certFile), keyFile: resolve(cwd, keyFile) };
  return mode === 'self-signed' ? { mode: 'self-signed', names } : undefined;
}

function readFlags(argv: readonly string[]): Map<string, string[]> {
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') && arg.startsWith('--') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    // Only the flag's name: the value of a misspelt --turn-secret=... must not reach the terminal or a log.
    if (!FLAGS.includes(flag)) throw new ConfigError(`unknown argument "${flag}"\n${USAGE}`);
    const given = inline ?? argv[++i];
    if (given === undefined) throw new ConfigError(`${flag} needs a value`);
    flags.set(flag, [...(flags.get(flag) ?? []), given]);
  }
  return flags;
}

function checkInt(what: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^[0-9]+$/.test(text) || value < min || value > max) {
    throw new ConfigError(`${what} must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

function checkHost(host: string): string {
  if (host === 'localhost' || isIP(host) !== 0) return host;
  throw new ConfigError(`host must be an IP address or "localhost", got "${host}"`);
}

function nonEmpty(what: string, text: string): string {
  if (text.trim() === '') throw new ConfigError(`${what} must not be empty`);
  return text;
}

function checkSandboxOrigin(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  return checkOrigin('sandbox origin', text, 'https://sandbox.example.org');
}

function checkLogLevel(text: string): LogLevel {
  if ((LOG_LEVELS as readonly string[]).includes(text)) return text as LogLevel;
  throw new ConfigError(`log level must be one of ${LOG_LEVELS.join(', ')}, got "${text}"`);
}

/** An http(s) origin: scheme, host and port, nothing else (a trailing "/" is accepted). */
function checkOrigin(what: string, text: string, example: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  const bare = url !== undefined && url.pathname === '/' && !/[?#@]/.test(text) && !text.replace(/\/$/, '').endsWith('/');
  if (url === undefined || !/^https?:$/.test(url.protocol) || !bare) {
    throw new ConfigError(`${what} must be an http(s) origin such as ${example}, got "${text}"`);
  }
  return url.origin;
}

function checkOption(text: string): [string, string] {
  const match = /^([a-z][a-z0-9_]*)=(.*)$/s.exec(text);
  if (!match) throw new ConfigError(`--option wants key=value with a lower-case key, got "${text}"`);
  return [match[1]!, match[2]!];
}

/** True when only this machine can reach the address: then peers keep ICE on loopback too. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
