/**
 * The lab end to end, in Debian's headless Chromium: a tiny DARTS search on the WebGPU backend
 * (SwiftShader where there is no GPU) in a worker, live charts, cell graphs, genotype download,
 * Pause/Step/Resume/Stop, form validation, a worker error, and the fallback without WebGPU.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { genotypeFromJson, parseGenotype } from '../src/nas/genotype/genotype';
import { parseGenotypeAny } from '../src/nas/genotype/genotypeFormats';
import { sortGenesPerNode } from '../test/support/genotypeOrder';
import { CONTENT_SECURITY_POLICY } from '../build/contentSecurityPolicy';
import { useChromium, useLabServer } from './labFixture';
import { recordMainThreadTasks } from './mainThreadTasks';

const SHOTS = join(__dirname, 'screenshots');
/** The quick-demo preset, with enough epochs that the run is still going while we poke it. */
const TINY = '?preset=demo&epochs=40';

const server = useLabServer();

async function openLab(browser: Browser, query = TINY): Promise<Page> {
  const page = await browser.newPage({
    acceptDownloads: true,
    viewport: { width: 1400, height: 1800 },
  });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  // Long tasks (> 50 ms) on the page's main thread. A string, not a function: the test
  // transform may wrap functions in helpers that the page does not have.
  await page.addInitScript({
    content: `window.workerMessages = [];
      const NativeWorker = window.Worker;
      window.labWorkers = [];
      window.Worker = class extends NativeWorker {
        constructor(...args) {
          super(...args);
          window.labWorkers.push(this);
          this.addEventListener('message', (e) => {
            if (['report', 'runStarted', 'autosaved', 'recovered', 'backend'].includes(e.data.type)) window.workerMessages.push(e.data);
          });
        }
      };
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
      window.longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });`,
  });
  const foreign: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(server.url) && !/^(blob|data):/.test(r.url())) foreign.push(r.url());
  });
  pagesForeignRequests.set(page, foreign);
  await page.goto(`${server.url}${query}`);
  return page;
}

/** Requests each page made to anything but its own origin. */
const pagesForeignRequests = new WeakMap<Page, string[]>();

/** Fails if the page broke its Content-Security-Policy or reached beyond its origin. */
async function expectStrictPage(page: Page) {
  expect(await page.evaluate('window.cspViolations')).toEqual([]);
  expect(pagesForeignRequests.get(page)).toEqual([]);
}

const stepCount = async (page: Page) => Number(await page.getByTestId('step-count').textContent());

async function waitForSteps(page: Page, n: number, timeout = 240_000) {
  await page.waitForFunction(
    (target) => Number(document.querySelector('[data-testid="step-count"]')?.textContent) >= target,
    n,
    { timeout },
  );
}

