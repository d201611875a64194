/**
 * TensorBoard's scalar smoothing (`tensorboard/webapp/widgets/line_chart_v2/lib/data_transformer`):
 * a debiased exponential moving average. Debiasing divides by 1 − wⁿ so the first points are not
 * dragged towards 0 by the zero-initialised average.
 */

/** The largest smoothing weight: 1 would freeze the average (TensorBoard caps typed values here). */
export const MAX_SMOOTHING = 0.999;

/**
 * Smooths `values` with weight `weight` (0 = no smoothing, clamped to [0, 0.999]).
 * `last = last·w + (1 − w)·v`, output `last / (1 − wⁿ)` where n counts the finite values seen so
 * far. Non-finite values (NaN, ±Infinity: a diverged step) pass through unchanged and do not
 * update the average. Always returns a new array of the same length.
 */
export function smooth(values: readonly number[], weight: number): number[] {
  const w = Number.isFinite(weight) ? Math.min(Math.max(weight, 0), MAX_SMOOTHING) : 0;
  if (w === 0 || isConstant(values)) return values.slice();
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * w + (1 - w) * v;
    n++;
    return last / (1 - w ** n);
  });
}

/**
 * True when every finite value is the same. TensorBoard returns such series as they are: the
 * debiased average of a constant is that constant mathematically but not always in floating point.
 */
function isConstant(values: readonly number[]): boolean {
  let first: number | undefined;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (first === undefined) first = v;
    else if (v !== first) return false;
  }
  return true;
}
