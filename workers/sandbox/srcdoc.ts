// Builds the sandbox iframe's document. The iframe has an opaque origin, so it cannot load module
// scripts from the page's origin: its runtime and the job worker's script are inlined as text
// (Vite's `?raw` imports), with the constants they share with the page in a CONFIG object.
/// <reference types="vite/client" />
import comlinkUmd from 'comlink/dist/umd/comlink.min.js?raw';
import { JobErrorCode } from '../../src/peer/job-errors.ts';
import cloneSize from './clone-size.js?raw';
import iframeRuntime from './iframe-runtime.js?raw';
import jobWorker from './job-worker.js?raw';
import workerPool from './worker-pool.js?raw';
import { PROGRESS_MIN_INTERVAL_MS, RESULT_MAX_BYTES, SandboxMessage, WARM_WORKER_IDLE_MS } from './sandbox-protocol.ts';
import { SANDBOX_CSP } from './sandbox-csp.ts';


export interface SandboxConfig {
  /** The page's origin: the only origin the iframe accepts messages from and posts to. */
  parentOrigin: string;
  threads: number;
}

/** Script text for an inline <script>: a "</script" or "<!--" inside would end or derail it. */
function inlineSafe(name: string, text: string): string {
  if (/<\/script|<!--/i.test(text)) throw new Error(`${name} cannot be inlined: it contains "</script" or "<!--"`);
  return text.replace(/^\/\/# sourceMappingURL=.*$/m, '');
}

/** JSON for a script; "<" is escaped so no string in it can close the <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** The job worker's module text: its CONFIG, comlink, the clone-size estimate and the runtime. */
function workerSource(): string {
  const config = {
    messages: { progress: SandboxMessage.PROGRESS },
    progressMinIntervalMs: PROGRESS_MIN_INTERVAL_MS,
    resultMaxBytes: RESULT_MAX_BYTES,
  };
  return [`const CONFIG = ${JSON.stringify(config)};`, inlineSafe('comlink', comlinkUmd), cloneSize, jobWorker].join('\n;\n');
}

function iframeScript(config: SandboxConfig): string {
  const iframeConfig = {
    ...config,
    codes: Object.values(JobErrorCode),
    messages: { ready: SandboxMessage.READY, progress: SandboxMessage.PROGRESS },
    progressMinIntervalMs: PROGRESS_MIN_INTERVAL_MS,
    warmIdleMs: WARM_WORKER_IDLE_MS,
    workerSource: workerSource(),
  };
  const body = [`const CONFIG = ${scriptJson(iframeConfig)};`, 'const Comlink = globalThis.Comlink;', workerPool, iframeRuntime];
  return `${inlineSafe('comlink', comlinkUmd)}\n;(() => {\n'use strict';\n${inlineSafe('runtime', body.join('\n'))}\n})();`;
}

/** The iframe's whole document, for its `srcdoc`. */
export function sandboxSrcdoc(config: SandboxConfig): string {
  return [
    '<!doctype html><html><head>',
    `<meta http-equiv="Content-Security-Policy" content="${SANDBOX_CSP}">`,
    `<script>${iframeScript(config)}</script>`,
    '</head><body></body></html>',
  ].join('\n');
}
