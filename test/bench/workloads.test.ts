/**
 * A cell measured on the cpu backend at the small configuration: the counted warm-up, the
 * timed steps, no tensor left behind. No timing is asserted. The CDARTS workload's networks
 * have the parameter counts of the PyTorch reference step (bench/torch_cdarts.py).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { BENCH_CONFIGS } from '../../bench/benchConfigs';
import { createRunner, measureCell } from '../../bench/workloads';
import type { CdartsState } from '../../src/nas/cdarts/cdartsState';
import {
  createCdartsState,
  disposeCdartsState,
  evalWeights,
  followGenotype,
  searchWeights,
} from '../../src/nas/cdarts/cdartsState';
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

  it('runs the CDARTS joint step: both networks, the distillation, no tensor left behind', async () => {
    const before = tf.memory().numTensors;
    const m = await measureCell(
      { config: 'small', workload: 'cdarts', implementation: 'reference' },
      { steps: 1, softBudgetMs: 60_000 },
    );
    const weightStep = await measureCell(
      { config: 'small', workload: 'weight', implementation: 'reference' },
      { steps: 1, softBudgetMs: 60_000 },
    );
    expect(m.stepMs).toHaveLength(1);
    expect(m.imagesPerStep).toBe(BENCH_CONFIGS.small.cdarts.batchSize);
    // Two networks forward and backward on top of a search-network weight step (24,739
    // kernels on 2026-12-07 against the DARTS supernet weight step's 15,049).
    expect(m.kernelsPerStep).toBeGreaterThan(weightStep.kernelsPerStep ?? Infinity);
    expect(m.macsPerStep).toBeGreaterThan(0);
    expect(m.tensorGrowth).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses implementations a workload does not have, naming them', () => {
    expect(() =>
      createRunner({ config: 'small', workload: 'cdarts', implementation: 'fused' }),
    ).toThrow('the CDARTS joint step has one implementation only ("reference")');
    expect(() =>
      createRunner({ config: 'small', workload: 'retrain', implementation: 'fused' }),
    ).toThrow('the retrain step has one implementation only ("reference")');
  });
});

describe("the CDARTS workload's networks", () => {
  const size = (weights: Record<string, tf.Variable>) =>
    Object.values(weights).reduce((sum, v) => sum + v.size, 0);

  // The counts bench/torch_step.py prints in its cdarts cells' note (the shared stem, heads and
  // ensemble weight counted in both networks).
  it.each([
    ['small', 15_519, 5_715],
    ['medium', 402_041, 74_345],
  ] as const)(
    'have the parameter counts of the PyTorch reference at %s (%i, %i)',
    (name, search, evaluation) => {
      const config = BENCH_CONFIGS[name];
      const { size: side, channels, numClasses } = config.image;
      const state: CdartsState = createCdartsState(config.cdarts, {
        height: side,
        width: side,
        channels,
        numClasses,
      });
      try {
        followGenotype(state, config.cdartsGenotype);
        expect(size(searchWeights(state))).toBe(search);
        expect(size(evalWeights(state))).toBe(evaluation);
      } finally {
        disposeCdartsState(state);
      }
    },
  );
});
