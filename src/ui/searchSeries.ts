/**
 * The search's chart series from the streamed points: DARTS's train and validation curves and,
 * for CDARTS, the evaluation network's curves and the distillation loss. Steps where a figure
 * does not exist (a warm-up step has no distillation loss) leave a gap, not a zero.
 */
import type { MetricPoint, MetricSeries } from './charts/metricData';
import type { EpochPoint, StepPoint } from '../worker/protocol';

function finite<T>(
  items: readonly T[],
  value: (t: T) => number | null | undefined,
  step: (t: T) => number,
): MetricPoint[] {
  const out: MetricPoint[] = [];
  for (const t of items) {
    const v = value(t);
    if (v !== null && v !== undefined && Number.isFinite(v)) out.push({ step: step(t), value: v });
  }
  return out;
}

const isCdarts = (steps: readonly StepPoint[]) => steps.some((p) => p.cdarts !== undefined);

export function lossSeries(steps: readonly StepPoint[]): MetricSeries[] {
  const cdarts = isCdarts(steps);
  const series: MetricSeries[] = [
    {
      name: cdarts ? 'search network train loss' : 'train loss',
      color: '#d62728',
      points: finite(
        steps,
        (p) => p.trainLoss,
        (p) => p.step,
      ),
    },
    {
      name: 'validation loss (alpha objective)',
      color: '#1f77b4',
      points: finite(
        steps,
        (p) => p.valLoss,
        (p) => p.step,
      ),
    },
  ];
  if (!cdarts) return series;
  return [
    ...series,
    {
      name: 'evaluation network loss',
      color: '#2ca02c',
      points: finite(
        steps,
        (p) => p.cdarts?.evalLoss,
        (p) => p.step,
      ),
    },
    {
      name: 'distillation loss',
      color: '#9467bd',
      points: finite(
        steps,
        (p) => p.cdarts?.distillationLoss,
        (p) => p.step,
      ),
    },
  ];
}

export function accuracySeries(
  steps: readonly StepPoint[],
  epochs: readonly EpochPoint[],
): MetricSeries[] {
  const cdarts = isCdarts(steps);
  const series: MetricSeries[] = [
    {
      name: cdarts ? 'search network train accuracy' : 'train accuracy',
      color: '#d62728',
      points: finite(
        steps,
        (p) => p.trainAccuracy,
        (p) => p.step,
      ),
    },
    {
      name: 'validation accuracy (epoch end)',
      color: '#1f77b4',
      points: finite(
        epochs,
        (p) => p.valAccuracy,
        (p) => p.step,
      ),
    },
  ];
  if (!cdarts) return series;
  return [
    ...series,
    {
      name: 'evaluation network accuracy',
      color: '#2ca02c',
      points: finite(
        steps,
        (p) => p.cdarts?.evalAccuracy,
        (p) => p.step,
      ),
    },
    {
      name: 'evaluation network validation accuracy (epoch end)',
      color: '#8c564b',
      points: finite(
        epochs,
        (p) => p.evalValAccuracy,
        (p) => p.step,
      ),
    },
  ];
}
