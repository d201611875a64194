/**
 * Power iteration (src/nas/collapse/powerIteration.ts) on matrices with a known spectrum: the
 * largest eigenvalue where it dominates, and where a negative one is larger in magnitude (the
 * shifted second pass), as R-DARTS's `max(LA.eigvals(H))` takes it.
 */
import { describe, expect, it } from 'vitest';
import { largestEigenvalue, startVector } from '../../src/nas/collapse/powerIteration';

/** Q·diag(values)·Qᵀ with Q a product of Givens rotations (a dense symmetric matrix). */
function symmetric(values: readonly number[]): number[][] {
  const n = values.length;
  const q = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => +(i === j)));
  for (let k = 0; k < n - 1; k++) {
    const angle = 0.3 + 0.7 * k;
    const [c, s] = [Math.cos(angle), Math.sin(angle)];
    for (const row of q) {
      const [a, b] = [row[k] as number, row[k + 1] as number];
      row[k] = c * a - s * b;
      row[k + 1] = s * a + c * b;
    }
  }
  return q.map((_, i) =>
    q.map((__, j) =>
      values.reduce((sum, v, k) => sum + (q[i]?.[k] ?? 0) * v * (q[j]?.[k] ?? 0), 0),
    ),
  );
}

const productOf = (m: number[][]) => async (v: Float64Array) =>
  Float64Array.from(m.map((row) => row.reduce((s, x, j) => s + x * (v[j] as number), 0)));

describe('largestEigenvalue', () => {
  it('finds a dominant positive eigenvalue', async () => {
    const m = symmetric([3, 0.5, -0.4, 0.2, 0.1, -1]);
    const r = await largestEigenvalue(productOf(m), 6);
    expect(r.converged).toBe(true);
    expect(r.eigenvalue).toBeCloseTo(3, 2);
  });

  it('finds the largest eigenvalue, not the negative one larger in magnitude', async () => {
    const m = symmetric([-5, 2, 0.3, 0.2, -0.1, 0.05]);
    const r = await largestEigenvalue(productOf(m), 6, { iterations: 200, tolerance: 1e-9 });
    expect(r.converged).toBe(true);
    expect(r.eigenvalue).toBeCloseTo(2, 4);
  });

  it('says when a pass ran out of iterations', async () => {
    const m = symmetric([1, 0.999, 0.5]);
    const r = await largestEigenvalue(productOf(m), 3, { iterations: 3, tolerance: 1e-12 });
    expect(r.converged).toBe(false);
    expect(r.products).toBe(3);
  });

  it('starts from a fixed unit vector', () => {
    const v = startVector(10);
    expect(v.reduce((s, x) => s + x * x, 0)).toBeCloseTo(1, 12);
    expect(Array.from(startVector(10))).toEqual(Array.from(v));
  });
});
