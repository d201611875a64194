/**
 * A recurrent search's chart series and edge labels from the streamed points: perplexity and loss
 * per step (train segment and the alpha step's validation segment) and per epoch (the whole
 * validation text). Non-finite values leave a gap.
 */
import type { MetricPoint, MetricSeries } from './charts/metricData';
import type { RnnEpochPoint, RnnStepPoint } from '../worker/recurrentProtocol';

function finite<T>(items: readonly T[], value: (t: T) => number, step: (t: T) => number) {
  const out: MetricPoint[] = [];
  for (const t of items) {
    const v = value(t);
    if (Number.isFinite(v)) out.push({ step: step(t), value: v });
  }
  return out;
}

const COLORS = { train: '#d62728', alpha: '#1f77b4', epoch: '#2ca02c' } as const;

export function rnnPerplexitySeries(
  steps: readonly RnnStepPoint[],
  epochs: readonly RnnEpochPoint[],
): MetricSeries[] {
  return [
    {
      name: 'train perplexity',
      color: COLORS.train,
      points: finite(
        steps,
        (p) => p.trainPerplexity,
        (p) => p.step,
      ),
    },
    {
      name: 'validation segment perplexity (alpha step)',
      color: COLORS.alpha,
      points: finite(
        steps,
        (p) => p.valPerplexity,
        (p) => p.step,
      ),
    },
    {
      name: 'validation perplexity (epoch end)',
      color: COLORS.epoch,
      points: finite(
        epochs,
        (p) => p.valPerplexity,
        (p) => p.step,
      ),
    },
  ];
}

export function rnnLossSeries(
  steps: readonly RnnStepPoint[],
  epochs: readonly RnnEpochPoint[],
): MetricSeries[] {
  return [
    {
      name: 'train loss',
      color: COLORS.train,
      points: finite(
        steps,
        (p) => p.trainLoss,
        (p) => p.step,
      ),
    },
    {
      name: 'validation segment loss (alpha objective)',
      color: COLORS.alpha,
      points: finite(
        steps,
        (p) => p.valLoss,
        (p) => p.step,
      ),
    },
    {
      name: 'validation loss (epoch end)',
      color: COLORS.epoch,
      points: finite(
        epochs,
        (p) => p.valLoss,
        (p) => p.step,
      ),
    },
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
