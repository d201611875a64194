import { beforeAll, describe, expect, it } from 'vitest';
import { cosineLr } from '../../src/nas/optim/cosineSchedule';
import { DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import type { RetrainConfig } from '../../src/nas/retrain/retrainConfig';
import {
  PAPER_RETRAIN_CONFIG,
  SMALL_RETRAIN_CONFIG,
  validateRetrainConfig,
} from '../../src/nas/retrain/retrainConfig';
import type { RetrainEvent } from '../../src/nas/retrain/retrainLoop';
import { runRetrain } from '../../src/nas/retrain/retrainLoop';
import { createRetrainState, disposeRetrainState } from '../../src/nas/retrain/retrainState';
import * as tf from '../../src/nas/tensor/tf';
import { tinyData } from '../support/tiny';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const TINY_RETRAIN: RetrainConfig = {
  ...SMALL_RETRAIN_CONFIG,
  channels: 4,
  layers: 3,
  batchSize: 8,
  epochs: 4,
  lr: 0.05,
  dropPathProb: 0.2,
  seed: 1,
};

async function collect(config: RetrainConfig, onStep?: () => void): Promise<RetrainEvent[]> {
  const data = tinyData(64, 8, 2);
  const state = createRetrainState(config, DARTS_V2, data.shape);
  const events: RetrainEvent[] = [];
  try {
    for await (const e of runRetrain(state, { train: data.train, test: data.val })) {
      events.push(e);
      if (e.type === 'step') onStep?.();
    }
  } finally {
    data.train.dispose();
    data.val.dispose();
    disposeRetrainState(state);
  }
  return events;
}

describe('retrain loop (cpu)', () => {
  it('follows the cosine schedule to 0 and the linear drop-path schedule, per epoch', async () => {
    const counts: number[] = [];
    const events = await collect(TINY_RETRAIN, () => counts.push(tf.memory().numTensors));
    const steps = events.filter((e) => e.type === 'step');
    expect(steps.length).toBe(4 * 4);
    for (const s of steps) {
      expect(s.lr).toBeCloseTo(cosineLr(s.epoch, 4, 0.05, 0), 12);
      expect(s.dropPathProb).toBeCloseTo((0.2 * s.epoch) / 4, 12);
    }
    expect(steps[0]?.lr).toBe(0.05);
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    // Leaks are bugs: the count of live tensors does not grow with the steps.
    expect(new Set(counts.slice(1)).size).toBe(1);

    const epochs = events.filter((e) => e.type === 'epoch');
    expect(epochs.map((e) => e.step)).toEqual([4, 8, 12, 16]);
    const done = events.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type !== 'done') return;
    expect(done.testAccuracy).toBe(epochs.at(-1)?.testAccuracy);
    // The synthetic classes are separable: a short retrain learns them.
    const first = steps.slice(0, 4).reduce((a, s) => a + s.trainLoss, 0) / 4;
    const lastLosses = steps.slice(-4).reduce((a, s) => a + s.trainLoss, 0) / 4;
    expect(lastLosses).toBeLessThan(first);
    expect(done.testAccuracy).toBeGreaterThan(0.5);
  }, 120_000);

  it('is reproducible from its seed (order, init and drop-path masks)', async () => {
    const config = { ...TINY_RETRAIN, epochs: 2 };
    const a = (await collect(config)).filter((e) => e.type === 'step').map((e) => e.trainLoss);
    const b = (await collect(config)).filter((e) => e.type === 'step').map((e) => e.trainLoss);
    expect(a).toEqual(b);
    const c = (await collect({ ...config, seed: 2 }))
      .filter((e) => e.type === 'step')
      .map((e) => e.trainLoss);
    expect(c).not.toEqual(a);
  }, 120_000);

  it('refuses impossible settings with a message naming them', () => {
    expect(() => validateRetrainConfig({ ...PAPER_RETRAIN_CONFIG, layers: 2 })).toThrow(
      /layers must be an integer of at least 3, got 2/,
    );
    expect(() => validateRetrainConfig({ ...PAPER_RETRAIN_CONFIG, dropPathProb: 1 })).toThrow(
      /drop path probability must be in \[0, 1\), got 1/,
    );
    expect(() => validateRetrainConfig({ ...PAPER_RETRAIN_CONFIG, lrMin: 1 })).toThrow(
      /minimum learning rate 1 exceeds the learning rate 0.025/,
    );
    const data = tinyData(16, 4, 2);
    try {
      expect(() =>
        createRetrainState({ ...TINY_RETRAIN, auxiliary: true }, DARTS_V2, data.shape),
      ).toThrow(/auxiliary head .* needs at least 2×2/);
    } finally {
      data.train.dispose();
      data.val.dispose();
    }
  });
});
