// A separate Vite build for the datachannel benchmark's two pages (bench/pages). bench/datachannel.ts
// builds it with Vite's JS API into a temporary folder (passing build.outDir) and serves it itself.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export default defineConfig({
  root: here('./pages'),
  base: './',
  logLevel: 'warn',
  resolve: {
    // The same alias as /vite.config.ts: simple-peer's self-contained browser bundle (DESIGN.md section 8).
    alias: [{ find: /^simple-peer$/, replacement: 'simple-peer/simplepeer.min.js' }],
  },
  build: {
    emptyOutDir: true,
    reportCompressedSize: false,
    rolldownOptions: {
      input: {
        link: here('./pages/link.html'),
        peerjs: here('./pages/peerjs.html'),
      },
    },
  },
});
