/**
 * A retrain survives a lost GPU device in Debian's headless Chromium (SwiftShader WebGPU): the
 * worker notices, goes back to the retrain's last autosave on a recreated device (or the next
 * backend), tells the page, and trains on.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useLab } from './labFixture';

const lab = useLab({ webgpu: true });

interface Message {
  readonly type: string;
  readonly step?: number;
  readonly resumedAt?: number;
  readonly report?: { readonly type: string; readonly step?: number };
}

const messages = (page: Page) => page.evaluate('window.workerMessages') as Promise<Message[]>;

describe('a retrain in the lab on WebGPU', () => {
  it('survives a lost GPU device: it resumes from its autosave by itself and says so', async () => {
    const page = await lab.browser.newPage({ viewport: { width: 1400, height: 1400 } });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.addInitScript({
      content: `window.workerMessages = [];
        window.labWorkers = [];
        const NativeWorker = window.Worker;
        window.Worker = class extends NativeWorker {
          constructor(...args) {
            super(...args);
            window.labWorkers.push(this);
            this.addEventListener('message', (e) => {
              if (['report', 'autosaved', 'recovered', 'backend'].includes(e.data.type))
                window.workerMessages.push(e.data);
            });
          }
        };`,
    });
    await page.goto(`${lab.url}?backend=webgpu&view=retrain`);
    await page.locator('input[name="autosave-every"]').fill('2');
    await page.locator('select[name="retrain-genotype"]').selectOption('DARTS_V2');
    await page.locator('input[name="retrain-epochs"]').fill('20');
    await page.getByTestId('retrain').click();
    // The interval reached the worker: its first autosave is at step 2. Read from the worker's
    // messages: the steps are quick, so the status may be past step 2 when it is looked at; it
    // names one of the autosaved steps.
    const autosaved = async () =>
      (await messages(page)).filter((m) => m.type === 'autosaved').map((m) => m.step);
    await expect.poll(autosaved, { timeout: 240_000 }).not.toEqual([]);
    expect((await autosaved())[0]).toBe(2);
    await expect
      .poll(() => page.getByTestId('autosave-status').textContent(), { timeout: 30_000 })
      .toMatch(/^autosaved at step \d+ /);
    const status = (await page.getByTestId('autosave-status').textContent()) ?? '';
    expect(await autosaved()).toContain(Number(/step (\d+)/.exec(status)?.[1]));
    expect(await page.getByTestId('backend').textContent()).toBe('backend: webgpu');
    // The test hook destroys the worker's WebGPU device between two steps.
    await page.evaluate(
      "window.labWorkers[0].postMessage({ type: 'injectFault', kind: 'deviceLoss' })",
    );
    await expect
      .poll(() => page.getByTestId('notice').textContent(), { timeout: 120_000 })
      .toMatch(
        /GPU device was lost.*The retrain went back to its last checkpoint \(step \d+\) and goes on, on (webgpu|webgl|cpu)/,
      );
    const recovered = (await messages(page)).find((m) => m.type === 'recovered');
    const resumedAt = recovered?.resumedAt ?? -1;
    expect(resumedAt).toBeGreaterThanOrEqual(2);
    const stepsAfter = async () => {
      const all = await messages(page);
      return all
        .slice(all.findIndex((m) => m.type === 'recovered'))
        .filter((m) => m.type === 'report' && m.report?.type === 'step');
    };
    await expect
      .poll(async () => (await stepsAfter()).length, { timeout: 240_000 })
      .toBeGreaterThanOrEqual(2);
    expect((await stepsAfter())[0]?.report?.step).toBe(resumedAt + 1);
    expect(await page.getByTestId('status').textContent()).toBe('running');
    expect(await page.getByTestId('error').count()).toBe(0);
    await page.getByTestId('stop').click();
    await page.close();
  }, 600_000);
});
