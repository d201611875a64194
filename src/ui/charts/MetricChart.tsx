/**
 * A live scalar chart in TensorBoard's style: per series a faint line of the raw values and a
 * solid line of the smoothed ones, x = step. Presentational: the parent owns the data (keep
 * `series` referentially stable between renders, e.g. with `useMemo`, so the memo below holds).
 * Its text alternative names each series' first and latest value (`chartSummary`).
 */
import { useMemo } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { MetricSeries } from './metricData';
import { metricRows, niceTicks, rawKey, rowExtent, smoothKey } from './metricData';

export type { MetricPoint, MetricSeries } from './metricData';

export interface MetricChartProps {
  readonly title: string;
  readonly series: readonly MetricSeries[];
  /** Smoothing weight, 0 (none) … 0.999. */
  readonly smoothing: number;
  readonly testId: string;
  /** Fixed y range (e.g. [0, 1] for accuracy); automatic when left out. */
  readonly yDomain?: readonly [number, number];
}

/** Chart height in px. */
const HEIGHT = 200;
/** Points drawn per series at most (about one per pixel column); thinned after smoothing. */
const MAX_DRAWN_POINTS = 500;

interface TickProps {
  readonly x?: number | string;
  readonly y?: number | string;
  readonly payload?: { readonly value: number };
}

/**
 * Plain SVG tick labels. Recharts' default label is a <Text> that measures every word in the
 * DOM on every update; short numbers need no wrapping.
 */
function tickLabel(anchor: 'middle' | 'end', dx: number, dy: number) {
  return function TickLabel({ x = 0, y = 0, payload }: TickProps) {
    return (
      <text x={Number(x) + dx} y={Number(y) + dy} textAnchor={anchor} fontSize={12} fill="#666">
        {payload ? formatTick(payload.value) : ''}
      </text>
    );
  };
}

const X_TICK = tickLabel('middle', 0, 12);
const Y_TICK = tickLabel('end', -2, 4);

/** Four significant digits in the tooltip: losses read as 2.303, not 2.302585093. */
function formatValue(value: unknown): string {
  return typeof value === 'number' ? value.toPrecision(4) : String(value);
}

/** Axis ticks: three significant digits without trailing zeros (0.85, not 0.8500). */
function formatTick(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/** The chart in words: "train loss: 2.303 at step 1, 1.95 at step 40; …" (or "no data yet"). */
export function chartSummary(title: string, series: readonly MetricSeries[]): string {
  const parts = series.flatMap((s) => {
    const first = s.points[0];
    const last = s.points.at(-1);
    if (!first || !last) return [];
    const at = (p: typeof first) => `${formatValue(p.value)} at step ${p.step}`;
    return [`${s.name}: ${first === last ? at(last) : `${at(first)}, ${at(last)}`}`];
  });
  return `${title}. ${parts.length > 0 ? parts.join('; ') : 'no data yet'}.`;
}

export function MetricChart({ title, series, smoothing, testId, yDomain }: MetricChartProps) {
  const rows = useMemo(() => metricRows(series, smoothing, MAX_DRAWN_POINTS), [series, smoothing]);
  // Explicit ticks and interval 0: recharts then places them without measuring labels in the
  // DOM, which was most of its cost per update.
  const axes = useMemo(() => {
    const [x0, x1] = rowExtent(rows, ['step']);
    const keys = series.flatMap((_, i) => [rawKey(i), smoothKey(i)]);
    const [y0, y1] = yDomain ?? rowExtent(rows, keys);
    return { x: niceTicks(x0, x1, 6), y: niceTicks(y0, y1, 5) };
  }, [rows, series, yDomain]);
  return (
    <figure className="metric-chart" style={{ margin: 0 }}>
      <figcaption style={{ fontWeight: 600, marginBottom: 4 }}>{title}</figcaption>
      <p className="sr-only">{chartSummary(title, series)}</p>
      <div
        data-testid={testId}
        data-points={series[0]?.points.length ?? 0}
        data-series={series.map((s) => `${s.name}:${s.points.length}`).join(';')}
      >
        <ResponsiveContainer width="100%" height={HEIGHT}>
          <LineChart data={rows} margin={{ top: 4, right: 24, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e0e0e0" />
            <XAxis
              dataKey="step"
              type="number"
              domain={axes.x.domain as [number, number]}
              ticks={axes.x.ticks as number[]}
              interval={0}
              tick={X_TICK}
            />
            <YAxis
              domain={axes.y.domain as [number, number]}
              ticks={axes.y.ticks as number[]}
              interval={0}
              width={48}
              tick={Y_TICK}
            />
            <Tooltip isAnimationActive={false} formatter={formatValue} />
            <Legend />
            {series.map((s, i) => [
              // Raw values: faint, and left out of the legend (the smoothed line names the series).
              <Line
                key={rawKey(i)}
                dataKey={rawKey(i)}
                name={`${s.name} (raw)`}
                stroke={s.color}
                strokeOpacity={0.25}
                strokeWidth={1}
                dot={false}
                connectNulls
                legendType="none"
                isAnimationActive={false}
              />,
              <Line
                key={smoothKey(i)}
                dataKey={smoothKey(i)}
                name={s.name}
                stroke={s.color}
                strokeWidth={2}
                dot={false}
                connectNulls
                isAnimationActive={false}
              />,
            ])}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
