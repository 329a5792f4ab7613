// Builds the sandbox iframe's document (served as SANDBOX_PATH, dist/sandbox.html) at build time,
// in Node: comlink's UMD build and the runtime (page-settings.js, worker-pool.js,
// iframe-runtime.js) inline, the job worker's source inside CONFIG, the CSP as a meta tag (the
// authority may send the same policy as a header; both then apply). The frame has an opaque
// origin, so it can load no script from anywhere: everything it runs is in this one file. One
// document serves every page: the page's origin and threads come in the URL fragment.
// `sandboxDocument()` is the Vite plugin that emits it on build and serves it from the dev server.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { JobErrorCode } from '../../src/peer/job-errors.ts';
import { SANDBOX_CSP, SANDBOX_PATH } from './sandbox-csp.ts';
import {
  LOG_LEVELS, LOG_LINE_MAX_CHARS, LOG_LINES_PER_RUN, MAX_THREADS, PROGRESS_MIN_INTERVAL_MS, RESULT_MAX_BYTES, SandboxMessage, WARM_WORKER_IDLE_MS,
} from './sandbox-protocol.ts';

/** The files the document is made of, so a build or the dev server can watch them. */
const RUNTIME_FILES = ['page-settings.js', 'worker-pool.js', 'iframe-runtime.js', 'clone-size.js', 'job-worker.js'];

const runtimeFile = (name: string): string => fileURLToPath(new URL(name, import.meta.url));
const comlinkFile = (): string => createRequire(import.meta.url).resolve('comlink/dist/umd/comlink.min.js');

export const sandboxDocumentFiles = (): string[] => [...RUNTIME_FILES.map(runtimeFile), comlinkFile()];

const read = (file: string): string => readFileSync(file, 'utf8');

/** Script text for an inline <script>: a "</script" or "<!--" inside would end or derail it. */
function inlineSafe(name: string, text: string): string {
  if (/<\/script|<!--/i.test(text)) throw new Error(`${name} cannot be inlined: it contains "</script" or "<!--"`);
  return text.replace(/^\/\/# sourceMappingURL=.*$/m, '');
}

/** JSON for a script; "<" is escaped so no string in it can close the <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** Limits both the job worker and the iframe enforce: the iframe again, since job code can post to it. */
const SHARED_LIMITS = {
  progressMinIntervalMs: PROGRESS_MIN_INTERVAL_MS,
  resultMaxBytes: RESULT_MAX_BYTES,
  logLevels: LOG_LEVELS,
  logLineMaxChars: LOG_LINE_MAX_CHARS,
  logLinesPerRun: LOG_LINES_PER_RUN,
};

/** The job worker's module text: its CONFIG, comlink, the clone-size estimate and the runtime. */
function workerSource(comlink: string): string {
  const config = {
    messages: { progress: SandboxMessage.PROGRESS, log: SandboxMessage.LOG },
    ...SHARED_LIMITS,
  };
  const parts = [`const CONFIG = ${JSON.stringify(config)};`, comlink, read(runtimeFile('clone-size.js')), read(runtimeFile('job-worker.js'))];
  return parts.join('\n;\n');
}

function iframeScript(): string {
  const comlink = inlineSafe('comlink', read(comlinkFile()));
  const config = {
    codes: Object.values(JobErrorCode),
    messages: {
      ready: SandboxMessage.READY,
      failed: SandboxMessage.FAILED,
      progress: SandboxMessage.PROGRESS,
      log: SandboxMessage.LOG,
      ping: SandboxMessage.PING,
      pong: SandboxMessage.PONG,
    },
    ...SHARED_LIMITS,
    maxThreads: MAX_THREADS,
    warmIdleMs: WARM_WORKER_IDLE_MS,
    workerSource: workerSource(comlink),
  };
  const body = [
    `const CONFIG = ${scriptJson(config)};`,
    'const Comlink = globalThis.Comlink;',
    ...['page-settings.js', 'worker-pool.js', 'iframe-runtime.js'].map((name) => read(runtimeFile(name))),
  ];
  return `${comlink}\n;(() => {\n'use strict';\n${inlineSafe('runtime', body.join('\n'))}\n})();`;
}

/** The sandbox document's whole text. */
export function sandboxDocumentHtml(): string {
  return [
    '<!doctype html><html><head>',
    `<meta http-equiv="Content-Security-Policy" content="${SANDBOX_CSP}">`,
    `<script>${iframeScript()}</script>`,
    '</head><body></body></html>',
  ].join('\n');
}

/** Emits SANDBOX_PATH into the build output, and serves it (rebuilt per request) from the dev server. */
export function sandboxDocument(): Plugin {
  return {
    name: 'peerfarm-sandbox-document',
    buildStart() {
      for (const file of sandboxDocumentFiles()) this.addWatchFile(file);
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: SANDBOX_PATH.slice(1), source: sandboxDocumentHtml() });
    },
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        if (request.url === undefined || new URL(request.url, 'http://x').pathname !== SANDBOX_PATH) return next();
        response.setHeader('content-type', 'text/html; charset=utf-8');
        response.setHeader('content-security-policy', SANDBOX_CSP);
        response.end(sandboxDocumentHtml());
      });
    },
  };
}
