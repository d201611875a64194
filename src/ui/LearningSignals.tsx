/**
 * Two signs that a search is learning, for the search view: a chart of the alphas' mean
 * normalised entropy per step (1 = uniform: it falls as the cells sharpen) and a line saying for
 * how many steps the derived genotype has stayed as it is (searchProgress.ts).
 */
import { useMemo } from 'react';
import { MetricChart } from './charts/MetricChart';
import type { RunTrace } from './runTrace';
import { entropySeries, stepsUnchanged } from './searchProgress';
import { useStaggeredValue } from './useStaggeredValue';

/** The entropy chart's frame slot, after the metric charts'. */
const SLOT = 4;

export function EntropyChart({ trace }: { readonly trace: RunTrace | null }) {
  const series = useMemo(() => [entropySeries(trace)], [trace]);
  const shown = useStaggeredValue(series, SLOT);
  if ((shown[0]?.points.length ?? 0) === 0) return null;
  return (
    <MetricChart
      title="Alpha entropy (1 = uniform; falls as the cells sharpen)"
      series={shown}
      smoothing={0}
      testId="entropy-chart"
      yDomain={[0, 1]}
    />
  );
}

export function UnchangedCounter({ trace }: { readonly trace: RunTrace | null }) {
  const steps = useMemo(() => stepsUnchanged(trace), [trace]);
  if (steps === null) return null;
  return (
    <p className="muted" data-testid="genotype-unchanged" data-steps={steps}>
      {steps === 0
        ? 'The genotype changed at the latest step.'
        : `Genotype unchanged for ${steps} ${steps === 1 ? 'step' : 'steps'}.`}
    </p>
  );
}
