/**
 * A recurrent retrain's chart series: train perplexity per step (the segment's), validation and
 * test perplexity per epoch (the whole texts, averaged weights once ASGD runs). Non-finite
 * values leave a gap.
 */
import type { MetricPoint, MetricSeries } from './charts/metricData';
import type { RecurrentRetrainView } from './recurrentRetrainView';

function finite<T>(items: readonly T[], value: (t: T) => number, step: (t: T) => number) {
  const out: MetricPoint[] = [];
  for (const t of items) {
    const v = value(t);
    if (Number.isFinite(v)) out.push({ step: step(t), value: v });
  }
  return out;
}

export function rnnRetrainPerplexitySeries(view: RecurrentRetrainView): MetricSeries[] {
  return [
    {
      name: 'train perplexity',
      color: '#d62728',
      points: finite(
        view.steps,
        (p) => p.trainPerplexity,
        (p) => p.step,
      ),
    },
    {
      name: 'validation perplexity (epoch end)',
      color: '#2ca02c',
      points: finite(
        view.epochs,
        (p) => p.valPerplexity,
        (p) => p.step,
      ),
    },
    {
      name: 'test perplexity (epoch end)',
      color: '#9467bd',
      points: finite(
        view.epochs,
        (p) => p.testPerplexity,
        (p) => p.step,
      ),
    },
  ];
}
