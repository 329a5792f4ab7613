// HTTP: the JSON API first, then the built pages from dist/ (sirv guards against path tricks).
import { existsSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import sirv from 'sirv';
import { handleApi, sendJson, type ApiDeps } from './api.ts';

export function createHttpServer(distDir: string, api: ApiDeps): HttpServer {
  const pages = existsSync(distDir) ? sirv(distDir, { etag: true, dev: false, extensions: ['html'] }) : undefined;
  return createServer((request, response) => {
    response.setHeader('x-content-type-options', 'nosniff');
    try {
      if (handleApi(request, response, api)) return;
      if (!pages) {
        sendJson(response, 503, { error: `pages not built: ${distDir} is missing; run "npm run build"` });
        return;
      }
      pages(request, response, () => sendJson(response, 404, { error: `not found: ${request.url}` }));
    } catch (error) {
      console.error('peerfarm: HTTP request failed:', error);
      if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
      else response.destroy();
    }
  });
}
