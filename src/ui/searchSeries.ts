/**
 * The search's chart series from the streamed points: DARTS's train and validation curves and,
 * for CDARTS, the evaluation network's curves and the distillation loss. Steps where a figure
 * does not exist (a warm-up step has no distillation loss) leave a gap, not a zero.
 */
import type { MetricPoint, MetricSeries } from './charts/metricData';
import type { EpochPoint, StepPoint } from '../worker/protocol';

/**
 * The series `name` of `value` over `items`, by their step; a missing or non-finite value leaves
 * a gap. Every chart series of the lab (search, recurrent search and retrain) is one of these.
 */
export function seriesOf<T extends { readonly step: number }>(
  name: string,
  color: string,
  items: readonly T[],
  value: (t: T) => number | null | undefined,
): MetricSeries {
  const points: MetricPoint[] = [];
  for (const t of items) {
    const v = value(t);
    if (v !== null && v !== undefined && Number.isFinite(v))
      points.push({ step: t.step, value: v });
  }
  return { name, color, points };
}

const isCdarts = (steps: readonly StepPoint[]) => steps.some((p) => p.cdarts !== undefined);

export function lossSeries(steps: readonly StepPoint[]): MetricSeries[] {
  const cdarts = isCdarts(steps);
  const series: MetricSeries[] = [
    seriesOf(
      cdarts ? 'search network train loss' : 'train loss',
      '#d62728',
      steps,
      (p) => p.trainLoss,
    ),
    seriesOf('validation loss (alpha objective)', '#1f77b4', steps, (p) => p.valLoss),
  ];
  if (!cdarts) return series;
  return [
    ...series,
    seriesOf('evaluation network loss', '#2ca02c', steps, (p) => p.cdarts?.evalLoss),
    seriesOf('distillation loss', '#9467bd', steps, (p) => p.cdarts?.distillationLoss),
  ];
}

export function accuracySeries(
  steps: readonly StepPoint[],
  epochs: readonly EpochPoint[],
): MetricSeries[] {
  const cdarts = isCdarts(steps);
  const series: MetricSeries[] = [
    seriesOf(
      cdarts ? 'search network train accuracy' : 'train accuracy',
      '#d62728',
      steps,
      (p) => p.trainAccuracy,
    ),
    seriesOf('validation accuracy (epoch end)', '#1f77b4', epochs, (p) => p.valAccuracy),
  ];
  if (!cdarts) return series;
  return [
    ...series,
    seriesOf('evaluation network accuracy', '#2ca02c', steps, (p) => p.cdarts?.evalAccuracy),
    seriesOf(
      'evaluation network validation accuracy (epoch end)',
      '#8c564b',
      epochs,
      (p) => p.evalValAccuracy,
    ),
  ];
}
