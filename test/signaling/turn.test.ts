// TURN REST credentials (signaling/turn.ts): minted as coturn's use-auth-secret checks them,
// configured by --turn-url/--turn-secret (or TURN_URLS/TURN_SECRET), pushed per link in
// `options`, renewed before they expire, and never shown in events or error messages.
import { createHmac } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startAuthority, type Authority } from '../../signaling/authority.ts';
import { ConfigError, readConfig } from '../../signaling/config.ts';
import {
  iceConfigProblem, iceOptions, mintTurnCredential, redactTurnCredential, TURN_CREDENTIAL_LIFETIME_S, TURN_RENEW_AFTER_MS,
} from '../../signaling/turn.ts';
import { parseList } from '../../src/protocol/parse.ts';
import type { AuthorityConnection } from '../../src/peer/authority-connection.ts';
import { Options } from '../../src/peer/options.ts';
import { joinAs, rawPeer, type RawPeer } from '../helpers/ws-peer.ts';
import { until } from '../helpers/until.ts';

const run = promisify(execFile);
const SECRET = 'north-wind';
const TURN = 'turn:10.233.0.1:3478?transport=udp';

describe('mintTurnCredential', () => {
  it('names the expiry in unix seconds and the token, and signs that username with HMAC-SHA1 in base64', () => {
    const nowMs = 1_699_999_999_500;
    const minted = mintTurnCredential(SECRET, 'peer', nowMs);
    expect(minted.username).toBe(`${1_699_999_999 + TURN_CREDENTIAL_LIFETIME_S}:peer`);
    // `echo -n "1700003600:peer" | openssl dgst -sha1 -hmac north-wind -binary | base64`
    expect(mintTurnCredential(SECRET, 'peer', 1_700_000_000_000)).toEqual({ username: '1700003600:peer', credential: 'vTnSoSsC1JypOExYVZtthiwuE2s=' });
    expect(minted.credential).toBe(createHmac('sha1', SECRET).update(minted.username).digest('base64'));
  });

  it('gives each token and each minute its own credential', () => {
    const a = mintTurnCredential(SECRET, 'a', 0);
    expect(mintTurnCredential(SECRET, 'b', 0).credential).not.toBe(a.credential);
    expect(mintTurnCredential(SECRET, 'a', 60_000).username).not.toBe(a.username);
    expect(mintTurnCredential('another secret', 'a', 0).credential).not.toBe(a.credential);
  });
});

describe('iceOptions', () => {
  it('pushes no servers when none are configured', () => {
    expect(iceOptions({ urls: [] }, 'token', 0)).toEqual({ ice_servers: '' });
  });

  it('pushes STUN URLs alone without credentials', () => {
    expect(iceOptions({ urls: ['stun:10.233.0.1:3478'] }, 'token', 0)).toEqual({ ice_servers: 'stun:10.233.0.1:3478' });
  });

  it('pushes every URL and a credential minted for the link when TURN is set', () => {
    const options = iceOptions({ urls: ['stun:10.233.0.1', TURN, 'turns:turn.example.org:5349'], secret: SECRET }, 'tok', 1_700_000_000_000);
    expect(options).toEqual({
      ice_servers: `stun:10.233.0.1 ${TURN} turns:turn.example.org:5349`,
      turn_username: '1700003600:tok',
      turn_credential: mintTurnCredential(SECRET, 'tok', 1_700_000_000_000).credential,
    });
  });
});

