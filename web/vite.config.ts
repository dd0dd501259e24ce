import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The web client. The first load carries only the agenda and scheduling; the
 * meeting room, LiveKit's SDK and the end-to-end code load when a meeting is
 * opened (dynamic imports), so the first load stays small.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  // JSX through Vite's own transform (oxc): the React runtime without a Babel plugin.
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  resolve: {
    alias: {
      // The end-to-end client module, one package for the browser and the Node tests (media/e2ee).
      '@meetplane/e2ee': fileURLToPath(new URL('../media/e2ee/index.ts', import.meta.url)),
    },
  },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 2000,
    // Scripts offered for download (the audit head checker) stay files of their own, never inlined as data: URLs.
    assetsInlineLimit: (file) => (file.endsWith('.mjs') ? false : undefined),
    rolldownOptions: {
      // React Router marks its modules "use client" for server components; a browser-only app has nothing to keep.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  worker: { format: 'es' },
});
