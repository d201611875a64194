/**
 * The lab's design end to end, in Debian's headless Chromium: no serious or critical axe-core
 * violations on the search and the retrain views; Start, Pause, Step and the view switch from the
 * keyboard; and at 1024×768, 1440×900 and 1920×1080, light and dark, screenshots under
 * docs/screenshots/ with no two top-level panels overlapping and no text overflowing its box.
 * Lean for CI: one page load per case, a few steps of the tiny demo search on the cpu backend.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useLab } from './labFixture';

const lab = useLab({ webgpu: false });
const SHOTS = join(__dirname, '..', 'docs', 'screenshots');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** The lab's demo preset on the cpu backend: quick steps, still running while poked. */
const TINY = '?preset=demo&epochs=40&backend=cpu';

async function open(browser: Browser, viewport = { width: 1440, height: 900 }): Promise<Page> {
  // axe-core is injected as a script tag, which the page's strict CSP would refuse.
  const page = await browser.newPage({ viewport, bypassCSP: true });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  const missing: string[] = [];
  page.on('response', (r) => {
    // The data loader probes data/ for optional files (a test split) and expects some 404s.
    if (r.status() >= 400 && !new URL(r.url()).pathname.includes('/data/'))
      missing.push(`${r.status()} ${r.url()}`);
  });
  failedRequests.set(page, missing);
  await page.goto(`${lab.url}${TINY}`);
  return page;
}

/** Each page's responses with an error status (a missing favicon was one on every load). */
const failedRequests = new WeakMap<Page, string[]>();

const stepCount = async (page: Page) => Number(await page.getByTestId('step-count').textContent());
const status = (page: Page) => page.getByTestId('status').textContent();

async function waitForSteps(page: Page, n: number) {
  await page.waitForFunction(
    (target) => Number(document.querySelector('[data-testid="step-count"]')?.textContent) >= target,
    n,
    { timeout: 240_000 },
  );
}

/** Focus on nothing, as after a click on the page's background. */
const blur = (page: Page) => page.evaluate('document.activeElement?.blur()');

interface Violation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: string[];
}

