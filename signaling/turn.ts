// STUN and TURN servers pushed to peers, and TURN credentials minted per link with the REST scheme
// coturn implements (`use-auth-secret` + `static-auth-secret`, draft-uberti-behave-turn-rest-00):
// username `<unix expiry seconds>:<token>`, credential base64(HMAC-SHA1(secret, username)).
// The secret never leaves the authority and is never logged; docs/PROTOCOL.md section 4.
import { createHmac } from 'node:crypto';

/**
 * How long a minted credential is good for. A tab uses it to allocate relays for new links; the
 * authority sends fresh ones at half of it (and on every new link), so an hour bounds what a
 * leaked credential is worth without a tab ever holding an expired one.
 */
export const TURN_CREDENTIAL_LIFETIME_S = 3600;
/** Credentials older than this are pushed again to a peer still linked. */
export const TURN_RENEW_AFTER_MS = (TURN_CREDENTIAL_LIFETIME_S * 1000) / 2;

export interface IceConfig {
  /** stun:, turn: and turns: URLs, pushed to peers as `ice_servers`. */
  readonly urls: readonly string[];
  /** coturn's static-auth-secret; set whenever a turn(s): URL is. */
  readonly secret?: string | undefined;
}

export interface TurnCredential {
  readonly username: string;
  readonly credential: string;
}

// RFC 7064/7065: scheme, host (name, IPv4 or [IPv6]), optional port; TURN may name its transport.
const STUN_URL = /^stuns?:(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:([0-9]{1,5}))?$/;
const TURN_URL = /^turns?:(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:([0-9]{1,5}))?(\?transport=(udp|tcp))?$/;

/** Mints the REST credential for `token` (a link's token or a peer id), valid until now + lifetime. */
export function mintTurnCredential(secret: string, token: string, nowMs: number, lifetimeS = TURN_CREDENTIAL_LIFETIME_S): TurnCredential {
  const username = `${Math.floor(nowMs / 1000) + lifetimeS}:${token}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

export function needsCredentials(url: string): boolean {
  return url.startsWith('turn');
}

/** The options a peer gets for ICE servers: `ice_servers`, plus a credential minted for `token` when TURN is set. */
export function iceOptions(ice: IceConfig, token: string, nowMs: number): Record<string, string> {
  if (ice.urls.length === 0) return { ice_servers: '' };
  const options: Record<string, string> = { ice_servers: ice.urls.join(' ') };
  if (ice.secret === undefined) return options;
  const { username, credential } = mintTurnCredential(ice.secret, token, nowMs);
  return { ...options, turn_username: username, turn_credential: credential };
}

/**
 * Checks `--turn-url` (repeatable) and `--turn-secret`: every URL well formed, a secret for any
 * turn(s): URL and a turn(s): URL for a secret. Returns what is wrong in one line, or undefined.
 * The message never contains the secret.
 */
export function iceConfigProblem(urls: readonly string[], secret: string | undefined): string | undefined {
  for (const url of urls) {
    const pattern = needsCredentials(url) ? TURN_URL : STUN_URL;
    const match = pattern.exec(url);
    if (!match || Number(match[3] ?? '1') < 1 || Number(match[3] ?? '1') > 65535) {
      return `--turn-url must be stun:host[:port], turn:host[:port][?transport=udp|tcp] or turns:..., got "${url}"`;
    }
  }
  const turn = urls.find(needsCredentials);
  if (secret === '') return '--turn-secret must not be empty';
  if (turn !== undefined && secret === undefined) return `--turn-url ${turn} needs --turn-secret (TURN_SECRET): credentials are minted from it`;
  if (turn === undefined && secret !== undefined) return '--turn-secret needs a turn: or turns: --turn-url (TURN_URLS) to be used with';
  return undefined;
}

const CREDENTIAL_IN_TEXT = /(\bturn_credential )(\{[^}]*\}|\S+)/g;

/**
 * The command line with any `turn_credential` value replaced by `-`: the `options` frame carrying
 * it is recorded as an event, and events are public (`/api/events`, the admin replay).
 */
export function redactTurnCredential(text: string): string {
  return text.includes('turn_credential') ? text.replace(CREDENTIAL_IN_TEXT, '$1-') : text;
}
