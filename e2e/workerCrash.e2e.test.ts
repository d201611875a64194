/**
 * A worker that dies mid-search, in Debian's headless Chromium: the page notices, says so,
 * starts a fresh worker and the search goes on by itself from its last autosave in IndexedDB.
 * The worker is named for test hooks by wrapping the Worker constructor before the page loads;
 * its crash hook throws an uncaught error at the worker's top level.
 */
import { describe, expect, it } from 'vitest';
import { TEST_HOOKS_WORKER_NAME } from '../src/worker/workerControl';
import { useLab } from './labFixture';

// The cpu backend: no GPU is needed to lose a worker, and its steps are the quickest here.
const lab = useLab({ webgpu: false });

interface Message {
  readonly worker: number;
  readonly type: string;
  readonly step?: number;
  readonly report?: {
    readonly type: string;
    readonly step?: number;
    readonly alphas?: unknown;
    readonly detail?: { readonly alphas?: unknown };
  };
}

describe('the lab when its worker dies', () => {
  it('restarts the worker, resumes the search from its autosave and says what happened', async () => {
    const page = await lab.browser.newPage({ viewport: { width: 1400, height: 1400 } });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.addInitScript({
      content: `window.workerMessages = [];
        window.labWorkers = [];
        const NativeWorker = window.Worker;
        window.Worker = class extends NativeWorker {
          constructor(url, options) {
            super(url, { ...options, name: ${JSON.stringify(TEST_HOOKS_WORKER_NAME)} });
            const worker = window.labWorkers.push(this) - 1;
            this.addEventListener('message', (e) => {
              if (['report', 'autosaved', 'runStarted', 'backend'].includes(e.data.type))
                window.workerMessages.push({ worker, ...e.data });
            });
          }
        };`,
    });
    await page.goto(`${lab.url}?preset=demo&epochs=40&backend=cpu`);
    await page.locator('input[name="autosave-every"]').fill('2');
    await page.getByTestId('start').click();
    // The interval reached the worker: its first autosave is at step 2. Read from the worker's
    // messages: the steps are quick, so the status may be past step 2 when it is looked at; it
    // names one of the autosaved steps.
    const autosaved = async () =>
      ((await page.evaluate('window.workerMessages')) as Message[])
        .filter((m) => m.worker === 0 && m.type === 'autosaved')
        .map((m) => m.step);
    await expect.poll(autosaved, { timeout: 240_000 }).not.toEqual([]);
    expect((await autosaved())[0]).toBe(2);
    await expect
      .poll(() => page.getByTestId('autosave-status').textContent(), { timeout: 30_000 })
      .toMatch(/^autosaved at step \d+ /);
    const status = (await page.getByTestId('autosave-status').textContent()) ?? '';
    expect(await autosaved()).toContain(Number(/step (\d+)/.exec(status)?.[1]));

    await page.evaluate("window.labWorkers[0].postMessage({ type: 'testCrash' })");
    await expect
      .poll(() => page.getByTestId('notice').textContent(), { timeout: 120_000 })
      .toMatch(
        /^The lab's worker stopped \(an uncaught error: .*test hook: the worker crashed\) and was restarted\. The search went back to its last checkpoint \(step \d+\) and goes on, on cpu\.$/,
      );
    expect(await page.evaluate('window.labWorkers.length')).toBe(2);

    // Steps go on in the new worker from the newest autosave, with the alphas it saved.
    await expect
      .poll(
        async () =>
          ((await page.evaluate('window.workerMessages')) as Message[]).filter(
            (m) => m.worker === 1 && m.type === 'report' && m.report?.type === 'step',
          ).length,
        { timeout: 240_000 },
      )
      .toBeGreaterThanOrEqual(2);
    const messages = (await page.evaluate('window.workerMessages')) as Message[];
    const old = messages.filter((m) => m.worker === 0);
    const lastSaved = old.filter((m) => m.type === 'autosaved').at(-1)?.step ?? -1;
    const restored = messages.find((m) => m.worker === 1 && m.type === 'runStarted');
    const resumedAt = restored?.step ?? -2;
    expect(resumedAt).toBeGreaterThanOrEqual(lastSaved);
    expect(lastSaved).toBeGreaterThanOrEqual(2);
    const notice = (await page.getByTestId('notice').textContent()) ?? '';
    expect(notice).toContain(`(step ${resumedAt})`);
    const isStep = (m: Message) => m.type === 'report' && m.report?.type === 'step';
    const atSave = old.find((m) => isStep(m) && m.report?.step === resumedAt);
    // The resumed run opens with a note of where it stands: the alphas as they were saved.
    const note = messages.find((m) => m.worker === 1 && m.report?.type === 'note');
    expect(atSave?.report?.alphas).toBeDefined();
    expect(note?.report?.detail?.alphas).toEqual(atSave?.report?.alphas);
    const resumedSteps = messages.filter((m) => m.worker === 1 && isStep(m));
    expect(resumedSteps.map((m) => m.report?.step).slice(0, 2)).toEqual([
      resumedAt + 1,
      resumedAt + 2,
    ]);
    expect(await page.getByTestId('status').textContent()).toBe('running');
    expect(await page.getByTestId('error').count()).toBe(0);
    await page.getByTestId('stop').click();
    await page.close();
  }, 600_000);
});
