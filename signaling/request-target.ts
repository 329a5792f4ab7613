// The request target of an HTTP request or upgrade, parsed into a decoded path and a query, or a
// coded refusal. Nothing here throws: `new URL(request.url, base)` does, on `//` or `/%`.
import type { IncomingMessage } from 'node:http';
import { quote, refusal, type Refusal } from './refusal.ts';

export interface Target {
  /** The path, percent-decoded, checked: no dot segments, empty segments, NUL or control characters. */
  readonly path: string;
  readonly query: URLSearchParams;
}

/** Browsers stop near 2 MB but real paths here are short; a longer target is a probe (414). */
export const MAX_TARGET_CHARS = 4096;

/** The target of `request`, once its head is sound: HTTP/1.1 requires a Host header (RFC 9112 section 3.2). */
export function readTarget(request: IncomingMessage): Target | Refusal {
  if (request.httpVersion === '1.1' && request.headers.host === undefined) {
    return refusal(400, 'missing Host header: HTTP/1.1 requests name the host they are sent to');
  }
  return parseTarget(request.url);
}

export function parseTarget(raw: string | undefined): Target | Refusal {
  if (raw === undefined || raw === '') return refusal(400, 'empty request target: ask for a path such as /');
  if (raw.length > MAX_TARGET_CHARS) return refusal(414, `request target longer than ${MAX_TARGET_CHARS} characters`);
  if (raw === '*') return refusal(400, 'the request target "*" is not served here: ask for a path such as /');
  if (!raw.startsWith('/')) {
    return refusal(400, `request target ${quote(raw)} is not a path: this server is no proxy, send the path only (origin form, e.g. GET /ws)`);
  }
  const end = raw.search(/[?#]/);
  const rawPath = end < 0 ? raw : raw.slice(0, end);
  const rawQuery = end < 0 || raw[end] === '#' ? '' : raw.slice(end + 1).split('#')[0]!;
  if (/%(2f|5c)/i.test(rawPath)) return refusal(400, `path ${quote(rawPath)} holds an encoded slash or backslash`);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return refusal(400, `path ${quote(rawPath)} has a malformed percent-encoding`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f\\]/.test(path)) return refusal(400, `path ${quote(rawPath)} holds a control character or a backslash`);
  if (path.includes('//')) return refusal(400, `path ${quote(rawPath)} has an empty segment ("//")`);
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) {
    return refusal(400, `path ${quote(rawPath)} has a dot segment ("." or "..")`);
  }
  return { path, query: new URLSearchParams(rawQuery) };
}
