/**
 * The headers that make the page cross-origin isolated (`crossOriginIsolated` true), without
 * which browsers withhold SharedArrayBuffer and tfjs's wasm backend runs on one thread. The
 * page loads nothing from other origins, so requiring CORP of every subresource costs nothing.
 * The Vite dev and preview servers and the e2e server send them; so should a host (README).
 */
export const CROSS_ORIGIN_ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
