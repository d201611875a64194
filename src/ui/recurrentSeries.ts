/**
 * A recurrent search's chart series and edge labels from the streamed points: perplexity and loss
 * per step (train segment and the alpha step's validation segment) and per epoch (the whole
 * validation text). Non-finite values leave a gap.
 */
import type { MetricSeries } from './charts/metricData';
import { seriesOf } from './searchSeries';
import type { RnnEpochPoint, RnnStepPoint } from '../worker/recurrentProtocol';

const COLORS = { train: '#d62728', alpha: '#1f77b4', epoch: '#2ca02c' } as const;

export function rnnPerplexitySeries(
  steps: readonly RnnStepPoint[],
  epochs: readonly RnnEpochPoint[],
): MetricSeries[] {
  return [
    seriesOf('train perplexity', COLORS.train, steps, (p) => p.trainPerplexity),
    seriesOf(
      'validation segment perplexity (alpha step)',
      COLORS.alpha,
      steps,
      (p) => p.valPerplexity,
    ),
    seriesOf('validation perplexity (epoch end)', COLORS.epoch, epochs, (p) => p.valPerplexity),
  ];
}

export function rnnLossSeries(
  steps: readonly RnnStepPoint[],
  epochs: readonly RnnEpochPoint[],
): MetricSeries[] {
  return [
    seriesOf('train loss', COLORS.train, steps, (p) => p.trainLoss),
    seriesOf('validation segment loss (alpha objective)', COLORS.alpha, steps, (p) => p.valLoss),
    seriesOf('validation loss (epoch end)', COLORS.epoch, epochs, (p) => p.valLoss),
  ];
}

/**
 * One label per alpha row of a recurrent cell with `steps` nodes after node 0, in the core's row
 * order (node 1 ← 0; node 2 ← 0, 1; …): "node 3 ← node 1".
 */
export function rnnEdgeLabels(steps: number): string[] {
  const labels: string[] = [];
  for (let node = 1; node <= steps; node++) {
    for (let from = 0; from < node; from++) labels.push(`node ${node} ← node ${from}`);
  }
  return labels;
}
