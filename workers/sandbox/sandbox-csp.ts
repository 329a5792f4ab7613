// The sandbox document's Content Security Policy, shared by the build (sandbox-document.ts writes
// it as a meta tag) and the authority, which sends it as an HTTP header wherever it serves the
// sandbox document.

/** Where the sandbox document is served (dist/sandbox.html, built by sandbox-document.ts). */
export const SANDBOX_PATH = '/sandbox.html';

/**
 * The iframe's Content Security Policy; workers created from data: URLs inherit it. Each source:
 * - default-src 'none': nothing else loads (images, fonts, frames, media, and connect-src below).
 * - script-src 'unsafe-inline': the runtime is the document's one inline script. The document holds
 *   only text we generate; job code never enters it (it runs in workers). No 'unsafe-eval': the
 *   runtimes prove the CSP is in force by seeing `new Function` refused.
 * - script-src blob: the worker imports each job module from a blob: URL; http(s) imports are refused.
 * - script-src 'wasm-unsafe-eval': jobs may compile WebAssembly, which grants them no new capability.
 * - worker-src data: job workers start from a data: URL holding the worker script (worker-pool.js
 *   says why not blob:). Nested workers would inherit this CSP too; the worker script removes
 *   `Worker` anyway.
 * - connect-src 'none': no fetch, XHR, WebSocket, EventSource or WebTransport (also default-src).
 * - base-uri, form-action 'none': not covered by default-src.
 */
export const SANDBOX_CSP = [
  "default-src 'none'",
  "script-src 'unsafe-inline' blob: 'wasm-unsafe-eval'",
  'worker-src data:',
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