describe('TURN configuration', () => {
  it('reads repeated --turn-url flags and --turn-secret', () => {
    const config = readConfig(['--turn-url', TURN, '--turn-url=turns:turn.example.org:5349', '--turn-secret', SECRET], {});
    expect(config.ice).toEqual({ urls: [TURN, 'turns:turn.example.org:5349'], secret: SECRET });
  });

  it('reads TURN_URLS (comma-separated) and TURN_SECRET from the environment', () => {
    expect(readConfig([], { TURN_URLS: `${TURN}, stun:[fd00::1]:3478`, TURN_SECRET: SECRET }).ice)
      .toEqual({ urls: [TURN, 'stun:[fd00::1]:3478'], secret: SECRET });
  });

  it('takes STUN alone without a secret, and nothing at all by default', () => {
    expect(readConfig(['--turn-url', 'stun:stun.example.org:3478'], {}).ice).toEqual({ urls: ['stun:stun.example.org:3478'], secret: undefined });
    expect(readConfig([], {}).ice).toEqual({ urls: [], secret: undefined });
  });

  it.each([
    [['--turn-secret', SECRET], '--turn-secret needs a turn: or turns: --turn-url (TURN_URLS) to be used with'],
    [['--turn-url', 'stun:10.233.0.1', '--turn-secret', SECRET], '--turn-secret needs a turn: or turns: --turn-url (TURN_URLS) to be used with'],
    [['--turn-url', TURN], `--turn-url ${TURN} needs --turn-secret (TURN_SECRET): credentials are minted from it`],
    [['--turn-url', TURN, '--turn-secret', ''], '--turn-secret must not be empty'],
    [['--turn-url', 'http://10.233.0.1:3478', '--turn-secret', SECRET],
      '--turn-url must be stun:host[:port], turn:host[:port][?transport=udp|tcp] or turns:..., got "http://10.233.0.1:3478"'],
    [['--turn-url', 'turn:10.233.0.1:99999', '--turn-secret', SECRET],
      '--turn-url must be stun:host[:port], turn:host[:port][?transport=udp|tcp] or turns:..., got "turn:10.233.0.1:99999"'],
    [['--turn-url', 'stun:10.233.0.1?transport=udp'],
      '--turn-url must be stun:host[:port], turn:host[:port][?transport=udp|tcp] or turns:..., got "stun:10.233.0.1?transport=udp"'],
    [['--turn-url', TURN, '--turn-secret', SECRET, '--option', 'ice_servers=stun:a'],
      '--turn-url and --option ice_servers=... both set the ICE servers: keep one'],
  ])('refuses %j in one line that never shows the secret', (argv, message) => {
    expect(() => readConfig(argv, {})).toThrow(new ConfigError(message));
    expect(message).not.toContain(SECRET);
  });

  it('never repeats the value of a misspelt flag, which may be the secret', () => {
    expect(() => readConfig([`--turn-secert=${SECRET}`], {})).toThrow(/^unknown argument "--turn-secert"\n/);
    expect(() => readConfig([`--turn-secert=${SECRET}`], {})).not.toThrow(new RegExp(SECRET));
  });

  it('names the problem the same way for the environment', () => {
    expect(iceConfigProblem([], SECRET)).toBe('--turn-secret needs a turn: or turns: --turn-url (TURN_URLS) to be used with');
  });

  it('stops the authority command with one line on stderr for a secret without URLs', async () => {
    const failure = await run(process.execPath, ['--import', 'tsx', 'signaling/main.ts'], { env: { ...process.env, TURN_SECRET: SECRET } })
      .then(() => undefined, (error: { code: number; stderr: string; stdout: string }) => error);
    expect(failure?.code).toBe(1);
    expect(failure?.stderr.trim()).toBe('peerfarm: --turn-secret needs a turn: or turns: --turn-url (TURN_URLS) to be used with');
    expect(`${failure?.stdout}${failure?.stderr}`).not.toContain(SECRET);
  });
});

describe('redactTurnCredential', () => {
  it('replaces the credential in a command line and leaves every other word', () => {
    expect(redactTurnCredential('options ice_servers turn:a turn_username 1:x turn_credential vTnS+/oS= address 10.0.0.1'))
      .toBe('options ice_servers turn:a turn_username 1:x turn_credential - address 10.0.0.1');
    expect(redactTurnCredential('options turn_credential {a b}')).toBe('options turn_credential -');
    expect(redactTurnCredential('peers {a b}')).toBe('peers {a b}');
  });
});

