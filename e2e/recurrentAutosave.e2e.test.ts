/**
 * A recurrent search autosaves and saves checkpoints as every kind of run does, in Debian's
 * headless Chromium on the cpu backend: a tiny search in the recurrent space runs some steps and
 * autosaves; the lab opened again with a plain link offers the autosave, and resuming it brings
 * back the recurrent space, its settings and its step; Save checkpoint works at once, the file
 * loads back, and the run goes on from the saved step.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useLab } from './labFixture';

const lab = useLab({ webgpu: false });

/** A small softmax, short segments, small batches; enough epochs to be running at the reload. */
const TINY: Readonly<Record<string, string>> = {
  nhid: '8',
  bptt: '5',
  batchSize: '4',
  epochs: '20',
  maxVocabulary: '300',
  trainTokens: '2000',
  validTokens: '200',
};

interface Message {
  readonly type: string;
  readonly kind?: string;
  readonly step?: number;
  readonly report?: { readonly type: string; readonly step?: number };
}

const messages = (page: Page) => page.evaluate('window.workerMessages') as Promise<Message[]>;
const stepReports = async (page: Page) =>
  (await messages(page)).filter((m) => m.type === 'report' && m.report?.type === 'step');

describe('a recurrent search in the lab', () => {
  it('autosaves; opened again the lab offers it, resumes it in its space and settings, saves and loads it', async () => {
    const page = await lab.browser.newPage({
      acceptDownloads: true,
      viewport: { width: 1400, height: 1400 },
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript({
      content: `window.workerMessages = [];
        const NativeWorker = window.Worker;
        window.Worker = class extends NativeWorker {
          constructor(...args) {
            super(...args);
            this.addEventListener('message', (e) => {
              if (['report', 'runStarted', 'autosaved'].includes(e.data.type))
                window.workerMessages.push(e.data);
            });
          }
        };`,
    });
    await page.goto(`${lab.url}?space=recurrent&backend=cpu`);
    expect(await page.locator('select[name="space"]').inputValue()).toBe('rnn');
    await page.locator('input[name="autosave-every"]').fill('2');
    for (const [name, value] of Object.entries(TINY)) {
      await page.locator(`input[name="${name}"]`).fill(value);
    }
    await page.getByTestId('start').click();
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
    expect((await messages(page)).find((m) => m.type === 'runStarted')?.kind).toBe('rnn-search');

    // A plain link: the space and settings come back from the autosave, not from the address.
    await page.goto(`${lab.url}?backend=cpu`);
    expect(await page.locator('select[name="space"]').inputValue()).toBe('cnn');
    await expect
      .poll(() => page.getByTestId('autosave-offer').textContent(), { timeout: 60_000 })
      .toMatch(/A DARTS recurrent search was autosaved at step \d+/);
    const offered = Number(
      /step (\d+)/.exec((await page.getByTestId('autosave-offer').textContent()) ?? '')?.[1],
    );
    expect(offered).toBeGreaterThanOrEqual(saved);
    await page.getByTestId('resume-autosave').click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), { timeout: 120_000 })
      .toBe('paused');
    const started = (await messages(page)).find((m) => m.type === 'runStarted');
    expect(started).toMatchObject({ kind: 'rnn-search', step: offered });
    expect(await page.locator('select[name="space"]').inputValue()).toBe('rnn');
    expect(await page.locator('input[name="nhid"]').inputValue()).toBe('8');
    expect(await page.locator('input[name="trainTokens"]').inputValue()).toBe('2000');
    expect(await page.getByTestId('step-count').textContent()).toBe(String(offered));

    // Save checkpoint at once (before a step), and load the file back.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('save-checkpoint').click(),
    ]);
    expect(download.suggestedFilename()).toBe(`nas-lab-rnn-search-step-${offered}.naslab`);
    await page.locator('input[name="checkpoint-file"]').setInputFiles(await download.path());
    await expect
      .poll(async () => (await messages(page)).filter((m) => m.type === 'runStarted').length, {
        timeout: 120_000,
      })
      .toBe(2);
    await expect
      .poll(() => page.getByTestId('status').textContent(), { timeout: 120_000 })
      .toBe('paused');
    expect((await messages(page)).filter((m) => m.type === 'runStarted').at(-1)?.step).toBe(
      offered,
    );

    await page.getByTestId('resume').click();
    await expect
      .poll(async () => (await stepReports(page)).length, { timeout: 240_000 })
      .toBeGreaterThanOrEqual(1);
    expect((await stepReports(page))[0]?.report?.step).toBe(offered + 1);
    expect(Number(await page.getByTestId('step-count').textContent())).toBeGreaterThan(offered);
    expect(await page.getByTestId('error').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.getByTestId('stop').click();
    await page.close();
  }, 600_000);
});
