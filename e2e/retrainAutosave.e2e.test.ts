/**
 * A retrain autosaves as a search does, in Debian's headless Chromium: after a reload the page
 * offers to resume it, and the resumed retrain goes on from the autosaved step.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useLab } from './labFixture';

const lab = useLab({ webgpu: false });

interface Message {
  readonly type: string;
  readonly kind?: string;
  readonly step?: number;
  readonly report?: { readonly type: string; readonly step?: number };
}

const messages = (page: Page) => page.evaluate('window.workerMessages') as Promise<Message[]>;

describe('a retrain in the lab', () => {
  it('autosaves; after a reload the page offers it, and it resumes from the autosave', async () => {
    const page = await lab.browser.newPage({ viewport: { width: 1400, height: 1400 } });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.addInitScript({
      content: `window.workerMessages = [];
        const NativeWorker = window.Worker;
        window.Worker = class extends NativeWorker {
          constructor(...args) {
            super(...args);
            this.addEventListener('message', (e) => {
              if (['report', 'autosaved', 'runStarted', 'autosaves'].includes(e.data.type))
                window.workerMessages.push(e.data);
            });
          }
        };`,
    });
    await page.goto(`${lab.url}?backend=cpu&view=retrain`);
    await page.locator('input[name="autosave-every"]').fill('2');
    await page.locator('select[name="retrain-genotype"]').selectOption('DARTS_V2');
    // Long enough to be running when the page reloads (4 steps an epoch, several a second on cpu).
    await page.locator('input[name="retrain-epochs"]').fill('200');
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
    const saved = (await messages(page)).filter((m) => m.type === 'autosaved').at(-1)?.step ?? -1;

    await page.reload();
    await expect
      .poll(() => page.getByTestId('autosave-offer').textContent(), { timeout: 60_000 })
      .toMatch(/A retrain was autosaved at step \d+/);
    const offered = Number(
      /step (\d+)/.exec((await page.getByTestId('autosave-offer').textContent()) ?? '')?.[1],
    );
    expect(offered).toBeGreaterThanOrEqual(saved);
    await page.getByTestId('resume-autosave').click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), { timeout: 120_000 })
      .toBe('paused');
    const restored = (await messages(page)).find((m) => m.type === 'runStarted');
    expect(restored).toMatchObject({ kind: 'retrain', step: offered });
    // The retrain's panel shows the resumed genotype's cells again.
    await expect
      .poll(() => page.locator('[data-testid="retrain-cell-normal"] .cell-node').count())
      .toBe(7);
    await page.getByTestId('resume').click();
    const steps = async () =>
      (await messages(page)).filter((m) => m.type === 'report' && m.report?.type === 'step');
    await expect
      .poll(async () => (await steps()).length, { timeout: 240_000 })
      .toBeGreaterThanOrEqual(1);
    expect((await steps())[0]?.report?.step).toBe(offered + 1);
    expect(await page.getByTestId('error').count()).toBe(0);
    await page.getByTestId('stop').click();
    await page.close();
  }, 600_000);
});
