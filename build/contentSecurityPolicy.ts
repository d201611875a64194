/**
 * The built page's Content-Security-Policy: nothing from other origins, no eval, workers from
 * the page's own origin. Vite writes it into dist/index.html as a meta tag; a host that serves
 * dist/ should send the same text as a Content-Security-Policy header (a header also covers the
 * worker, which a meta tag in the page does not reach).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