describe('an authority with TURN', () => {
  let authority: Authority | undefined;
  let dataDir = '';
  const peers: RawPeer[] = [];
  const connections: AuthorityConnection[] = [];
  let nowMs = 1_700_000_000_000;

  async function start(args: string[]): Promise<Authority> {
    dataDir = mkdtempSync(join(tmpdir(), 'peerfarm-turn-'));
    const config = readConfig(['--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent', ...args], {});
    authority = await startAuthority(config, () => nowMs);
    return authority;
  }

  /** A raw worker link's greeting: its challenge nonce and the pushed options as a dict. */
  async function greeting(url: string): Promise<{ peer: RawPeer; nonce: string; options: Map<string, string> }> {
    const peer = await rawPeer(url);
    peers.push(peer);
    peer.send('protocol p2p:authority<-worker/2');
    const nonce = parseList(await peer.next(/^challenge /))[1]!;
    return { peer, nonce, options: optionsOf(await peer.next(/^options /)) };
  }

  afterEach(async () => {
    for (const peer of peers.splice(0)) peer.link.close();
    for (const connection of connections.splice(0)) connection.stop();
    await authority?.close();
    authority = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('pushes the URLs and a credential of its own to each link, valid for the lifetime from now', async () => {
    const { wsUrl } = await start(['--turn-url', TURN, '--turn-url', 'stun:10.233.0.1:3478', '--turn-secret', SECRET]);
    const first = await greeting(wsUrl);
    const second = await greeting(wsUrl);
    for (const { nonce, options } of [first, second]) {
      expect(options.get('ice_servers')).toBe(`${TURN} stun:10.233.0.1:3478`);
      expect(options.get('turn_username')).toBe(`${nowMs / 1000 + TURN_CREDENTIAL_LIFETIME_S}:${nonce}`);
      expect(options.get('turn_credential')).toBe(createHmac('sha1', SECRET).update(options.get('turn_username')!).digest('base64'));
    }
    expect(first.options.get('turn_credential')).not.toBe(second.options.get('turn_credential'));
  });

  it('pushes fresh credentials to a joined peer whose credentials are half-way to expiry', async () => {
    const { wsUrl } = await start(['--turn-url', TURN, '--turn-secret', SECRET, '--peer-expiry-ms', '3600000']);
    const options = new Options();
    connections.push(await joinAs('worker', wsUrl, options));
    const first = options.get('turn_username');
    const firstExpiry = Number(first.split(':')[0]);
    nowMs += TURN_RENEW_AFTER_MS;
    await until(() => options.get('turn_username') !== first, 5000);
    expect(Number(options.get('turn_username').split(':')[0])).toBe(firstExpiry + TURN_RENEW_AFTER_MS / 1000);
    expect(options.get('turn_credential')).toBe(createHmac('sha1', SECRET).update(options.get('turn_username')).digest('base64'));
    expect(connections[0]!.address).toBe('127.0.0.1');
  });

  it('keeps the credential out of the events it records', async () => {
    const { wsUrl } = await start(['--turn-url', TURN, '--turn-secret', SECRET]);
    const { options } = await greeting(wsUrl);
    const credential = options.get('turn_credential')!;
    await until(() => authority!.events.all().some((event) => event.text?.startsWith('options ')));
    const texts = authority!.events.all().map((event) => event.text ?? '');
    expect(texts.find((text) => text.startsWith('options '))).toMatch(/ turn_credential - /);
    expect(texts.join('\n')).not.toContain(credential);
    expect(texts.join('\n')).not.toContain(SECRET);
  });

  it('pushes an empty ice_servers and no credential without TURN', async () => {
    const { wsUrl } = await start([]);
    const { options } = await greeting(wsUrl);
    expect(options.get('ice_servers')).toBe('');
    expect(options.has('turn_username')).toBe(false);
  });
});

function optionsOf(frame: string): Map<string, string> {
  const words = parseList(frame).slice(1);
  return new Map(Array.from({ length: words.length / 2 }, (_, i) => [words[2 * i]!, words[2 * i + 1]!]));
}
