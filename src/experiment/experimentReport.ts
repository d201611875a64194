/**
 * The experiment's results as files: `report.json` (the configuration, every finished run, each
 * cell's mean ± std over its seeds, its rank among the random cells, and the bootstrap interval
 * of searched − random), `report.md` (the same for people: a table, the interval and what it
 * says, the cells, the runs) and `report.svg` (experimentPlot.ts). Written after every finished
 * run, so that a partial report shows what is done. No tfjs.
 */
import { runKindById } from '../nas/runKind/registry';
import type { RunFile, RunKindInfo } from '../nas/runKind/runKind';
import { fieldText } from '../nas/runKind/settingsSchema';
import type { CellKind, PlannedCell } from './experimentPlan';
import { runCount } from './experimentPlan';
import { experimentSvg } from './experimentPlot';
import type { ExperimentConfig } from './experimentSettings';
import type { CellGenotype } from './experimentSpace';
import { cellSpaceOf } from './experimentSpace';
import type { RunRecord } from './experimentState';
import { jsonFigure } from './experimentState';
import type { BootstrapInterval, Better, Rank } from './experimentStats';
import { bootstrapDifference, mean, rankAmong, sampleStd } from './experimentStats';

/** The retrain's test metric the experiment compares. */
export interface ReportMetric {
  readonly key: string;
  readonly label: string;
  readonly better: Better;
  /** An accuracy: written in percent, differences in points. */
  readonly percent: boolean;
}

/** A metric's label without the qualifier in parentheses some labels end with. */
const plain = (label: string): string => label.replace(/ \(.*\)$/, '');

/** The retrain kind's held-out test metric: its test accuracy, else its test perplexity. */
export function testMetric(info: RunKindInfo): ReportMetric {
  const test = info.metrics.filter((m) => m.key.startsWith('test'));
  const accuracy = test.find((m) => m.kind === 'accuracy');
  if (accuracy)
    return { key: accuracy.key, label: plain(accuracy.label), better: 'higher', percent: true };
  const perplexity = test.find((m) => m.kind === 'perplexity');
  if (perplexity) {
    return { key: perplexity.key, label: plain(perplexity.label), better: 'lower', percent: false };
  }
  throw new Error(`the ${info.title} reports no test accuracy or perplexity to compare cells by`);
}

export interface CellSummary {
  readonly id: string;
  readonly kind: CellKind;
  readonly source: string;
  readonly genotype: CellGenotype;
  /** The metric of each finished retrain seed, in seed order. */
  readonly values: readonly number[];
  readonly mean: number | null;
  /** Sample standard deviation; null under two seeds. */
  readonly std: number | null;
  readonly parameters: number | null;
  /** Searched and control cells: where the mean stands among the random cells' means. */
  readonly amongRandom: Rank | null;
}

export interface ExperimentReport {
  readonly format: 'nas-lab.experiment-report';
  readonly version: 1;
  /** Every planned run finished. */
  readonly complete: boolean;
  readonly runsFinished: number;
  readonly runsPlanned: number;
  readonly config: ExperimentConfig;
  readonly metric: ReportMetric;
  readonly cells: readonly CellSummary[];
  /** mean(searched cells) − mean(random cells), with its interval; null until both have one. */
  readonly searchedMinusRandom: BootstrapInterval | null;
  /** How many cells of each group the interval compares (those with a retrained seed). */
  readonly compared: { readonly searched: number; readonly random: number };
  readonly method: string;
  readonly runs: readonly RunRecord[];
}

export const BOOTSTRAP_METHOD =
  'percentile bootstrap over cells: each resample draws as many searched cells and as many random cells as there are, with replacement and independently, each cell represented by its mean over retrain seeds; the interval is the 2.5 % and 97.5 % quantiles (linear interpolation, numpy default) of mean(searched) − mean(random)';

