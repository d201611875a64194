/**
 * A cell measured on the cpu backend at the small configuration: the counted warm-up, the
 * timed steps, no tensor left behind. No timing is asserted.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createRunner, measureCell } from '../../bench/workloads';
import * as tf from '../../src/nas/tensor/tf';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('measureCell', () => {
  it('times the requested steps, counts kernels, and disposes everything it built', async () => {
    const before = tf.memory().numTensors;
    const m = await measureCell(
      { config: 'small', workload: 'alpha1', implementation: 'reference' },
      { steps: 2, softBudgetMs: 60_000 },
    );
    expect(m.stepMs).toHaveLength(2);
    expect(m.imagesPerStep).toBe(4);
    expect(m.kernelsPerStep).toBeGreaterThan(1000);
    expect(m.gpuProgramsPerStep).toBeNull();
    expect(m.macsPerStep).toBeGreaterThan(0);
    expect(m.tensorGrowth).toBe(0);
    expect(m.tensorsAlive).toBeGreaterThan(before);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops adding timed steps once the soft budget is spent, after at least one', async () => {
    const m = await measureCell(
      { config: 'small', workload: 'alpha1', implementation: 'fused' },
      { steps: 50, softBudgetMs: 1e-3 },
    );
    expect(m.stepMs).toHaveLength(1);
  });

  it('refuses workloads that do not exist, naming them', () => {
    expect(() =>
      createRunner({ config: 'small', workload: 'cdarts', implementation: 'reference' }),
    ).toThrow('the CDARTS cycle step is not implemented yet');
    expect(() =>
      createRunner({ config: 'small', workload: 'retrain', implementation: 'fused' }),
    ).toThrow('the retrain step has one implementation only ("reference")');
  });
});