/** axe-core's serious and critical violations on the page as it stands. */
async function seriousViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) {
    await page.addScriptTag({ path: AXE });
  }
  // A string, not a function: the test transform may wrap functions in helpers the page lacks.
  const all = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) =>
    r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.slice(0, 4).map((n) => n.target.join(' ')) })))`)) as Violation[];
  return all.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * Pairs of boxes that intersect (by more than half a pixel): among the top-level panels, and
 * among the header's parts (the run's controls, its progress, the backend).
 */
const OVERLAPS = `(() => {
  const top = [...document.querySelectorAll(
    '.topbar, .intro, .view-tabs, .sidebar > .panel, .view:not([hidden]) .panel'
  )].filter((el) => !el.parentElement.closest('.panel'));
  const header = [...document.querySelectorAll('.topbar > *')];
  const out = [];
  for (const group of [top, header]) {
    const boxes = group
      .map((el) => ({ name: el.getAttribute('data-panel') || el.className, r: el.getBoundingClientRect() }))
      .filter((b) => b.r.width > 0 && b.r.height > 0);
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].r, b = boxes[j].r;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 0.5 && h > 0.5) out.push(boxes[i].name + ' × ' + boxes[j].name);
      }
  }
  return out;
})()`;

/** Text elements whose content is wider than their box (scrollWidth > clientWidth). */
const OVERFLOWS = `(() => {
  const sel = 'h1, h2, h3, p, button, label, summary, figcaption, th, td, legend, dt, dd, li, .field > span, .topbar > *';
  return [...document.querySelectorAll(sel)]
    .filter((el) => el.offsetParent !== null && !el.closest('.sr-only, pre, .as-table, [hidden]'))
    .filter((el) => el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
    .map((el) => el.tagName.toLowerCase() + ': ' + (el.textContent || '').slice(0, 40)
      + ' (' + el.scrollWidth + ' > ' + el.clientWidth + ')');
})()`;

describe('the lab’s design', () => {
  it('has no serious or critical axe violations on the search and the retrain views', async () => {
    const page = await open(lab.browser);
    await page.getByTestId('start').click();
    await waitForSteps(page, 1);
    await page.getByTestId('stop').click();
    await expect.poll(() => status(page), { timeout: 120_000 }).toBe('stopped');
    // The heatmap's table and a panel's help unfolded: they are checked too.
    await page.locator('[data-testid="alphas-normal"] summary').click();
    await page.getByRole('button', { name: 'About Architecture weights', exact: true }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('tab', { name: 'Retrain' }).click();
    await page.locator('select[name="retrain-genotype"]').selectOption('DARTS_V2');
    expect(await seriousViolations(page)).toEqual([]);
    // The introduction, dismissed, stays away after a reload.
    await page.getByTestId('intro-dismiss').click();
    await page.reload();
    await expect.poll(() => page.getByTestId('backend').count()).toBe(1);
    expect(await page.getByTestId('intro').count()).toBe(0);
    await page.close();
  }, 600_000);

  it('starts, pauses, steps and switches views from the keyboard', async () => {
    const page = await open(lab.browser);
    await page.getByTestId('start').focus();
    await page.keyboard.press('Enter');
    await waitForSteps(page, 1);
    await blur(page);
    await page.keyboard.press(' ');
    await expect.poll(() => status(page), { timeout: 120_000 }).toBe('paused');
    const paused = await stepCount(page);
    await page.keyboard.press('s');
    await waitForSteps(page, paused + 1);
    expect(await status(page)).toBe('paused');
    // Typing an "s" in a field is typing, not a step (the autosave interval stays enabled).
    await page.locator('input[name="autosave-every"]').focus();
    await page.keyboard.press('s');
    await page.waitForTimeout(1500);
    expect(await stepCount(page)).toBe(paused + 1);
    await blur(page);
    await page.keyboard.press(' ');
    await expect.poll(() => status(page), { timeout: 120_000 }).toBe('running');
    await page.getByTestId('stop').click();
    // The shortcuts are listed; Escape closes the list.
    await page.getByTestId('keyboard-help').click();
    expect(await page.locator('#keyboard-shortcuts').isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    expect(await page.locator('#keyboard-shortcuts').isVisible()).toBe(false);
    await page.getByTestId('keyboard-help').click();
    await page.locator('.view-tabs').click({ position: { x: 400, y: 10 } });
    expect(await page.locator('#keyboard-shortcuts').isVisible()).toBe(false);
    // The views are tabs: the arrow keys switch them, and the link keeps the view.
    await page.getByRole('tab', { name: 'Search' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Retrain' }).getAttribute('aria-selected')).toBe(
      'true',
    );
    expect(await page.getByTestId('retrain-panel').isVisible()).toBe(true);
    expect(new URL(page.url()).searchParams.get('view')).toBe('retrain');
    await page.reload();
    expect(await page.getByTestId('retrain-panel').isVisible()).toBe(true);
    await page.getByRole('tab', { name: 'Retrain' }).focus();
    await page.keyboard.press('ArrowLeft');
    expect(await page.getByTestId('cell-normal').isVisible()).toBe(false);
    expect(await page.getByTestId('retrain-panel').isVisible()).toBe(false);
    expect(new URL(page.url()).searchParams.get('view')).toBeNull();
    await page.close();
  }, 600_000);

  for (const [width, height] of [
    [1024, 768],
    [1440, 900],
    [1920, 1080],
  ] as const) {
    it(`lays out at ${width}×${height}, light and dark: no overlaps, no overflowing text`, async () => {
      mkdirSync(SHOTS, { recursive: true });
      const page = await open(lab.browser, { width, height });
      await page.getByTestId('start').click();
      await waitForSteps(page, 2);
      await page.getByTestId('stop').click();
      await expect.poll(() => status(page), { timeout: 120_000 }).toBe('stopped');
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        await page.waitForTimeout(300); // the controls' colour transitions (0.12 s) settle
        expect(await page.evaluate(OVERLAPS)).toEqual([]);
        expect(await page.evaluate(OVERFLOWS)).toEqual([]);
        await page.screenshot({ path: join(SHOTS, `lab-${width}x${height}-${colorScheme}.png`) });
      }
      await page.getByRole('tab', { name: 'Retrain' }).click();
      await page.locator('select[name="retrain-genotype"]').selectOption('DARTS_V2');
      expect(await page.evaluate(OVERLAPS)).toEqual([]);
      expect(await page.evaluate(OVERFLOWS)).toEqual([]);
      await page.screenshot({ path: join(SHOTS, `lab-retrain-${width}x${height}-dark.png`) });
      expect(failedRequests.get(page)).toEqual([]);
      expect(await page.locator('link[rel="icon"]').getAttribute('href')).toBe('favicon.svg');
      const icon = await page.request.get(`${lab.url}favicon.svg`);
      expect([icon.status(), icon.headers()['content-type']]).toEqual([200, 'image/svg+xml']);
      await page.close();
    }, 600_000);
  }
});