/** The summaries of the cells and the comparison, from the finished runs. */
export function buildReport(
  config: ExperimentConfig,
  cells: readonly PlannedCell[],
  records: readonly RunRecord[],
): ExperimentReport {
  const metric = testMetric(runKindById(config.retrainKind).info);
  const base = cells.map((cell) => {
    const runs = records
      .filter((r) => r.phase === 'retrain' && r.cell === cell.id && r.value !== null)
      .sort((a, b) => a.seed - b.seed);
    const values = runs.map((r) => r.value as number);
    const m = mean(values);
    const s = sampleStd(values);
    return {
      id: cell.id,
      kind: cell.kind,
      source: cell.source,
      genotype: cell.genotype,
      values,
      mean: Number.isFinite(m) ? m : null,
      std: Number.isFinite(s) ? s : null,
      parameters: runs.find((r) => r.parameters !== null)?.parameters ?? null,
    };
  });
  const meansOf = (kind: CellKind) =>
    base.filter((c) => c.kind === kind && c.mean !== null).map((c) => c.mean as number);
  const random = meansOf('random');
  const searched = meansOf('searched');
  const summaries: CellSummary[] = base.map((c) => ({
    ...c,
    amongRandom:
      c.kind !== 'random' && c.mean !== null && random.length > 0
        ? rankAmong(c.mean, random, metric.better)
        : null,
  }));
  const interval =
    searched.length > 0 && random.length > 0
      ? bootstrapDifference(searched, random, {
          resamples: config.settings.bootstrap,
          seed: config.settings.seed + 1,
        })
      : null;
  const planned = runCount(config);
  return {
    format: 'nas-lab.experiment-report',
    version: 1,
    complete: records.length >= planned,
    runsFinished: records.length,
    runsPlanned: planned,
    config,
    metric,
    cells: summaries,
    searchedMinusRandom: interval,
    compared: { searched: searched.length, random: random.length },
    method: BOOTSTRAP_METHOD,
    runs: records,
  };
}

/** report.json's text: non-finite figures as null. */
export function reportJson(report: ExperimentReport): string {
  return `${JSON.stringify(report, (_key, v: unknown) => (typeof v === 'number' ? jsonFigure(v) : v), 2)}\n`;
}

/** A value of the metric as people read it: `91.20%`, `140.3`. */
export function metricText(metric: ReportMetric, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  return metric.percent ? `${(v * 100).toFixed(2)}%` : v.toFixed(2);
}

/** A difference of the metric, signed: points of accuracy, or perplexity. */
export function differenceText(metric: ReportMetric, v: number): string {
  const sign = v > 0 ? '+' : v < 0 ? '−' : '±';
  const size = Math.abs(v);
  return metric.percent ? `${sign}${(size * 100).toFixed(2)} points` : `${sign}${size.toFixed(2)}`;
}

/** What the interval says, in one sentence. */
function verdict(report: ExperimentReport, b: BootstrapInterval): string {
  const { metric, compared } = report;
  if (compared.searched < 2 || compared.random < 2) {
    return "With a single cell in a group, the bootstrap cannot see that group's spread: the interval says little; run more searches or random cells.";
  }
  // In the direction of "better": positive favours the searched cells.
  const sign = metric.better === 'higher' ? 1 : -1;
  const lo = Math.min(sign * b.low, sign * b.high);
  const hi = Math.max(sign * b.low, sign * b.high);
  if (lo > 0) return 'The whole interval favours the searched cells: the search beats random here.';
  if (hi < 0) return 'The whole interval favours the random cells: random beats the search here.';
  return 'The interval holds 0: at this size, the searched cells are not told apart from random ones.';
}

function settingsLine(config: ExperimentConfig, which: 'search' | 'retrain'): string {
  const info = runKindById(which === 'search' ? config.searchKind : config.retrainKind).info;
  const values = which === 'search' ? config.search : config.retrain;
  const shown = info.schema.fields
    .filter((f) => f.key !== 'genotype')
    .map((f) => `${f.key} ${fieldText(values[f.key] ?? '')}`);
  return `- ${info.title} (\`${info.id}\`): ${shown.join(', ')}`;
}

