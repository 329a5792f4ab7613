// The built pages (dist/): a file is looked up by a path already checked by parseTarget (no dot
// segments, encoded slashes, NUL or backslashes), never outside the folder, and streamed with its
// errors handled, so a rebuild that deletes files under a running authority answers 404, not a crash.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
/** Vite names what it puts here by content hash: a year of caching is safe. */
const HASHED_ASSETS = '/assets/';
const ASSET_MAX_AGE_S = 365 * 24 * 3600;

export type PageOutcome = 'served' | 'missing' | 'unbuilt';

export class Pages {
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** Serves the file at `path` (`/` is index.html, `/submit` is submit.html) with `headers`. */
  async serve(request: IncomingMessage, response: ServerResponse, path: string, headers: Record<string, string>): Promise<PageOutcome> {
    const found = await this.find(path);
    if (!found) return (await isFolder(this.dir)) ? 'missing' : 'unbuilt';
    const { file, size, mtimeMs } = found;
    const etag = `W/"${size}-${Math.floor(mtimeMs)}"`;
    const common = {
      ...headers,
      etag,
      'cache-control': path.startsWith(HASHED_ASSETS) ? `public, max-age=${ASSET_MAX_AGE_S}, immutable` : 'no-cache',
    };
    if (request.headers['if-none-match'] === etag) {
      response.writeHead(304, common).end();
      return 'served';
    }
    response.writeHead(200, {
      ...common,
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': size,
    });
    if (request.method === 'HEAD') {
      response.end();
      return 'served';
    }
    const stream = createReadStream(file);
    stream.on('error', () => response.destroy());
    response.on('close', () => stream.destroy());
    stream.pipe(response);
    return 'served';
  }

  private async find(path: string): Promise<{ file: string; size: number; mtimeMs: number } | undefined> {
    if (path.split('/').some((segment) => segment.startsWith('.'))) return undefined;
    const wanted = path === '/' ? '/index.html' : path;
    for (const candidate of extname(wanted) === '' ? [wanted, `${wanted}.html`] : [wanted]) {
      const file = join(this.dir, candidate);
      if (!file.startsWith(this.dir + sep)) return undefined;
      const stats = await stat(file).catch(() => undefined);
      if (stats?.isFile()) return { file, size: stats.size, mtimeMs: stats.mtimeMs };
    }
    return undefined;
  }
}

async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}
