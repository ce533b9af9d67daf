// Builds the islands: one small module per interactive part, fixed names under /assets/
// (the pages link them by name). public/ holds the CSS, copied as is.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    modulePreload: false,
    rollupOptions: {
      input: {
        event: fileURLToPath(new URL('./src/event.ts', import.meta.url)),
        'check-in': fileURLToPath(new URL('./src/check-in.ts', import.meta.url)),
        'event-form': fileURLToPath(new URL('./src/event-form.ts', import.meta.url)),
        charts: fileURLToPath(new URL('./src/charts.ts', import.meta.url)),
      },
      output: { entryFileNames: 'assets/[name].js', chunkFileNames: 'assets/[name].js', assetFileNames: 'assets/[name][extname]' },
    },
  },
});