/** report.md's text. */
export function reportMarkdown(report: ExperimentReport): string {
  const { config, metric } = report;
  const space = cellSpaceOf(config.space);
  const search = runKindById(config.searchKind).info;
  const retrain = runKindById(config.retrainKind).info;
  const s = config.settings;
  const sorted = [...report.cells].sort((a, b) => {
    if (a.mean === null || b.mean === null) return a.mean === null ? 1 : -1;
    return metric.better === 'higher' ? b.mean - a.mean : a.mean - b.mean;
  });
  const rows = sorted.map((c) => {
    const figure =
      c.mean === null
        ? '–'
        : `${metricText(metric, c.mean)}${c.std === null ? '' : ` ± ${metricText(metric, c.std)}`}`;
    const rank = c.amongRandom
      ? `${c.amongRandom.rank} of ${c.amongRandom.of} (beats ${c.amongRandom.beats} of ${c.amongRandom.of - 1})`
      : '';
    const params = c.parameters === null ? '–' : c.parameters.toLocaleString('en-US');
    return `| ${c.id} | ${c.kind} | ${figure} | ${c.values.length} | ${params} | ${rank} |`;
  });
  const b = report.searchedMinusRandom;
  const comparison = b
    ? [
        `**Searched − random** (mean of the searched cells' means − mean of the random cells'): ` +
          `${differenceText(metric, b.estimate)}, ${Math.round(b.level * 100)} % bootstrap interval ` +
          `[${differenceText(metric, b.low)}, ${differenceText(metric, b.high)}] ` +
          `(${b.resamples} resamples, seed ${b.seed}).`,
        '',
        verdict(report, b),
        '',
        `Method: ${report.method}.`,
      ]
    : ['No comparison yet: it needs a retrained searched cell and a retrained random cell.'];
  const runs = report.runs.map(
    (r) =>
      `| ${r.id} | ${r.seed} | ${r.phase === 'retrain' ? metricText(metric, r.value) : '–'} | ${r.parameters === null ? '–' : r.parameters.toLocaleString('en-US')} | ${r.seconds.toFixed(1)} | ${r.resumedFrom === null ? '' : `step ${r.resumedFrom}`} |`,
  );
  return [
    '# Does the search beat random?',
    '',
    `${s.searches} × ${search.title} (seeds from ${String(config.search.seed)}), ${s.random} random cells of the same space` +
      `${s.controls.length > 0 ? ` and the controls ${s.controls.join(', ')}` : ''}; every cell retrained by the ` +
      `${retrain.title} with ${s.seeds} seed(s) (from ${String(config.retrain.seed)}), measured by its ${metric.label} on held-out data (${metric.better} is better).`,
    '',
    report.complete
      ? `All ${report.runsPlanned} runs finished.`
      : `**Partial:** ${report.runsFinished} of ${report.runsPlanned} runs finished; run the same command again to continue.`,
    '',
    `| cell | kind | ${metric.label} (mean ± std) | seeds | parameters | rank among random |`,
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...comparison,
    '',
    `![${metric.label} per cell](report.svg)`,
    '',
    '## Cells',
    '',
    ...report.cells.map((c) => `- **${c.id}** (${c.source}): ${space.describe(c.genotype)}`),
    '',
    '## Settings',
    '',
    settingsLine(config, 'search'),
    settingsLine(config, 'retrain'),
    '',
    '## Runs',
    '',
    `| run | seed | ${metric.label} | parameters | seconds | resumed from |`,
    '| --- | --- | --- | --- | --- | --- |',
    ...runs,
    '',
  ].join('\n');
}

/** The three report files. */
export function reportFiles(report: ExperimentReport): RunFile[] {
  const { metric } = report;
  const svg = experimentSvg(report.cells, {
    label: metric.percent ? `${metric.label} (%)` : metric.label,
    format: (v) => (metric.percent ? (v * 100).toFixed(1) : v.toFixed(1)),
    better: metric.better,
  });
  return [
    { path: 'report.json', data: reportJson(report) },
    { path: 'report.md', data: reportMarkdown(report) },
    { path: 'report.svg', data: svg },
  ];
}
