/**
 * Divergence watch on the streamed scalars: a non-finite loss or alpha softmax, or alphas that
 * explode (max |α| above a limit while still finite), mean the run has diverged. The first time,
 * the session rolls back to the last good checkpoint and lowers the learning rates by
 * `lrFactor`; a second divergence in the same run pauses it.
 */
import type { RunKindInfo, StepReport } from '../nas/runKind/runKind';

export const DEFAULT_DIVERGENCE_LR_FACTOR = 0.5;

/** The rates a rollback resumes with: each live rate (the page's, else the configured) × `factor`. */
export function lowerRates(
  base: Readonly<Record<string, number>>,
  current: Readonly<Record<string, number>>,
  factor: number,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(base).map(([key, value]) => [key, (current[key] ?? value) * factor]),
  );
}

/**
 * max |α| above which the alphas count as exploding (docs/DECISIONS.md, "Resilience"): past
 * ~100 a logit gap underflows float32's exp, the softmax is exactly one-hot and the suppressed
 * ops get no gradient, while alpha weight decay holds a working search far below it.
 */
export const DEFAULT_DIVERGENCE_ALPHA_LIMIT = 100;

function finiteRows(rows: readonly (readonly number[])[]): boolean {
  return rows.every((r) => r.every((v) => Number.isFinite(v)));
}

/** Why max |α| counts as divergence, or null when it is within the limit. */
function alphaMaxProblem(maxAbs: number | undefined, alphaLimit: number): string | null {
  if (maxAbs === undefined || maxAbs <= alphaLimit) return null;
  return Number.isFinite(maxAbs)
    ? `the alphas exploded: max |α| = ${maxAbs.toPrecision(3)}, above the limit ${alphaLimit}`
    : 'an alpha is not a finite number';
}

/**
 * What diverged at a step of a run of any kind, or null: a non-finite value of a metric the kind
 * watches (those it reports at this step), a non-finite alpha softmax, max |α| above the limit.
 */
export function reportDivergenceAt(
  info: RunKindInfo,
  report: StepReport,
  alphaLimit = DEFAULT_DIVERGENCE_ALPHA_LIMIT,
): string | null {
  for (const metric of info.metrics) {
    const value = report.metrics[metric.key];
    if (metric.watch && value !== undefined && !Number.isFinite(value)) {
      return `the ${metric.label} is ${value}`;
    }
  }
  if (report.alphas?.some((group) => !finiteRows(group.softmax))) {
    return 'an alpha is not a finite number';
  }
  return alphaMaxProblem(report.alphaMaxAbs, alphaLimit);
}

export type DivergenceVerdict =
  { readonly verdict: 'ok' } | { readonly verdict: 'rollback' | 'pause'; readonly reason: string };

/** Counts divergences in one run: the first asks for a rollback, any later one for a pause. */
export class DivergenceWatch {
  private count = 0;

  constructor(public alphaLimit = DEFAULT_DIVERGENCE_ALPHA_LIMIT) {}

  reset(): void {
    this.count = 0;
  }

  /** The verdict on a step where `reason` says what diverged (null: nothing did). */
  verdict(reason: string | null): DivergenceVerdict {
    if (reason === null) return { verdict: 'ok' };
    this.count += 1;
    return { verdict: this.count === 1 ? 'rollback' : 'pause', reason };
  }
}
