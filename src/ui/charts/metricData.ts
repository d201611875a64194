/** Pure data preparation for `MetricChart`: smoothing, thinning and merging series by step. */
import { scaleLinear } from 'd3';
import { smooth } from './smoothing';
import { thinByStride } from './thinning';

export interface MetricPoint {
  readonly step: number;
  readonly value: number;
}

export interface MetricSeries {
  readonly name: string;
  readonly color: string;
  readonly points: readonly MetricPoint[];
}

/**
 * One row of the chart's data: the step and, for series i, `raw{i}` and `smooth{i}`. A series
 * without a point at this step (e.g. per-epoch validation next to per-step training) has no keys.
 */
export interface MetricRow {
  readonly step: number;
  [key: string]: number;
}

export const rawKey = (i: number): string => `raw${i}`;
export const smoothKey = (i: number): string => `smooth${i}`;

/**
 * Smooths every series at full resolution (smoothing after thinning would change the curve,
 * tensorboard#1518), then thins each to at most `maxPointsPerSeries` and merges them into rows
 * sorted by step.
 */
export function metricRows(
  series: readonly MetricSeries[],
  smoothing: number,
  maxPointsPerSeries: number,
): MetricRow[] {
  const byStep = new Map<number, MetricRow>();
  series.forEach((s, i) => {
    const smoothed = smooth(
      s.points.map((p) => p.value),
      smoothing,
    );
    const indexed = s.points.map((p, j) => ({ step: p.step, raw: p.value, smooth: smoothed[j] }));
    for (const { step, raw, smooth: value } of thinByStride(indexed, maxPointsPerSeries)) {
      let row = byStep.get(step);
      if (!row) {
        row = { step };
        byStep.set(step, row);
      }
      row[rawKey(i)] = raw;
      row[smoothKey(i)] = value ?? raw;
    }
  });
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

export interface AxisTicks {
  readonly domain: readonly [number, number];
  readonly ticks: readonly number[];
}

/**
 * Round tick values over a nice domain that holds [min, max] (d3's tick rule). Handing the
 * chart its ticks spares it measuring tick labels in the DOM on every update.
 */
export function niceTicks(min: number, max: number, count: number): AxisTicks {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { domain: [0, 1], ticks: [0, 1] };
  const lo = min === max ? min - 0.5 : min;
  const hi = min === max ? max + 0.5 : max;
  const scale = scaleLinear().domain([lo, hi]).nice(count);
  const [a, b] = scale.domain() as [number, number];
  return { domain: [a, b], ticks: scale.ticks(count) };
}

/** Extent of a field over rows, ignoring rows without it. */
export function rowExtent(
  rows: readonly MetricRow[],
  keys: readonly string[],
): readonly [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const row of rows) {
    for (const k of keys) {
      const v = row[k];
      if (v === undefined || !Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return [min, max];
}
