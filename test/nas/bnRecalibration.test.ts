/**
 * BatchNorm recalibration's own contract (`ops/bnRecalibration.ts`), beside its PyTorch parity
 * (test/parity/bnRecalibration.*): the batches it reads are a fixed function of the seed and the
 * image count, capped by the images there are, and it draws from no other generator; off (absent
 * or K = 0), the evaluation gets the network's own buffers object; on, it gets recalibrated
 * statistics (the cumulative average of the batch means and unbiased variances) while the
 * network's buffers keep their values, and every tensor it made is freed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNorm } from '../../src/nas/ops/batchNorm';
import type { RecalibrationPlan } from '../../src/nas/ops/bnRecalibration';
import { evaluateWithStatistics, recalibrationBatches } from '../../src/nas/ops/bnRecalibration';
import { statisticsOf, statisticsPhrase } from '../../src/nas/ops/bnRecalibrationSetting';
import type { TensorMap } from '../../src/nas/tensor/layer';
import * as tf from '../../src/nas/tensor/tf';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 6 one-pixel images of 1 channel whose value is their index: batch statistics by hand. */
const IMAGES = {
  count: 6,
  batch: (indices: ArrayLike<number>) => ({
    x: tf.tensor4d(Array.from(indices), [indices.length, 1, 1, 1]),
    y: tf.zeros([indices.length], 'int32') as tf.Tensor1D,
  }),
};

const bn = batchNorm('bn', 1, false);

const plan = (batches: number): RecalibrationPlan => ({
  batches,
  images: IMAGES,
  batchSize: 4,
  seed: 9,
});

describe('BatchNorm recalibration', () => {
  it('reads a fixed set of batches of the seed, at most the images there are', () => {
    const a = recalibrationBatches(10, 4, 2, 7);
    expect(a.map((b) => b.length)).toEqual([4, 4]);
    expect(recalibrationBatches(10, 4, 2, 7)).toEqual(a);
    expect(recalibrationBatches(10, 4, 2, 8)).not.toEqual(a);
    const all = recalibrationBatches(10, 4, 50, 7);
    expect(all.map((b) => b.length)).toEqual([4, 4, 2]);
    expect([...all.flatMap((b) => [...b])].sort((x, y) => x - y)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(all.slice(0, 2)).toEqual(a);
    expect(recalibrationBatches(10, 4, 0, 7)).toEqual([]);
    expect(() => recalibrationBatches(10, 4, -1, 7)).toThrow('whole number');
  });

  it('off: the evaluation gets the network’s own buffers', async () => {
    const buffers: TensorMap = { 'bn.runningMean': tf.scalar(0), 'bn.runningVar': tf.scalar(1) };
    for (const p of [undefined, plan(0)]) {
      const seen: TensorMap[] = [];
      const { statistics } = await evaluateWithStatistics(
        p,
        buffers,
        () => {
          throw new Error('no forward when off');
        },
        async (b) => {
          seen.push(b);
          return 0;
        },
      );
      expect(seen).toEqual([buffers]);
      expect(seen[0]).toBe(buffers);
      expect(statistics).toEqual({ recalibratedBatches: 0 });
      expect(statisticsPhrase(statistics)).toBe('running statistics');
    }
  });

  it('on: the cumulative average of the batches’ statistics; the running ones untouched, nothing leaked', async () => {
    const mean = tf.variable(tf.tensor1d([0.5]));
    const variance = tf.variable(tf.tensor1d([2]));
    const buffers = { 'bn.runningMean': mean, 'bn.runningVar': variance };
    const batches = recalibrationBatches(IMAGES.count, 4, 2, 9);
    const before = tf.memory().numTensors;
    const { result, statistics } = await evaluateWithStatistics(
      plan(2),
      buffers,
      (x, ctx) => bn.apply(x, {}, ctx),
      async (b) => ({
        mean: Array.from(await (b['bn.runningMean'] as tf.Tensor).data()),
        variance: Array.from(await (b['bn.runningVar'] as tf.Tensor).data()),
      }),
    );
    expect(tf.memory().numTensors).toBe(before);
    // Each batch's mean and unbiased variance of its values (the indices), averaged over both.
    const stats = batches.map((b) => {
      const v = [...b];
      const m = v.reduce((s, x) => s + x, 0) / v.length;
      return { m, u: v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1) };
    });
    expect(result.mean[0]).toBeCloseTo((stats[0]!.m + stats[1]!.m) / 2, 5);
    expect(result.variance[0]).toBeCloseTo((stats[0]!.u + stats[1]!.u) / 2, 5);
    expect(statistics).toEqual({ recalibratedBatches: 2 });
    expect(statisticsPhrase(statistics)).toBe('BatchNorm recalibrated over 2 batches');
    expect(Array.from(await mean.data())).toEqual([0.5]);
    expect(Array.from(await variance.data())).toEqual([2]);
    tf.dispose([mean, variance]);
  });

  it('names the statistics in an epoch report’s detail', () => {
    expect(statisticsOf({ evaluationStatistics: 'running statistics' })).toBe('running statistics');
    expect(statisticsOf({ genotype: {} })).toBeNull();
    expect(statisticsOf(null)).toBeNull();
    expect(statisticsPhrase({ recalibratedBatches: 1 })).toBe(
      'BatchNorm recalibrated over 1 batch',
    );
  });
});
