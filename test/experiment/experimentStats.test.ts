/**
 * The experiment's statistics against hand-computed cases: mean and sample standard deviation,
 * ranks with ties either way of "better", type-7 quantiles, and the bootstrap interval of a
 * difference of means whose resampling distribution is known exactly.
 */
import { describe, expect, it } from 'vitest';
import {
  bootstrapDifference,
  mean,
  quantileSorted,
  rankAmong,
  sampleStd,
} from '../../src/experiment/experimentStats';

describe('experiment statistics', () => {
  it('takes the mean and the sample (n − 1) standard deviation', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(sampleStd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(sampleStd([7])).toBeNaN();
    expect(mean([])).toBeNaN();
  });

  it('ranks a value among others, ties counted half, either way of better', () => {
    const others = [0.4, 0.6, 0.5, 0.7];
    expect(rankAmong(0.5, others, 'higher')).toEqual({ rank: 3, of: 5, beats: 1.5 });
    expect(rankAmong(0.5, others, 'lower')).toEqual({ rank: 2, of: 5, beats: 2.5 });
    expect(rankAmong(0.9, others, 'higher')).toEqual({ rank: 1, of: 5, beats: 4 });
  });

  it('interpolates quantiles linearly between order statistics', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantileSorted([1, 2, 3, 4], 1)).toBe(4);
  });

  it('bootstraps a difference whose resampling distribution is known', () => {
    // a = [0.8] always resamples to 0.8; b = [0.5, 0.7] resamples to a mean of 0.5, 0.6 or 0.7
    // with probabilities 1/4, 1/2, 1/4: the difference is 0.3, 0.2 or 0.1, each tail a quarter,
    // so the 2.5 % and 97.5 % quantiles are exactly 0.1 and 0.3.
    const b = bootstrapDifference([0.8], [0.5, 0.7], { resamples: 4000, seed: 3 });
    expect(b.estimate).toBeCloseTo(0.2, 12);
    expect(b.low).toBeCloseTo(0.1, 12);
    expect(b.high).toBeCloseTo(0.3, 12);
    expect(b).toMatchObject({ level: 0.95, resamples: 4000, seed: 3 });
    // Both groups are resampled: a = [0, 1] against b = [0] spans 0 … 1.
    const both = bootstrapDifference([0, 1], [0], { resamples: 4000, seed: 3 });
    expect([both.low, both.estimate, both.high]).toEqual([0, 0.5, 1]);
  });

  it('gives a point interval for constant groups and repeats itself by seed', () => {
    const flat = bootstrapDifference([1, 1, 1], [0.25, 0.25], { resamples: 500, seed: 0 });
    expect([flat.low, flat.high]).toEqual([0.75, 0.75]);
    const a = [0.61, 0.58, 0.66];
    const r = [0.52, 0.6, 0.49, 0.57, 0.55];
    const one = bootstrapDifference(a, r, { resamples: 2000, seed: 9 });
    expect(bootstrapDifference(a, r, { resamples: 2000, seed: 9 })).toEqual(one);
    const other = bootstrapDifference(a, r, { resamples: 2000, seed: 10 });
    expect([other.low, other.high]).not.toEqual([one.low, one.high]);
    expect(one.low).toBeLessThan(one.estimate);
    expect(one.high).toBeGreaterThan(one.estimate);
  });
});
