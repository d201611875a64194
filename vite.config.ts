import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { defineConfig } from 'vite';
import { CONTENT_SECURITY_POLICY } from './build/contentSecurityPolicy';
import { CROSS_ORIGIN_ISOLATION_HEADERS } from './build/crossOriginIsolation';
import { tfjsWasmThreads } from './build/tfjsWasmThreads';

/** The CSP meta tag, in the build only: the dev server's React refresh needs an inline script. */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'nas-lab-csp',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
        injectTo: 'head-prepend',
      },
    ],
  };
}

export default defineConfig({
  base: './',
  plugins: [react(), contentSecurityPolicy()],
  // The search worker loads tfjs's wasm backend (its threaded binary needs the plugin).
  worker: { format: 'es', plugins: () => [tfjsWasmThreads()] },
  // Cross-origin isolation, for wasm threads; the preview serves dist/ as a host should.
  server: { headers: { ...CROSS_ORIGIN_ISOLATION_HEADERS } },
  preview: {
    headers: {
      ...CROSS_ORIGIN_ISOLATION_HEADERS,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    },
  },
  build: { target: 'es2022' },
});
