/**
 * What the lab shows of a DARTS search's collapse monitor: its two charts (the dominant Hessian
 * eigenvalue where measured, the normal cell's skip connections at every step), and, once an
 * early-stopping rule fired, the rule's note with the genotype it offers for download.
 * Presentational: it reads the run's reports (runTrace.ts); no tfjs.
 */
import type { ChartSpec } from './charts/MetricCharts';
import { downloadBytes } from './download';
import type { RunTrace } from './runTrace';

/** The monitor's charts: each left out while it has no point. */
export const COLLAPSE_CHARTS: readonly ChartSpec[] = [
  {
    title: 'Dominant Hessian eigenvalue (alphas)',
    metric: 'other',
    keys: ['hessianEigenvalue'],
    testId: 'hessian-chart',
    raw: true,
  },
  {
    title: 'Skip connections in the normal cell',
    metric: 'other',
    keys: ['normalSkips'],
    testId: 'skips-chart',
    raw: true,
  },
];

interface EarlyStop {
  readonly text: string;
  readonly genotype: unknown;
  readonly file: string;
}

/** The last early-stop note of the run, or null. */
export function earlyStopOf(trace: RunTrace | null): EarlyStop | null {
  for (const note of [...(trace?.notes ?? [])].reverse()) {
    const d = note.detail as { earlyStop?: { genotype?: unknown; file?: unknown } } | undefined;
    const e = d?.earlyStop;
    if (e && e.genotype !== undefined) {
      return {
        text: note.text,
        genotype: e.genotype,
        file: typeof e.file === 'string' ? e.file : 'genotype.json',
      };
    }
  }
  return null;
}

export function EarlyStopNotice({ trace }: { readonly trace: RunTrace | null }) {
  const stop = earlyStopOf(trace);
  if (!stop) return null;
  const name = `nas-lab-${stop.file.replace(/\//g, '-')}`;
  return (
    <p className="early-stop" role="status" data-testid="early-stop">
      {stop.text}.{' '}
      <button
        type="button"
        onClick={() =>
          downloadBytes(`${JSON.stringify(stop.genotype, null, 2)}\n`, name, 'application/json')
        }
      >
        Download the offered genotype
      </button>
    </p>
  );
}
