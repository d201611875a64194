import { describe, expect, it } from 'vitest';
import { MAX_SMOOTHING, smooth } from '../../src/ui/charts/smoothing';
import { thinByStride } from '../../src/ui/charts/thinning';

describe('smooth (TensorBoard debiased EMA)', () => {
  it('matches hand-computed values for weight 0.6 on [1, 2, 3]', () => {
    // last: 0.4 → 0.4·0.6 + 0.4·2 = 1.04 → 1.04·0.6 + 0.4·3 = 1.824
    // debias: 1 − 0.6 = 0.4, 1 − 0.36 = 0.64, 1 − 0.216 = 0.784
    const out = smooth([1, 2, 3], 0.6);
    expect(out).toHaveLength(3);
    expect(out[0]).toBeCloseTo(0.4 / 0.4, 12);
    expect(out[1]).toBeCloseTo(1.04 / 0.64, 12);
    expect(out[2]).toBeCloseTo(1.824 / 0.784, 12);
    expect(out[1]).toBeCloseTo(1.625, 12);
    expect(out[2]).toBeCloseTo(2.326530612244898, 12);
  });

  it('returns the input (as a copy) for weight 0', () => {
    const values = [3, -1, 2.5, NaN, 7];
    const out = smooth(values, 0);
    expect(out).toEqual(values);
    expect(out).not.toBe(values);
  });

  it('treats negative and non-finite weights as 0 and caps the weight at 0.999', () => {
    expect(smooth([1, 5], -0.5)).toEqual([1, 5]);
    expect(smooth([1, 5], NaN)).toEqual([1, 5]);
    const capped = smooth([1, 5], 1);
    expect(capped).toEqual(smooth([1, 5], MAX_SMOOTHING));
    capped.forEach((v) => expect(Number.isFinite(v)).toBe(true));
  });

  it('passes NaN and ±Infinity through without updating the average', () => {
    const out = smooth([1, NaN, 2, Infinity, -Infinity, 3], 0.6);
    expect(out[1]).toBeNaN();
    expect(out[3]).toBe(Infinity);
    expect(out[4]).toBe(-Infinity);
    // The finite values are smoothed as if the others were not there.
    const finite = smooth([1, 2, 3], 0.6);
    expect(out[0]).toBeCloseTo(finite[0]!, 12);
    expect(out[2]).toBeCloseTo(finite[1]!, 12);
    expect(out[5]).toBeCloseTo(finite[2]!, 12);
  });

  it('starts at the first finite value (debiased) even after leading non-finite values', () => {
    const out = smooth([NaN, 4, 4], 0.9);
    expect(out[0]).toBeNaN();
    expect(out[1]).toBe(4);
    expect(out[2]).toBe(4);
  });

  it('keeps a constant series exactly constant', () => {
    expect(smooth([0.1, 0.1, 0.1, 0.1], 0.99)).toEqual([0.1, 0.1, 0.1, 0.1]);
  });

  it('handles an empty series', () => {
    expect(smooth([], 0.5)).toEqual([]);
  });
});

describe('thinByStride', () => {
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);

  it('keeps histories within the cap whole (as a copy)', () => {
    const points = range(200);
    const out = thinByStride(points, 200);
    expect(out).toEqual(points);
    expect(out).not.toBe(points);
    expect(thinByStride([], 10)).toEqual([]);
    expect(thinByStride([7], 10)).toEqual([7]);
  });

  it('keeps the first and last points and never more than the cap', () => {
    for (const cap of [2, 3, 10, 200]) {
      for (const n of [cap + 1, cap + 2, 2 * cap - 1, 2 * cap, 2 * cap + 1, 1000, 12_345]) {
        const out = thinByStride(range(n), cap);
        expect(out.length).toBeLessThanOrEqual(cap);
        expect(out[0]).toBe(0);
        expect(out[out.length - 1]).toBe(n - 1);
        // Strictly increasing: no point is kept twice.
        for (let i = 1; i < out.length; i++) expect(out[i]!).toBeGreaterThan(out[i - 1]!);
      }
    }
  });

  it('keeps a reasonable share of the cap (at least half)', () => {
    for (const n of [201, 399, 400, 401, 5000]) {
      expect(thinByStride(range(n), 200).length).toBeGreaterThanOrEqual(100);
    }
  });

  it('keeps the same points while a history grows, until the stride doubles', () => {
    const a = thinByStride(range(300), 200);
    const b = thinByStride(range(350), 200);
    // Both use stride 2: all but the appended last point coincide.
    expect(b.slice(0, a.length - 1)).toEqual(a.slice(0, -1));
  });

  it('treats a cap below 2 as 2', () => {
    expect(thinByStride(range(10), 1)).toEqual([0, 9]);
    expect(thinByStride(range(10), 0)).toEqual([0, 9]);
  });
});
