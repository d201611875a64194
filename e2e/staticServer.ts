/**
 * A minimal static file server for the built app (dist/) on localhost, for e2e tests. It sends
 * the cross-origin isolation headers on every response, as a host should (README).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { CROSS_ORIGIN_ISOLATION_HEADERS } from '../build/crossOriginIsolation';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  // Served as bytes, without Content-Encoding: the app inflates the IDX files itself.
  '.gz': 'application/gzip',
  '.md': 'text/markdown; charset=utf-8',
};

export interface StaticServer {
  readonly url: string;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Extra headers on every response (e.g. Content-Security-Policy), after COOP and COEP. */
  readonly headers?: Readonly<Record<string, string>>;
}

export async function serveStatic(root: string, options: ServeOptions = {}): Promise<StaticServer> {
  const server = createServer((req, res) => {
    const path = normalize(
      decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname),
    );
    let file = join(root, path);
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      ...CROSS_ORIGIN_ISOLATION_HEADERS,
      ...options.headers,
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
