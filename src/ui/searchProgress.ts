/**
 * Whether a search is learning, from its step reports alone: the mean normalised entropy of its
 * alpha softmax per step (1 = uniform; it falls as the cells sharpen), and how many steps the
 * derived genotype has stayed as it is (it settles as the search converges). Pure: the search
 * view's entropy chart and "unchanged for" counter draw them.
 */
import { alphaSpread } from '../nas/runKind/alphaSpread';
import type { StepReport } from '../nas/runKind/runKind';
import type { MetricSeries } from './charts/metricData';
import type { RunTrace } from './runTrace';
import { seriesOf } from './traceSeries';

/** Each report's entropy, computed once: the chart redraws after every step. */
const entropyOf = new WeakMap<StepReport, number | null>();

function stepEntropy(s: StepReport): number | null {
  let e = entropyOf.get(s);
  if (e === undefined) {
    e = s.alphas && s.alphas.length > 0 ? alphaSpread(s.alphas).entropy : null;
    entropyOf.set(s, e);
  }
  return e;
}

/** The entropy chart's one series. */
export function entropySeries(trace: RunTrace | null): MetricSeries {
  return seriesOf('mean alpha entropy (1 = uniform)', '#9467bd', trace?.steps ?? [], stepEntropy);
}

/**
 * Steps since the derived genotype last changed (0: it changed at the latest step), or null
 * before two steps with a genotype.
 */
export function stepsUnchanged(trace: RunTrace | null): number | null {
  const steps = (trace?.steps ?? []).filter((s) => s.genotype !== undefined);
  const last = steps.at(-1);
  if (!last || steps.length < 2) return null;
  const now = JSON.stringify(last.genotype);
  for (let i = steps.length - 2; i >= 0; i--) {
    const s = steps[i];
    if (s && JSON.stringify(s.genotype) !== now)
      return last.step - (steps[i + 1]?.step ?? last.step);
  }
  return last.step - (steps[0]?.step ?? last.step);
}
