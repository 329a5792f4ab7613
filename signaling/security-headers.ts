// Security headers of the authority's responses and the origins it counts as its own: the pages'
// Content Security Policy (no inline script), the sandbox document's own CSP, and the Origin check
// of /ws. docs/PROTOCOL.md section 6 lists them.
import { SANDBOX_CSP } from '../workers/sandbox/sandbox-csp.ts';

export interface OriginPolicy {
  /** Origins the authority is known by besides the Host of a request: its listen address. */
  readonly ownOrigins: readonly string[];
  /** `--allow-origin`: other origins whose pages may open /ws and frame the sandbox. */
  readonly allowOrigins: readonly string[];
  /** `--sandbox-origin`: where the pages frame the sandbox from, when not from here. */
  readonly sandboxOrigin?: string | undefined;
  /**
   * The ws(s):// URLs of the other authorities of the federation, as they are now: a tab whose
   * authority dies moves to one of them, so our pages may connect there, and their pages here.
   */
  readonly federation?: () => readonly string[];
}

/** The origins of the federation's authorities: their sockets (`ws://host:port`) and their pages (`http://host:port`). */
function federationOrigins(policy: OriginPolicy): { sockets: string[]; pages: string[] } {
  const sockets: string[] = [];
  const pages: string[] = [];
  for (const url of policy.federation?.() ?? []) {
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') continue;
      sockets.push(`${parsed.protocol}//${parsed.host}`);
      pages.push(`${parsed.protocol === 'wss:' ? 'https' : 'http'}://${parsed.host}`);
    } catch {
      // An address that does not parse is no origin of ours.
    }
  }
  return { sockets, pages };
}

/** A Host header we are willing to echo into a header: a name or an address and a port, nothing else. */
const HOST_HEADER = /^(?:[a-z0-9](?:[a-z0-9-]{0,62})(?:\.[a-z0-9](?:[a-z0-9-]{0,62}))*|\[[0-9a-f:.]{2,45}\])(?::[0-9]{1,5})?$/i;

/** The host (and port) a request was sent to, lower-cased, or undefined when absent or odd. */
export function requestHost(host: string | undefined): string | undefined {
  return host !== undefined && HOST_HEADER.test(host) ? host.toLowerCase() : undefined;
}

/** Headers every answer carries. */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** JSON and text answers are never documents to render or frame. */
export const DATA_HEADERS: Readonly<Record<string, string>> = {
  ...COMMON_HEADERS,
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

/**
 * The pages' policy. lit and CodeMirror add their styles as constructed style sheets, which CSP
 * does not govern; 'unsafe-inline' stays in style-src for style *attributes*: lit's styleMap
 * writes one on first render (progress bars, peer colours) and the replay legend has one. Checked
 * in Chromium: without it the three pages report 45 style-src-attr violations, with it none.
 */
export function pageHeaders(host: string | undefined, policy: OriginPolicy): Record<string, string> {
  const checked = requestHost(host);
  const own = checked && !checked.startsWith('[') ? [`ws://${checked}`, `wss://${checked}`] : [];
  const sockets = [...own, ...cspSources(federationOrigins(policy).sockets)].map((source) => ` ${source}`).join('');
  const sandbox = policy.sandboxOrigin ? ` ${policy.sandboxOrigin}` : '';
  return {
    ...COMMON_HEADERS,
    'cross-origin-opener-policy': 'same-origin',
    'content-security-policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      `connect-src 'self'${sockets}`,
      `frame-src 'self'${sandbox}`,
      "worker-src 'self'",
      "frame-ancestors 'self'",
      "base-uri 'none'",
      "form-action 'self'",
      "object-src 'none'",
    ].join('; '),
  };
}

/** The sandbox document: its own CSP (the one of its meta tag), framable by the pages' origins. */
export function sandboxHeaders(host: string | undefined, policy: OriginPolicy): Record<string, string> {
  return {
    ...COMMON_HEADERS,
    'content-security-policy': `${SANDBOX_CSP}; frame-ancestors 'self' ${cspSources(pageOrigins(host, policy)).join(' ')}`,
  };
}

/**
 * CSP host sources have no syntax for IPv6 literals (Chromium warns and drops them): a page
 * reached at [::1] relies on 'self'.
 */
function cspSources(origins: readonly string[]): string[] {
  return origins.filter((origin) => !origin.includes('['));
}

/** Origins whose pages are ours: the Host of the request (http or https), the listen address, the allow-list. */
export function pageOrigins(host: string | undefined, policy: OriginPolicy): string[] {
  const checked = requestHost(host);
  const fromHost = checked ? [`http://${checked}`, `https://${checked}`] : [];
  return [...new Set([...fromHost, ...policy.ownOrigins, ...policy.allowOrigins, ...federationOrigins(policy).pages])];
}

/**
 * Whether a WebSocket upgrade's Origin may connect: none at all (not a browser: tests, a CLI), the
 * authority's own (http or https with the request's host and port, so a TLS proxy in front works),
 * one in the allow-list, or a page of another authority of the federation (its tabs fail over here).
 */
export function originAllowed(origin: string | undefined, host: string | undefined, policy: OriginPolicy): boolean {
  if (origin === undefined) return true;
  const checked = requestHost(host);
  if (checked && (origin === `http://${checked}` || origin === `https://${checked}`)) return true;
  return policy.allowOrigins.includes(origin) || policy.ownOrigins.includes(origin) || federationOrigins(policy).pages.includes(origin);
}

/** The origins of a listen address: on loopback also its usual names, which reach the same socket. */
export function listenOrigins(host: string, port: number, scheme: 'http' | 'https' = 'http'): string[] {
  const shown = host.includes(':') ? `[${host}]` : host;
  const names = host === 'localhost' || host === '127.0.0.1' || host === '::1' ? ['localhost', '127.0.0.1', '[::1]'] : [shown];
  return [...new Set([shown, ...names])].map((name) => `${scheme}://${name}:${port}`);
}
