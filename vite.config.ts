// Builds the three pages (worker, submit, admin) and the job sandbox's document (sandbox.html)
// into dist/, which the authority serves. `npm run dev` serves them from Vite and proxies /ws and
// /api to an authority on :8080.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { sandboxDocument } from './workers/sandbox/sandbox-document.ts';

/** The authority the dev server proxies to; PEERFARM_AUTHORITY overrides it (e.g. one on another port). */
const AUTHORITY = process.env.PEERFARM_AUTHORITY ?? 'http://127.0.0.1:8080';

const page = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export default defineConfig({
  plugins: [sandboxDocument()],
  resolve: {
    // simple-peer's browser bundle carries its own Buffer/process/events shims (DESIGN.md section 8);
    // this is the one place the alias lives.
    alias: [{ find: /^simple-peer$/, replacement: 'simple-peer/simplepeer.min.js' }],
  },
  build: {
    outDir: 'dist',
    // Vite 8 bundles with Rolldown; `rolldownOptions` is the current name of `rollupOptions`.
    rolldownOptions: {
      input: {
        worker: page('./index.html'),
        submit: page('./submit.html'),
        admin: page('./admin.html'),
      },
    },
  },
  worker: { format: 'es' },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/ws': { target: AUTHORITY, ws: true },
      '/api': { target: AUTHORITY },
    },
  },
});
