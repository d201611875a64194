/**
 * The two early-stopping rules against DARTS's collapse, as pure functions of what the monitor
 * measured. No tfjs.
 *
 * R-DARTS (automl/RobustDARTS `src/utils.py` `EVLocalAvg.update` and `early_stop`, driven by
 * `src/search/train_search.py` lines 373-425): the dominant eigenvalue is measured every `every`
 * units (epochs there, steps here); from the ⌈w/2⌉-th measurement on, each measurement appends a
 * local average (the mean of all measurements while fewer than w, then of the last w), which
 * stands for the measurement ⌊w/2⌋ back. The search stops when the local average now exceeds
 * the one `delta` averages before by more than `factor`, provided the earlier one's position
 * (`at − every·(⌊w/2⌋ + delta)`) is at least `start`; the genotype offered is the one at that
 * earlier position. Defaults: window 5, delta 4, factor 1.3, es_start_epoch 10
 * (`src/search/args.py` lines 61-64).
 *
 * DARTS+ (Liang et al. 2019, "DARTS+: Improved Differentiable Architecture Search with Early
 * Stopping", arXiv:1909.06035, section 3.3, criterion 1): stop when the normal cell holds two or
 * more skip connections. No official implementation is published; the rule is the paper's.
 */

/** A measured dominant eigenvalue at position `at` (R-DARTS's epoch; here the step's index). */
export interface EigenPoint {
  readonly at: number;
  readonly value: number;
}

export interface RdartsParams {
  /** Measurements per local average (`--window`). */
  readonly window: number;
  /** How many local averages back the comparison reaches (`--delta`). */
  readonly delta: number;
  /** The ratio of local averages that stops the search (`--factor`). */
  readonly factor: number;
  /** Units between measurements (`--report_freq_hessian`). */
  readonly every: number;
  /** The earliest position of the earlier local average (`--es_start_epoch`). */
  readonly start: number;
}

/** R-DARTS's defaults (`src/search/args.py` lines 61, 63, 64). */
export const RDARTS_DEFAULTS = { window: 5, delta: 4, factor: 1.3 } as const;

/** The DARTS+ threshold: skip connections in the normal cell that stop the search. */
export const DARTS_PLUS_SKIPS = 2;

export interface RdartsFiring {
  /** The position the rule looked back to: its genotype is the one offered. */
  readonly anchorAt: number;
  /** The local average now, the one `delta` before, and their ratio. */
  readonly current: number;
  readonly previous: number;
  readonly ratio: number;
}

const mean = (values: readonly number[]): number =>
  values.reduce((s, v) => s + v, 0) / values.length;

/** The local averages after the measurements `values` (none of them the run's last). */
export function localAverages(values: readonly number[], window: number): number[] {
  const out: number[] = [];
  for (let count = Math.ceil(window / 2); count <= values.length; count++) {
    out.push(mean(values.slice(Math.max(0, count - window), count)));
  }
  return out;
}

/**
 * R-DARTS's check right after the last of `points` was measured (never at the run's last
 * position, which R-DARTS does not check): the firing, or null.
 */
export function rdartsCheck(points: readonly EigenPoint[], p: RdartsParams): RdartsFiring | null {
  const last = points.at(-1);
  if (!last || points.length < Math.ceil(p.window / 2)) return null;
  const anchorAt = last.at - p.every * (Math.floor(p.window / 2) + p.delta);
  if (anchorAt < p.start) return null;
  const averages = localAverages(
    points.map((q) => q.value),
    p.window,
  );
  const current = averages.at(-1);
  const previous = averages.at(-1 - p.delta);
  if (current === undefined || previous === undefined || averages.length < p.delta + 1) {
    return null;
  }
  const ratio = current / previous;
  return ratio > p.factor ? { anchorAt, current, previous, ratio } : null;
}

/** DARTS+'s check at position `at`: whether the normal cell's skips stop the search. */
export function skipsCheck(skips: number, at: number, start: number): boolean {
  return at >= start && skips >= DARTS_PLUS_SKIPS;
}
