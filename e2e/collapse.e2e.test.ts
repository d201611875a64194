/**
 * The collapse monitor in the lab (Debian's headless Chromium, cpu backend): a DARTS search
 * linked with the monitor on and DARTS+'s rule charts the dominant Hessian eigenvalue and the
 * normal cell's skips, and the rule pauses the run with its reason and the offered genotype.
 * Two candidates (max pool, skip) make two skips in the demo's normal cell of four edges likely
 * from the first steps; the rule looks from epoch 0.
 */
import { describe, expect, it } from 'vitest';
import { useLab } from './labFixture';

const lab = useLab({ webgpu: false });

describe('the collapse monitor in the lab', () => {
  it('charts the eigenvalue and the skips, and an early-stop rule pauses the run', async () => {
    const page = await lab.browser.newPage({ viewport: { width: 1400, height: 1400 } });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    const query =
      '?backend=cpu&hessianEvery=1&earlyStop=skips&earlyStopStart=0&ops=max_pool_3x3,skip_connect';
    await page.goto(`${lab.url}${query}`);
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('early-stop').count(), { timeout: 240_000 }).toBe(1);
    expect(await page.getByTestId('early-stop').textContent()).toMatch(
      /DARTS\+'s rule fired at step \d+: the normal cell holds \d skip connections .*the search pauses/,
    );
    await expect
      .poll(() => page.getByTestId('status').textContent(), { timeout: 60_000 })
      .toBe('paused');
    expect(await page.getByTestId('hessian-chart').count()).toBe(1);
    expect(await page.getByTestId('skips-chart').count()).toBe(1);
    await page.close();
  });
});
