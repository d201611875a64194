/**
 * The e2e specs' one fixture, so that they do not each paste the same setup: it serves the
 * built app (dist/) on localhost with the Content-Security-Policy as a header, as a host should
 * send it (it also covers the worker, which the page's meta tag does not), and launches Debian's
 * headless Chromium. Each function registers `beforeAll`/`afterAll` in the scope that calls it
 * (the file, or a `describe`) and returns accessors that are valid inside that scope's tests.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../build/contentSecurityPolicy';
import { launchChromium } from './chromium';
import type { StaticServer } from './staticServer';
import { serveStatic } from './staticServer';

/** The built app, which `npm run build` writes. */
export const DIST = join(__dirname, '..', 'dist');

export interface LabServer {
  /** The app's base URL, ending in `/`. */
  readonly url: string;
}

export interface LabBrowser {
  readonly browser: Browser;
}

export interface ChromiumOptions {
  /** Launch with `--enable-unsafe-webgpu` (SwiftShader where there is no GPU). */
  readonly webgpu: boolean;
}

function ready<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the e2e fixture's ${what} is used outside its tests`);
  return value;
}

/** Serves dist/ for the calling scope's tests; fails them if the app has not been built. */
export function useLabServer(): LabServer {
  let server: StaticServer | undefined;
  beforeAll(async () => {
    if (!existsSync(join(DIST, 'index.html')))
      throw new Error('dist/ is missing: run `npx vite build` first');
    server = await serveStatic(DIST, {
      headers: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY },
    });
  });
  afterAll(async () => {
    await server?.close();
  });
  return {
    get url() {
      return ready(server, 'server').url;
    },
  };
}

/** Launches headless Chromium for the calling scope's tests and closes it after them. */
export function useChromium(options: ChromiumOptions): LabBrowser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium(options);
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    get browser() {
      return ready(browser, 'browser');
    },
  };
}

/** Both: the server, then the browser (closed in the reverse order). */
export function useLab(options: ChromiumOptions): LabServer & LabBrowser {
  const server = useLabServer();
  const chromium = useChromium(options);
  return {
    get url() {
      return server.url;
    },
    get browser() {
      return chromium.browser;
    },
  };
}
