/**
 * A recurrent retrain's chart series: train perplexity per step (the segment's), validation and
 * test perplexity per epoch (the whole texts, averaged weights once ASGD runs). Non-finite
 * values leave a gap.
 */
import type { MetricSeries } from './charts/metricData';
import { seriesOf } from './searchSeries';
import type { RecurrentRetrainView } from './recurrentRetrainView';

export function rnnRetrainPerplexitySeries(view: RecurrentRetrainView): MetricSeries[] {
  return [
    seriesOf('train perplexity', '#d62728', view.steps, (p) => p.trainPerplexity),
    seriesOf('validation perplexity (epoch end)', '#2ca02c', view.epochs, (p) => p.valPerplexity),
    seriesOf('test perplexity (epoch end)', '#9467bd', view.epochs, (p) => p.testPerplexity),
  ];
}
