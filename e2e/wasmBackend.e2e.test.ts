/**
 * The lab on tfjs's wasm backend, in Debian's headless Chromium without WebGPU: 'auto' falls
 * back to wasm (the measured order, docs/DECISIONS.md) and says so; the page and its worker are
 * cross-origin isolated, so wasm runs its threaded SIMD binary, fetched from the page's own
 * origin under the strict Content-Security-Policy; a tiny search makes steps, the data loads
 * and the genotype downloads.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { parseGenotypeAny } from '../src/nas/genotype/genotypeFormats';
import { useLab } from './labFixture';

/** The quick-demo preset, long enough to still run while the test looks at it. */
const TINY = '?preset=demo&epochs=40';

const lab = useLab({ webgpu: false });

interface Opened {
  readonly page: Page;
  /** URLs the page and its workers requested, in order. */
  readonly requests: string[];
  /** Console messages of the page and its workers (CSP violations land here). */
  readonly console: string[];
}

async function openLab(query = TINY): Promise<Opened> {
  const page = await lab.browser.newPage({ acceptDownloads: true });
  const requests: string[] = [];
  const console: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => console.push(m.text()));
  page.on('worker', (w) => w.on('console', (m) => console.push(`[worker] ${m.text()}`)));
  page.on('pageerror', (e) => console.push(`page error: ${e.message}`));
  await page.addInitScript({
    content: `window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));`,
  });
  await page.goto(`${lab.url}${query}`);
  return { page, requests, console };
}

const stepCount = async (page: Page) => Number(await page.getByTestId('step-count').textContent());

describe('the lab on wasm in Chromium without WebGPU', () => {
  it('falls back to wasm, threaded and isolated, says why, and searches', async () => {
    const { page, requests, console } = await openLab();
    expect(await page.evaluate('crossOriginIsolated')).toBe(true);
    await page.getByTestId('start').click();
    await expect
      .poll(() => page.getByTestId('backend').textContent(), { timeout: 60_000 })
      .toBe('backend: wasm');
    const reason = await page.getByTestId('backend-reason').textContent();
    expect(reason).toMatch(
      /^fell back to wasm \(SIMD, \d+ threads? \(cross-origin isolated\)\): .*WebGPU/,
    );
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="step-count"]')?.textContent) >= 3,
      undefined,
      { timeout: 120_000 },
    );
    expect(await stepCount(page)).toBeGreaterThanOrEqual(3);

    // The threaded SIMD binary, from the page's own origin; the data too; nothing else.
    const own = (u: string) => u.startsWith(lab.url) || /^(blob|data):/.test(u);
    expect(requests.filter((u) => !own(u))).toEqual([]);
    expect(
      requests
        .filter((u) => u.endsWith('.wasm'))
        .map((u) => u.replace(/-[\w-]{8}\.wasm$/, '.wasm')),
    ).toEqual([`${lab.url}assets/tfjs-backend-wasm-threaded-simd.wasm`]);
    expect(requests.some((u) => u.includes('/data/fashion-mnist/'))).toBe(true);
    expect(await page.evaluate('window.cspViolations')).toEqual([]);
    expect(console.filter((m) => /Content Security Policy|Refused/i.test(m))).toEqual([]);

    await page.getByTestId('pause').click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download genotype' }).click(),
    ]);
    const file = await download.path();
    const genotype = parseGenotypeAny(readFileSync(file, 'utf8'));
    expect(genotype.normal.length).toBeGreaterThan(0);
    await page.getByTestId('stop').click();
    await page.close();
  }, 300_000);

  it('runs wasm when it is asked for, and keeps it in the URL', async () => {
    const { page } = await openLab(`${TINY}&backend=wasm`);
    expect(await page.locator('select[name="backend"]').inputValue()).toBe('wasm');
    await page.getByTestId('start').click();
    await expect
      .poll(() => page.getByTestId('backend-reason').textContent(), { timeout: 60_000 })
      .toMatch(/^wasm was requested \(SIMD, \d+ threads? \(cross-origin isolated\)\)$/);
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="step-count"]')?.textContent) >= 1,
      undefined,
      { timeout: 120_000 },
    );
    await page.getByTestId('stop').click();
    await page.close();
  }, 300_000);
});
