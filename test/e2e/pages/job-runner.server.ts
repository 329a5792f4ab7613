// Node side of the job-runner test page, for test/e2e/job-runner.e2e.test.ts and
// test/hostile/sandbox.e2e.test.ts: builds the page (job-runner.html) and the sandbox document
// (the same Vite plugin as the app's build, so sandbox.html is the one dist/ gets) into a temp
// dir, and serves both. The server counts what a job could send it: requests under /probe/ and
// WebSocket upgrades; the page's own requests to /marker/N show that earlier requests are in.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { WebSocketServer } from 'ws';
import { SANDBOX_CSP, SANDBOX_PATH } from '../../../workers/sandbox/sandbox-csp.ts';
import { sandboxDocument } from '../../../workers/sandbox/sandbox-document.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const PAGE_PATH = '/test/e2e/pages/job-runner.html';
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

export interface JobRunnerServer {
  /** http://127.0.0.1:port */
  readonly origin: string;
  readonly port: number;
  /** What reached the server: probes and upgrades (a job's, if the sandbox leaks), the page's markers. */
  readonly seen: { probes: number; upgrades: number; markers: Set<string> };
  close(): Promise<void>;
}

async function buildPage(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pf-job-runner-'));
  await build({
    root: ROOT,
    configFile: false,
    logLevel: 'warn',
    plugins: [sandboxDocument()],
    build: { outDir: dir, emptyOutDir: true, rolldownOptions: { input: join(ROOT, PAGE_PATH) } },
  });
  return dir;
}

/**
 * Serves the built files; answers probes (with CORS, so only the sandbox can stop them). The
 * sandbox document also gets its CSP as a header, as the authority sends it, on top of its meta tag.
 */
function serve(dir: string, seen: JobRunnerServer['seen']): Promise<Server> {
  const sockets = new WebSocketServer({ noServer: true });
  const http = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/probe/')) {
      seen.probes += 1;
      response.writeHead(200, { 'content-type': 'text/javascript', 'access-control-allow-origin': '*' });
      return response.end('export default "reached";');
    }
    if (path.startsWith('/marker/')) {
      seen.markers.add(path.slice('/marker/'.length));
      return response.writeHead(204).end();
    }
    const file = normalize(join(dir, path));
    if (!file.startsWith(resolve(dir))) return response.writeHead(403).end();
    try {
      const body = await readFile(file);
      const headers: Record<string, string> = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' };
      if (path === SANDBOX_PATH) headers['content-security-policy'] = SANDBOX_CSP;
      response.writeHead(200, headers).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  http.on('upgrade', (request, socket, head) => {
    seen.upgrades += 1;
    sockets.handleUpgrade(request, socket, head, (ws) => ws.send('reached'));
  });
  return new Promise((ready) => http.listen(0, '127.0.0.1', () => ready(http)));
}

export async function startJobRunnerServer(): Promise<JobRunnerServer> {
  const dir = await buildPage();
  const seen = { probes: 0, upgrades: 0, markers: new Set<string>() };
  const http = await serve(dir, seen);
  const port = (http.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: async () => {
      http.closeAllConnections();
      await new Promise((done) => http.close(done));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
