/**
 * A run's charts: each draws the kind's metrics of one kind (losses, accuracies, perplexities,
 * rates) from the run's reports, by the keys and labels its descriptor declares
 * (`traceSeries.ts`). One frame apart each, so that a step's redraw is several short tasks.
 */
import { useMemo } from 'react';
import { findRunKind } from '../../nas/runKind/registry';
import type { MetricSpec } from '../../nas/runKind/runKind';
import type { RunTrace } from '../runTrace';
import { metricSeries, titleWithStatistics } from '../traceSeries';
import { useStaggeredValue } from '../useStaggeredValue';
import { MetricChart } from './MetricChart';

/** One chart of a view: what it draws and how. */
export interface ChartSpec {
  readonly title: string;
  /** It draws the kind's metrics of this kind. */
  readonly metric: MetricSpec['kind'];
  readonly testId: string;
  /** Fixed y range (accuracies: [0, 1]); automatic when left out. */
  readonly yDomain?: readonly [number, number];
  /** Drawn unsmoothed (a schedule, not a noisy figure). */
  readonly raw?: boolean;
  /**
   * Only these metric keys of the kind (the collapse monitor's); the chart is left out while
   * none of them has a point (a kind without them, a monitor that is off).
   */
  readonly keys?: readonly string[];
}

function TraceChart({
  trace,
  spec,
  smoothing,
  slot,
}: {
  readonly trace: RunTrace | null;
  readonly spec: ChartSpec;
  readonly smoothing: number;
  readonly slot: number;
}) {
  const info = trace ? findRunKind(trace.kind)?.info : undefined;
  const series = useMemo(
    () => (info ? metricSeries(info, trace, spec.metric, spec.keys) : []),
    [info, trace, spec.metric, spec.keys],
  );
  const shown = useStaggeredValue(series, slot);
  if (spec.keys && series.length === 0) return null;
  return (
    <MetricChart
      title={titleWithStatistics(spec.title, trace, shown)}
      series={shown}
      smoothing={spec.raw ? 0 : smoothing}
      testId={spec.testId}
      {...(spec.yDomain ? { yDomain: spec.yDomain } : {})}
    />
  );
}

export function MetricCharts({
  charts,
  ...shared
}: {
  readonly trace: RunTrace | null;
  readonly charts: readonly ChartSpec[];
  readonly smoothing: number;
}) {
  return (
    <div className="charts">
      {charts.map((spec, i) => (
        <TraceChart key={spec.testId} {...shared} spec={spec} slot={i + 1} />
      ))}
    </div>
  );
}
