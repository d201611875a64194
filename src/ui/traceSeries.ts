/**
 * A run's chart series and alpha history from its reports: the metrics of one kind (losses,
 * accuracies, perplexities, rates) as the kind's descriptor declares them, by key and label, per
 * step and at each epoch's end; and the softmax history of one alpha group. Figures a report
 * lacks or that are not finite leave a gap, not a zero (a CDARTS warm-up step has no
 * distillation loss).
 */
import { statisticsOf } from '../nas/ops/bnRecalibrationSetting';
import type { AlphaGroup, MetricSpec, RunKindInfo } from '../nas/runKind/runKind';
import type { AlphaSnapshot } from './charts/alphaData';
import type { MetricPoint, MetricSeries } from './charts/metricData';
import type { RunTrace } from './runTrace';

/**
 * The series `name` of `value` over `items`, by their step; a missing or non-finite value leaves
 * a gap. Every chart series of the lab is one of these.
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

/** Series colours: a chart's step series in metric order, then its epoch-end series. */
const PALETTE = [
  '#d62728',
  '#1f77b4',
  '#2ca02c',
  '#9467bd',
  '#8c564b',
  '#ff7f0e',
  '#e377c2',
  '#17becf',
  '#bcbd22',
  '#7f7f7f',
] as const;

const colorAt = (i: number): string => PALETTE[i % PALETTE.length] ?? '#000000';

/**
 * A label without its qualifier ('validation loss (alpha segment)' → 'validation loss'): what an
 * epoch's figure of the key is called, measured on the whole set rather than a step's part.
 */
export const baseLabel = (label: string): string => label.replace(/ \(.*\)$/, '');

/**
 * The series of the kind's metrics of `kind`: per metric, its step values under its label and its
 * epoch-end values under "<label> (epoch end)"; series without a point are left out. Colours
 * follow the metric's place among the kind's, so they hold while series appear.
 */
export function metricSeries(
  info: RunKindInfo,
  trace: RunTrace | null,
  kind: MetricSpec['kind'],
  keys?: readonly string[],
): MetricSeries[] {
  const specs = info.metrics.filter(
    (m) => m.kind === kind && (keys === undefined || keys.includes(m.key)),
  );
  const steps = trace?.steps ?? [];
  const epochs = trace?.epochs ?? [];
  const perStep = specs.map((m, i) =>
    seriesOf(m.label, colorAt(i), steps, (r) => r.metrics[m.key]),
  );
  const perEpoch = specs.map((m, i) =>
    seriesOf(
      `${baseLabel(m.label)} (epoch end)`,
      colorAt(specs.length + i),
      epochs,
      (r) => r.metrics[m.key],
    ),
  );
  return [...perStep, ...perEpoch].filter((s) => s.points.length > 0);
}

/**
 * A chart's title with the BatchNorm statistics the latest epoch evaluation used, where its
 * report names them (bnRecalibration) and the chart draws epoch-end figures:
 * "Accuracy (epoch end: BatchNorm recalibrated over 10 batches)".
 */
export function titleWithStatistics(
  title: string,
  trace: RunTrace | null,
  series: readonly MetricSeries[],
): string {
  const statistics = statisticsOf(trace?.epochs.at(-1)?.detail);
  const epochEnd = series.some((s) => s.name.endsWith(' (epoch end)'));
  return statistics === null || !epochEnd ? title : `${title} (epoch end: ${statistics})`;
}

/** The alpha groups the run has now: its latest step's, else those it opened with. */
export function latestAlphas(trace: RunTrace | null): readonly AlphaGroup[] {
  const steps = trace?.steps ?? [];
  for (let i = steps.length - 1; i >= 0; i--) {
    const alphas = steps[i]?.alphas;
    if (alphas) return alphas;
  }
  return trace?.opening.alphas ?? [];
}

/** The softmax of alpha group `name` over the run: where it opened, then after every step. */
export function alphaHistory(trace: RunTrace | null, name: string): AlphaSnapshot[] {
  if (!trace) return [];
  const start = trace.opening.alphas?.find((g) => g.name === name);
  const history: AlphaSnapshot[] = start
    ? [{ step: trace.opening.step, softmax: start.softmax }]
    : [];
  for (const r of trace.steps) {
    const group = r.alphas?.find((g) => g.name === name);
    if (group) history.push({ step: r.step, softmax: group.softmax });
  }
  return history;
}
