/** Builds the benchmark page (bench/page) into out/bench-page, apart from the app's dist/. */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { tfjsWasmThreads } from '../build/tfjsWasmThreads';

export const BENCH_PAGE_ROOT = fileURLToPath(new URL('./page', import.meta.url));
/** Under out/, which git, ESLint and Prettier already leave alone. */
export const BENCH_DIST = fileURLToPath(new URL('../out/bench-page', import.meta.url));

export default defineConfig({
  root: BENCH_PAGE_ROOT,
  base: './',
  plugins: [tfjsWasmThreads()],
  logLevel: 'warn',
  // tfjs and its WebGPU backend make one large chunk; the page loads once per run.
  build: { outDir: BENCH_DIST, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 },
});