describe('the lab in Chromium with WebGPU', () => {
  const chromium = useChromium({ webgpu: true });

  it('runs a tiny search in a worker on WebGPU: charts, cells, genotype download', async () => {
    const page = await openLab(chromium.browser);
    await page.waitForLoadState('networkidle');
    const startedAt = await page.evaluate(() => performance.now());
    const recorder = await recordMainThreadTasks(page);
    await page.getByTestId('start').click();
    await expect
      .poll(() => page.getByTestId('backend').textContent(), { timeout: 60_000 })
      .toBe('backend: webgpu');
    await waitForSteps(page, 4);
    const tasks = await recorder.stop();
    const longTasks = (await page.evaluate('window.longTasks')) as {
      start: number;
      duration: number;
    }[];
    const during = longTasks.filter((l) => l.start > startedAt);
    const slowest = [...tasks].sort((a, b) => b.cpuMs - a.cpuMs).slice(0, 5);
    console.log(
      `main thread while searching: ${tasks.length} tasks; most CPU: ${JSON.stringify(slowest)}; ` +
        `long tasks by wall time (stretched by SwiftShader on the same cores): ${JSON.stringify(during)}`,
    );
    // The page's own work per task stays under the 50 ms long-task budget.
    expect(slowest[0]?.cpuMs ?? 0).toBeLessThan(50);
    await expect
      .poll(async () => Number(await page.getByTestId('loss-chart').getAttribute('data-points')))
      .toBeGreaterThanOrEqual(2);
    // The signs of learning: the alphas' entropy per step, and how long the genotype has held.
    await expect
      .poll(async () => Number(await page.getByTestId('entropy-chart').getAttribute('data-points')))
      .toBeGreaterThanOrEqual(2);
    await expect
      .poll(() => page.getByTestId('genotype-unchanged').getAttribute('data-steps'))
      .toMatch(/^\d+$/);
    // Quick demo: 2 intermediate nodes, so 2 inputs + 2 nodes + 1 output, 2 labelled edges per node.
    for (const cell of ['cell-normal', 'cell-reduce']) {
      await expect.poll(() => page.locator(`[data-testid="${cell}"] .cell-node`).count()).toBe(5);
      const labels = await page
        .locator(`[data-testid="${cell}"] .cell-edge-label`)
        .allTextContents();
      expect(labels.length).toBe(4);
      for (const l of labels)
        expect(l).toMatch(
          /^(max_pool_3x3|avg_pool_3x3|skip_connect|sep_conv_3x3|sep_conv_5x5|dil_conv_3x3|dil_conv_5x5)$/,
        );
    }
    expect(await page.locator('[data-testid="alphas-normal"] [data-edge]').count()).toBe(5);
    await page.getByTestId('pause').click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), { timeout: 120_000 })
      .toBe('paused');
    const shown = genotypeFromJson(
      JSON.parse((await page.getByTestId('genotype-json').textContent()) ?? ''),
    );
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByText('Download genotype').click(),
    ]);
    const file = await download.path();
    expect(parseGenotype(readFileSync(file, 'utf8'))).toEqual(shown);
    // The same genotype in DARTS's repr and in NNI's JSON reads back equal.
    for (const [format, name] of [
      ['repr', /^genotype-step-\d+\.py$/],
      ['nni', /^genotype-step-\d+\.nni\.json$/],
    ] as const) {
      await page.locator('select[name="genotype-format"]').selectOption(format);
      const [other] = await Promise.all([
        page.waitForEvent('download'),
        page.getByText('Download genotype').click(),
      ]);
      expect(other.suggestedFilename()).toMatch(name);
      const parsed = parseGenotypeAny(readFileSync(await other.path(), 'utf8'));
      if (format === 'repr') expect(parsed).toEqual(shown);
      // NNI keeps no strength order within a node: compare each node's pair sorted.
      else expect(sortGenesPerNode(parsed)).toEqual(sortGenesPerNode(shown));
    }
    await page.locator('select[name="genotype-format"]').selectOption('json');
    await page.screenshot({ path: join(SHOTS, 'lab-webgpu.png'), fullPage: true });
    copyFileSync(
      join(SHOTS, 'lab-webgpu.png'),
      join(__dirname, '..', 'docs', 'lab-screenshot.png'),
    );
    await expectStrictPage(page);
    await page.close();
  }, 600_000);

  it('Pause holds the step counter, Step advances exactly one, Resume and Stop work', async () => {
    const page = await openLab(chromium.browser);
    await page.getByTestId('start').click();
    await waitForSteps(page, 1);
    await page.getByTestId('pause').click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), { timeout: 120_000 })
      .toBe('paused');
    const paused = await stepCount(page);
    await page.waitForTimeout(2000);
    expect(await stepCount(page)).toBe(paused);
    await page.getByTestId('step').click();
    await waitForSteps(page, paused + 1);
    await page.waitForTimeout(2000);
    expect(await stepCount(page)).toBe(paused + 1);
    await page.getByTestId('resume').click();
    await waitForSteps(page, paused + 2);
    await page.getByTestId('stop').click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), { timeout: 120_000 })
      .toBe('stopped');
    await page.close();
  }, 600_000);

  it('downloads a checkpoint mid-search; after a reload it loads and resumes from it', async () => {
    const page = await openLab(chromium.browser);
    await page.getByTestId('start').click();
    await waitForSteps(page, 2);
    await page.getByTestId('pause').click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), { timeout: 120_000 })
      .toBe('paused');
    const saved = await stepCount(page);
    const shown = await page.getByTestId('genotype-json').textContent();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('save-checkpoint').click(),
    ]);
    expect(download.suggestedFilename()).toBe(`nas-lab-darts-step-${saved}.naslab`);
    const file = await download.path();
    await page.reload();
    expect(await stepCount(page)).toBe(0);
    // "Load checkpoint to retrain": the retrain panel takes the checkpoint's genotype.
    await page.locator('input[name="genotype-file"]').setInputFiles(file);
    await expect
      .poll(() => page.locator('select[name="retrain-genotype"] option:checked').textContent())
      .toMatch(new RegExp(`\\(step ${saved}\\)$`));
    await page.locator('input[name="checkpoint-file"]').setInputFiles(file);
    await expect
      .poll(() => page.getByTestId('status').textContent(), { timeout: 120_000 })
      .toBe('paused');
    expect(await stepCount(page)).toBe(saved);
    expect(await page.getByTestId('genotype-json').textContent()).toBe(shown);
    await page.getByTestId('resume').click();
    await waitForSteps(page, saved + 1);
    await page.getByTestId('stop').click();
    await page.close();
  }, 600_000);

  it('autosaves a running search; after a reload it resumes from the autosave', async () => {
    const page = await openLab(chromium.browser);
    await page.locator('input[name="autosave-every"]').fill('2');
    await page.getByTestId('start').click();
    type Message = {
      type: string;
      step?: number;
      report?: { type: string; step?: number; alphas?: unknown; detail?: { alphas?: unknown } };
    };
    const messages = async () => (await page.evaluate('window.workerMessages')) as Message[];
    // The interval reached the worker: its first autosave is at step 2. Read from the worker's
    // messages: the steps are quick, so the status may be past step 2 when it is looked at; it
    // names one of the autosaved steps.
    const autosaved = async () =>
      (await messages()).filter((m) => m.type === 'autosaved').map((m) => m.step);
    await expect.poll(autosaved, { timeout: 240_000 }).not.toEqual([]);
    expect((await autosaved())[0]).toBe(2);
    await expect
      .poll(() => page.getByTestId('autosave-status').textContent(), { timeout: 30_000 })
      .toMatch(/^autosaved at step \d+ /);
    const status = (await page.getByTestId('autosave-status').textContent()) ?? '';
    expect(await autosaved()).toContain(Number(/step (\d+)/.exec(status)?.[1]));
    const stepAt = (messages: Message[], step: number) =>
      messages.find(
        (m) => m.type === 'report' && m.report?.type === 'step' && m.report.step === step,
      );
    const before = await messages();
    const saved = before.filter((m) => m.type === 'autosaved').at(-1)?.step ?? -1;
    const alphasAtSave = stepAt(before, saved)?.report?.alphas;
    expect(alphasAtSave).toBeDefined();
    await page.reload();
    // The offer names the newest autosave; the run may have autosaved again before the reload.
    await expect
      .poll(() => page.getByTestId('autosave-offer').textContent(), { timeout: 60_000 })
      .toMatch(/A DARTS search was autosaved at step \d+/);
    const offered = Number(
      /step (\d+)/.exec((await page.getByTestId('autosave-offer').textContent()) ?? '')?.[1],
    );
    expect(offered).toBeGreaterThanOrEqual(saved);
    await page.getByTestId('resume-autosave').click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), { timeout: 120_000 })
      .toBe('paused');
    expect(await stepCount(page)).toBe(offered);
    const after = (await page.evaluate('window.workerMessages')) as Message[];
    expect(after.find((m) => m.type === 'runStarted')?.step).toBe(offered);
    // The resumed run opens with a note of where it stands: the alphas as they were saved.
    const restored = after.find((m) => m.type === 'report' && m.report?.type === 'note');
    const alphasAtOffer =
      offered === saved ? alphasAtSave : stepAt(before, offered)?.report?.alphas;
    if (alphasAtOffer) expect(restored?.report?.detail?.alphas).toEqual(alphasAtOffer);
    await page.getByTestId('resume').click();
    await waitForSteps(page, offered + 1);
    await page.getByTestId('stop').click();
    await page.close();
  }, 600_000);

  it('runs a tiny CDARTS search on WebGPU: both networks charted, both cells drawn, genotype downloads', async () => {
    // Quick demo at 2 epochs: one warm-up epoch, then one cycle (eval warm-up, joint steps).
    const page = await openLab(chromium.browser, '?algorithm=cdarts&epochs=2');
    expect(await page.locator('select[name="algorithm"]').inputValue()).toBe('cdarts');
    await page.getByTestId('start').click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), { timeout: 480_000 })
      .toBe('done');
    expect(await page.getByTestId('backend').textContent()).toBe('backend: webgpu');
    const counts = async (chart: string) =>
      Object.fromEntries(
        ((await page.getByTestId(chart).getAttribute('data-series')) ?? '')
          .split(';')
          .map((e) => e.split(':'))
          .map(([name, n]) => [name, Number(n)]),
      ) as Record<string, number>;
    // Charts take new data a few frames after the message that brought it: poll.
    await expect
      .poll(async () => {
        const loss = await counts('loss-chart');
        const accuracy = await counts('accuracy-chart');
        return (
          [
            loss['search network training loss'] ?? 0,
            loss['evaluation network loss'] ?? 0,
            loss['distillation loss'] ?? 0,
            accuracy['evaluation network accuracy'] ?? 0,
          ].every((n) => n > 0) && accuracy['evaluation network accuracy (epoch end)']
        );
      })
      .toBe(1);
    for (const cell of ['cell-normal', 'cell-reduce', 'eval-cell-normal', 'eval-cell-reduce']) {
      await expect.poll(() => page.locator(`[data-testid="${cell}"] .cell-node`).count()).toBe(5);
    }
    const shown = genotypeFromJson(
      JSON.parse((await page.getByTestId('genotype-json').textContent()) ?? ''),
    );
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByText('Download genotype').click(),
    ]);
    expect(parseGenotype(readFileSync(await download.path(), 'utf8'))).toEqual(shown);
    await page.screenshot({ path: join(SHOTS, 'lab-cdarts.png'), fullPage: true });
    await expectStrictPage(page);
    await page.close();
  }, 600_000);

  it('survives a lost GPU device mid-search: it resumes by itself and says what happened', async () => {
    const page = await openLab(chromium.browser);
    await page.getByTestId('start').click();
    await waitForSteps(page, 3);
    // The test hook destroys the worker's WebGPU device between two steps.
    await page.evaluate(
      "window.labWorkers[0].postMessage({ type: 'injectFault', kind: 'deviceLoss' })",
    );
    await expect
      .poll(() => page.getByTestId('notice').textContent(), { timeout: 120_000 })
      .toMatch(
        /GPU device was lost.*went back to its last checkpoint \(step \d+\) and goes on, on (webgpu|wasm|webgl|cpu)/,
      );
    const messages = (await page.evaluate('window.workerMessages')) as {
      type: string;
      resumedAt?: number;
      report?: { type: string; step?: number };
    }[];
    const recovered = messages.find((m) => m.type === 'recovered');
    expect(recovered?.resumedAt).toBeGreaterThanOrEqual(0);
    const resumedAt = recovered?.resumedAt ?? 0;
    // Steps go on from the checkpoint; the page never showed an error.
    await expect
      .poll(
        async () =>
          ((await page.evaluate('window.workerMessages')) as typeof messages)
            .slice(messages.indexOf(recovered as (typeof messages)[number]))
            .filter((m) => m.type === 'report' && m.report?.type === 'step').length,
        { timeout: 240_000 },
      )
      .toBeGreaterThanOrEqual(2);
    expect(await stepCount(page)).toBeGreaterThan(resumedAt);
    expect(await page.getByTestId('status').textContent()).toBe('running');
    expect(await page.getByTestId('error').count()).toBe(0);
    await page.getByTestId('stop').click();
    await page.close();
  }, 600_000);

  it('stops with one clear message when the device is lost again at the step it went back to', async () => {
    const page = await openLab(chromium.browser);
    await page.getByTestId('start').click();
    await waitForSteps(page, 2);
    await page.getByTestId('pause').click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), { timeout: 120_000 })
      .toBe('paused');
    const lose = () =>
      page.evaluate(
        "window.labWorkers[0].postMessage({ type: 'injectFault', kind: 'deviceLoss' })",
      );
    // The first loss recovers as before ...
    await lose();
    await expect
      .poll(() => page.getByTestId('notice').textContent(), { timeout: 120_000 })
      .toMatch(/went back to its last checkpoint \(step \d+\) and goes on/);
    // ... the same loss again before a step is taken does not: one message, the run stopped.
    await lose();
    await expect
      .poll(() => page.getByTestId('error').textContent(), { timeout: 120_000 })
      .toMatch(
        /^The DARTS search stopped: the GPU device was lost again at step \d+, right after .* went back to its checkpoint there .*smaller batch/,
      );
    expect(await page.getByTestId('notice').count()).toBe(0);
    expect(await page.getByTestId('status').textContent()).toBe('failed');
    const messages = (await page.evaluate('window.workerMessages')) as { type: string }[];
    expect(messages.filter((m) => m.type === 'recovered').length).toBe(1);
    // The page stays usable: a new search starts and steps.
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.getByTestId('start').click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), { timeout: 120_000 })
      .toBe('running');
    await waitForSteps(page, 1);
    await page.getByTestId('stop').click();
    await page.close();
  }, 600_000);

  it('retrains DARTS_V2 from scratch: cells, live charts, a test accuracy; loads genotype files', async () => {
    // The retrain has a view of its own (its tab, kept in the link).
    const page = await openLab(chromium.browser, `${TINY}&view=retrain`);
    // A hostile genotype file is refused with a message; the page keeps working.
    await page.locator('input[name="genotype-file"]').setInputFiles({
      name: 'evil.py',
      mimeType: 'text/plain',
      buffer: Buffer.from("Genotype(normal=[(__import__('os').system('x'), 0)])"),
    });
    await expect
      .poll(() => page.getByTestId('genotype-file-error').textContent())
      .toMatch(/evil\.py/);
    // DARTS's own repr of DARTS_V1 loads and is selected.
    await page.locator('input[name="genotype-file"]').setInputFiles({
      name: 'genotypes.py',
      mimeType: 'text/plain',
      buffer: Buffer.from(
        "DARTS_V1 = Genotype(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('avg_pool_3x3', 0)], reduce_concat=[2, 3, 4, 5])",
      ),
    });
    await expect
      .poll(() => page.locator('select[name="retrain-genotype"]').inputValue())
      .toBe('file');
    await page.locator('select[name="retrain-genotype"]').selectOption('DARTS_V2');
    // 2 inputs + 4 nodes + output; two labelled edges per node.
    await expect
      .poll(() => page.locator('[data-testid="retrain-cell-normal"] .cell-node').count())
      .toBe(7);
    expect(
      await page.locator('[data-testid="retrain-cell-normal"] .cell-edge-label').allTextContents(),
    ).toEqual(expect.arrayContaining(['sep_conv_3x3', 'skip_connect', 'dil_conv_3x3']));
    await page.getByTestId('retrain').click();
    await expect
      .poll(() => page.getByTestId('retrain-result').textContent(), { timeout: 300_000 })
      .toMatch(/^Test accuracy \d+\.\d% \(loss \d/);
    expect(await page.getByTestId('backend').textContent()).toBe('backend: webgpu');
    for (const chart of ['retrain-loss-chart', 'retrain-accuracy-chart', 'retrain-lr-chart']) {
      expect(
        Number(await page.getByTestId(chart).getAttribute('data-points')),
      ).toBeGreaterThanOrEqual(4);
    }
    expect(await page.getByTestId('status').textContent()).toBe('done');
    // The trained model downloads, loads back and evaluates to the same test accuracy.
    const final = /Test accuracy (\d+\.\d)%/.exec(
      (await page.getByTestId('retrain-result').textContent()) ?? '',
    )?.[1];
    const [model] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('download-model').click(),
    ]);
    expect(model.suggestedFilename()).toBe('nas-lab-retrain-model.nas');
    await page.locator('input[name="model-file"]').setInputFiles(await model.path());
    await expect
      .poll(() => page.getByTestId('evaluation-result').textContent(), { timeout: 120_000 })
      .toMatch(
        new RegExp(`^Evaluated on 64 test images: accuracy ${final}% .* recorded ${final}%`),
      );
    await page.screenshot({ path: join(SHOTS, 'lab-retrain.png'), fullPage: true });
    await expectStrictPage(page);
    await page.close();
  }, 600_000);

  it('runs under a strict CSP and shows markup from a file as text, never as markup', async () => {
    const page = await openLab(chromium.browser);
    const meta = await page
      .locator('meta[http-equiv="Content-Security-Policy"]')
      .getAttribute('content');
    expect(meta).toBe(CONTENT_SECURITY_POLICY);
    // Own-origin scripts only, plus what tfjs's wasm threads need (DECISIONS.md): no inline, no eval.
    expect(meta).toMatch(/script-src 'self' 'wasm-unsafe-eval' blob:(;|$)/);
    expect(meta).not.toMatch(/'unsafe-inline'|'unsafe-eval'/);
    const hostile = '<img src=x onerror="window.__pwned=1"><b>bold</b>';
    await page.locator('input[name="genotype-file"]').setInputFiles({
      name: `${hostile}.json`,
      mimeType: 'application/json',
      buffer: Buffer.from(
        JSON.stringify({
          normal: [
            [hostile, 0],
            ['sep_conv_3x3', 1],
          ],
          normal_concat: [2],
          reduce: [
            ['max_pool_3x3', 0],
            ['max_pool_3x3', 1],
          ],
          reduce_concat: [2],
        }),
      ),
    });
    const error = page.getByTestId('genotype-file-error');
    await expect.poll(() => error.textContent()).toContain('<b>bold</b>');
    expect(await error.locator('b, img').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await expectStrictPage(page);
    await page.close();
  }, 120_000);

  it('refuses a bad configuration in the form and reports a worker error, staying usable', async () => {
    const page = await openLab(chromium.browser);
    await page.locator('input[name="nodes"]').fill('0');
    await expect
      .poll(() => page.getByTestId('config-problem').textContent())
      .toBe('nodes is below 1');
    // The problem is shown next to the field too.
    expect(await page.getByTestId('nodes-problem').textContent()).toBe('nodes is below 1');
    expect(await page.getByTestId('start').isDisabled()).toBe(true);
    await page.locator('input[name="nodes"]').fill('2');
    expect(await page.getByTestId('start').isDisabled()).toBe(false);
    await page.close();
  }, 120_000);
});

describe('the lab in Chromium without WebGPU', () => {
  const chromium = useChromium({ webgpu: false });

  it('falls back to wasm, the next backend in the order, and says why', async () => {
    const page = await openLab(chromium.browser);
    await page.getByTestId('start').click();
    await expect
      .poll(() => page.getByTestId('backend').textContent(), { timeout: 60_000 })
      .toBe('backend: wasm');
    expect(await page.getByTestId('backend-reason').textContent()).toMatch(
      /fell back to wasm \(.*\): .*WebGPU/,
    );
    await waitForSteps(page, 1);
    await page.getByTestId('stop').click();
    await page.close();
  }, 600_000);

  it('shows a worker error (WebGPU forced where there is none) and stays usable', async () => {
    const page = await openLab(chromium.browser, `${TINY}&backend=webgpu`);
    await page.getByTestId('start').click();
    await expect
      .poll(() => page.getByTestId('error').textContent(), { timeout: 60_000 })
      .toMatch(/no backend could start: .*WebGPU/);
    await page.locator('select[name="backend"]').selectOption('auto');
    await page.getByTestId('start').click();
    await waitForSteps(page, 1);
    await page.getByTestId('stop').click();
    await page.close();
  }, 600_000);
});
