/**
 * The browser runners: the benchmark page (bench/page, built by Vite into out/bench-page) in
 * Debian's headless Chromium, driven by playwright-core, once each with WebGPU, WebGL and wasm
 * (the page is served cross-origin isolated, so wasm runs its threaded SIMD binary).
 * Without a GPU, Chromium runs both on SwiftShader: WebGPU through its Vulkan ICD
 * (--enable-unsafe-webgpu), WebGL through ANGLE (--use-angle=swiftshader, which recent
 * Chromium allows only with --enable-unsafe-swiftshader).
 */
import { build } from 'vite';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { CHROMIUM } from '../e2e/chromium';
import type { StaticServer } from '../e2e/staticServer';
import { serveStatic } from '../e2e/staticServer';
import type { BackendName, CellSpec, RunnerEvent, TimingOptions } from './benchTypes';
import type { PageRequest } from './page/main';
import type { RunnerHandle } from './runnerHandle';
import { parseEventLine, EVENT_PREFIX } from './runnerProtocol';
import { BENCH_DIST } from './vite.config';

export type BrowserBackend = 'webgpu-chromium' | 'webgl-chromium' | 'wasm-chromium';

const TFJS_BACKEND: Readonly<Record<BrowserBackend, 'webgpu' | 'webgl' | 'wasm'>> = {
  'webgpu-chromium': 'webgpu',
  'webgl-chromium': 'webgl',
  'wasm-chromium': 'wasm',
};

const COMMON_ARGS = [
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

const BACKEND_ARGS: Readonly<Record<BrowserBackend, readonly string[]>> = {
  'webgpu-chromium': ['--enable-unsafe-webgpu'],
  'webgl-chromium': ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  'wasm-chromium': [],
};

/** Builds the page; returns a server for it (close it when done). */
export async function serveBenchPage(): Promise<StaticServer> {
  await build({ configFile: new URL('./vite.config.ts', import.meta.url).pathname });
  return serveStatic(BENCH_DIST);
}

export async function chromiumVersion(): Promise<string> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  try {
    return browser.version();
  } finally {
    await browser.close();
  }
}

export function startBrowserRunner(
  server: StaticServer,
  backend: BrowserBackend,
  cells: readonly CellSpec[],
  timing: TimingOptions,
  onEvent: (event: RunnerEvent) => void,
  verbose: boolean,
): RunnerHandle {
  let browser: Browser | null = null;
  let stopped = false;
  const run = async (): Promise<string | null> => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...COMMON_ARGS, ...BACKEND_ARGS[backend]],
    });
    if (stopped) return 'stopped';
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (verbose) console.log(`  [${backend}] ${m.text()}`);
    });
    page.on('pageerror', (e) => console.error(`  [${backend}] page error: ${e.message}`));
    await page.exposeFunction('benchEvent', (json: string) => {
      const event = parseEventLine(`${EVENT_PREFIX}${json}`);
      if (event) onEvent(event);
    });
    await page.goto(server.url);
    await page.waitForFunction(() => 'runBench' in window);
    const request: PageRequest = {
      tfjsBackend: TFJS_BACKEND[backend],
      backend: backend as BackendName,
      cells,
      timing,
    };
    await page.evaluate(
      (r) => (window as unknown as { runBench(r: unknown): Promise<void> }).runBench(r),
      request,
    );
    return null;
  };
  const finished = run()
    .catch((e: unknown) =>
      // playwright appends the browser's log to its messages: keep the first line.
      stopped ? 'stopped' : `the page failed: ${(e as Error).message.split('\n')[0]}`,
    )
    .finally(async () => {
      await (browser as Browser | null)?.close().catch(() => undefined);
    });
  return {
    finished,
    async stop() {
      stopped = true;
      await (browser as Browser | null)?.close().catch(() => undefined);
      await finished;
    },
  };
}
