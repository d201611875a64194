/**
 * The statistics of "does the search beat random?": each cell's mean and sample standard
 * deviation over its retrain seeds, where a cell ranks among the random cells, and a percentile
 * bootstrap interval of (mean of the searched cells − mean of the random cells) with the cell as
 * the unit. Seeded, so a report is reproducible. Pure arithmetic: no tfjs.
 */
import { Rng } from '../nas/tensor/random';

/** Which way a metric is better: accuracy up, perplexity down. */
export type Better = 'higher' | 'lower';

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** The sample standard deviation (n − 1); NaN for fewer than two values. */
export function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return Number.NaN;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

/** Where `value` stands among `others` (1 = best), and how many of them it beats (ties: half). */
export interface Rank {
  /** 1 + the number of others strictly better. */
  readonly rank: number;
  /** Out of others + 1. */
  readonly of: number;
  /** Others strictly worse, plus half the ties: the share of them it beats, times their count. */
  readonly beats: number;
}

export function rankAmong(value: number, others: readonly number[], better: Better): Rank {
  const sign = better === 'higher' ? 1 : -1;
  let above = 0;
  let below = 0;
  for (const other of others) {
    const d = sign * (other - value);
    if (d > 0) above += 1;
    else if (d < 0) below += 1;
  }
  const ties = others.length - above - below;
  return { rank: 1 + above, of: others.length + 1, beats: below + ties / 2 };
}

/**
 * The q-quantile of sorted values by linear interpolation between order statistics (Hyndman and
 * Fan's type 7: R's default, numpy's `linear`): position (n − 1)·q.
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (at - lo);
}

export interface BootstrapInterval {
  /** mean(searched) − mean(random) on the data themselves. */
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  readonly level: number;
  readonly resamples: number;
  readonly seed: number;
}

/** One resample's mean: `values.length` of them drawn with replacement. */
function resampledMean(values: readonly number[], rng: Rng): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[rng.int(values.length)] as number;
  return sum / values.length;
}

/**
 * The percentile bootstrap interval of mean(a) − mean(b): `resamples` times, draw a.length values
 * of a and b.length of b with replacement (a first, then b, from one generator seeded with
 * `seed`), take the difference of their means; the interval is the (1 − level)/2 and
 * (1 + level)/2 quantiles of those differences (`quantileSorted`). The two groups are resampled
 * independently: the cells are the unit, each represented by its mean over seeds.
 */
export function bootstrapDifference(
  a: readonly number[],
  b: readonly number[],
  options: { readonly resamples: number; readonly seed: number; readonly level?: number },
): BootstrapInterval {
  const level = options.level ?? 0.95;
  if (a.length === 0 || b.length === 0)
    throw new Error('the bootstrap needs values in both groups');
  const rng = Rng.fromSeed(options.seed);
  const diffs = new Float64Array(options.resamples);
  for (let r = 0; r < options.resamples; r++) {
    diffs[r] = resampledMean(a, rng) - resampledMean(b, rng);
  }
  diffs.sort();
  const sorted = [...diffs];
  return {
    estimate: mean(a) - mean(b),
    low: quantileSorted(sorted, (1 - level) / 2),
    high: quantileSorted(sorted, (1 + level) / 2),
    level,
    resamples: options.resamples,
    seed: options.seed,
  };
}
