/**
 * Thinning long histories before they reach a chart: recharts draws every point it is given, and
 * a long search streams thousands of steps into a dozen charts.
 */

/**
 * Keeps at most `maxPoints` (at least 2) of `points`: every `stride`-th point from the first, plus
 * the last one. The stride is a power of two, so while a history grows the kept points stay the
 * same until the stride doubles (the drawn curve does not shimmer on every new point).
 * Returns a copy; histories within the cap are kept whole.
 */
export function thinByStride<T>(points: readonly T[], maxPoints: number): T[] {
  const cap = Math.max(2, Math.floor(Number.isFinite(maxPoints) ? maxPoints : 2));
  const n = points.length;
  if (n <= cap) return points.slice();
  // Indices 0, s, 2s, … below n − 1 number ⌈(n − 1) / s⌉ ≤ cap − 1 when s ≥ (n − 1) / (cap − 1).
  let stride = 1;
  while (stride * (cap - 1) < n - 1) stride *= 2;
  const kept: T[] = [];
  for (let i = 0; i < n - 1; i += stride) kept.push(points[i] as T);
  kept.push(points[n - 1] as T);
  return kept;
}
