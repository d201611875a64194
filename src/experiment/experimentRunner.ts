/**
 * `nas-lab experiment`'s orchestration, the same for every host: checks the whole configuration
 * and the folder's state before anything runs, then drives the registered kinds one run at a
 * time — the searches, then every cell's retrains — through the host, which runs a kind to its
 * end (resuming it from its checkpoint when it was interrupted) and says what it gave. After each
 * finished run the state and the reports are written whole, so that a rerun skips what is done.
 * It names no kind: the search and retrain kinds come from the registry, their genotype from the
 * search's done report, the compared figure from the retrain kind's test metric. No tfjs, no
 * DOM, no file system: the command line (src/cli/experimentCommand.ts) gives it its host.
 */
import { runKindById } from '../nas/runKind/registry';
import type { RunFile } from '../nas/runKind/runKind';
import { validateSettings } from '../nas/runKind/settingsSchema';
import type { PlannedCell, PlannedRun } from './experimentPlan';
import {
  fixedCells,
  plannedRunIds,
  retrainRuns,
  runCount,
  searchedCell,
  searchRuns,
} from './experimentPlan';
import type { ExperimentReport } from './experimentReport';
import { buildReport, reportFiles, testMetric } from './experimentReport';
import type { ExperimentConfig } from './experimentSettings';
import { identityProblems, validateExperimentConfig } from './experimentSettings';
import { cellSpaceOf } from './experimentSpace';
import type { ExperimentState, RunOutcome, RunRecord } from './experimentState';
import { EXPERIMENT_STATE_FORMAT, parseExperimentState } from './experimentState';

/** Where an experiment runs: its runs, its folder's state and files, its clock. */
export interface ExperimentHost {
  /** The state the folder holds (state.json's JSON), or null when it holds none. */
  loadState(): Promise<unknown>;
  saveState(state: ExperimentState): Promise<void>;
  /** Writes the report files into the experiment's folder. */
  writeFiles(files: readonly RunFile[]): Promise<void>;
  /**
   * Runs a planned run to its end in its own folder (`run.id`): from its checkpoint where an
   * earlier session left one, or not at all where an earlier session finished it and only its
   * record was lost; resolves with what it gave.
   */
  run(run: PlannedRun): Promise<RunOutcome>;
  /** Milliseconds, for the elapsed time and the ETA. */
  now(): number;
}

/** Where the experiment stands, for a progress line. */
export interface ExperimentProgress {
  readonly type: 'start' | 'finish';
  readonly run: PlannedRun;
  /** The record of the run that finished. */
  readonly record?: RunRecord;
  /** Runs finished, this one included once it has. */
  readonly finished: number;
  readonly total: number;
  /** Since this session began. */
  readonly elapsedMs: number;
  /** What the unfinished runs should take, by the finished runs' mean time per phase; NaN: unknown. */
  readonly etaMs: number;
}

export interface ExperimentOptions {
  /** Stops the experiment between runs (the finished ones are kept). */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ExperimentProgress) => void;
  /** The state as the folder held it when the session began: how many runs were finished. */
  readonly onOpen?: (finished: number, total: number) => void;
}

/** The error an experiment stopped by its signal ends with. */
export class ExperimentStopped extends Error {
  constructor(finished: number, total: number) {
    super(`the experiment stopped after ${finished} of ${total} runs; run it again to go on`);
    this.name = 'ExperimentStopped';
  }
}

/** The state the folder holds, checked to be this experiment's (its counts may differ). */
async function openState(config: ExperimentConfig, host: ExperimentHost): Promise<RunRecord[]> {
  const raw = await host.loadState();
  if (raw === null) return [];
  let state: ExperimentState;
  try {
    state = parseExperimentState(raw);
  } catch (e) {
    throw new Error(`the folder's state.json cannot be read: ${(e as Error).message}`);
  }
  const problems = identityProblems(state.config, config);
  if (problems.length > 0) {
    throw new Error(
      `the folder holds an experiment with other settings (${problems.join('; ')}): give another output folder, or the same settings to go on`,
    );
  }
  return Object.values(state.runs);
}

/** Checks a cell's retrain settings before its first retrain; errors name the cell. */
function checkCell(config: ExperimentConfig, cell: PlannedCell): void {
  const info = runKindById(config.retrainKind).info;
  const [first] = retrainRuns(config, cell);
  try {
    if (first) validateSettings(info.schema, first.settings, 'retrain settings');
  } catch (e) {
    throw new Error(`cell ${cell.id}: ${(e as Error).message}`);
  }
}

/** Mean seconds of the finished runs of a phase (of all of them where the phase has none). */
function estimateMs(
  records: readonly RunRecord[],
  left: { search: number; retrain: number },
): number {
  const meanOf = (rs: readonly RunRecord[]) =>
    rs.length === 0 ? Number.NaN : rs.reduce((a, r) => a + r.seconds, 0) / rs.length;
  const overall = meanOf(records);
  const per = (phase: 'search' | 'retrain') => {
    const m = meanOf(records.filter((r) => r.phase === phase));
    return Number.isFinite(m) ? m : overall;
  };
  const searchMs = left.search === 0 ? 0 : left.search * per('search');
  const retrainMs = left.retrain === 0 ? 0 : left.retrain * per('retrain');
  return (searchMs + retrainMs) * 1000;
}

/** Runs the experiment to its end (or its signal); returns the final report. */
export async function runExperiment(
  config: ExperimentConfig,
  host: ExperimentHost,
  options: ExperimentOptions = {},
): Promise<ExperimentReport> {
  validateExperimentConfig(config);
  const space = cellSpaceOf(config.space);
  const searchInfo = runKindById(config.searchKind).info;
  const metric = testMetric(runKindById(config.retrainKind).info);
  const fixed = fixedCells(config);
  for (const cell of fixed) checkCell(config, cell);
  const searches = searchRuns(config);
  const total = runCount(config);
  const saved = await openState(config, host);
  const records = new Map(saved.map((r) => [r.id, r]));
  const started = host.now();

  const searchedCells = (): PlannedCell[] =>
    searches.flatMap((run, k) => {
      const record = records.get(run.id);
      return record ? [searchedCell(config, k, record.genotype)] : [];
    });
  const plannedIds = plannedRunIds(config, fixed);
  const finished = () => [...records.values()].filter((r) => plannedIds.has(r.id));
  const report = () => buildReport(config, [...searchedCells(), ...fixed], finished());
  const save = async () => {
    const state: ExperimentState = {
      format: EXPERIMENT_STATE_FORMAT,
      version: 1,
      config,
      runs: Object.fromEntries(records),
    };
    await host.saveState(state);
    await host.writeFiles(reportFiles(report()));
  };
  const progress = (type: 'start' | 'finish', run: PlannedRun, record?: RunRecord) => {
    const done = finished();
    const searchesLeft = searches.filter((r) => !records.has(r.id)).length;
    const left = { search: searchesLeft, retrain: total - done.length - searchesLeft };
    options.onProgress?.({
      type,
      run,
      ...(record ? { record } : {}),
      finished: done.length,
      total,
      elapsedMs: host.now() - started,
      etaMs: estimateMs(done, left),
    });
  };
  const stopIfAsked = () => {
    if (options.signal?.aborted) throw new ExperimentStopped(finished().length, total);
  };

  /** Runs one planned run unless it is finished; its record from what it gave. */
  const step = async (run: PlannedRun, record: (outcome: RunOutcome) => RunRecord) => {
    if (records.has(run.id)) return;
    stopIfAsked();
    progress('start', run);
    const done = record(await host.run(run));
    records.set(run.id, done);
    await save();
    progress('finish', run, done);
  };
  const base = (run: PlannedRun, outcome: RunOutcome) => ({
    id: run.id,
    phase: run.phase,
    kind: run.cellKind,
    cell: run.cell,
    seed: run.settings.seed as number,
    parameters: outcome.parameters,
    metrics: outcome.metrics,
    seconds: outcome.seconds,
    resumedFrom: outcome.resumedFrom,
  });

  await save();
  options.onOpen?.(finished().length, total);
  for (const run of searches) {
    await step(run, (outcome) => ({
      ...base(run, outcome),
      genotype: space.searched(outcome.detail, searchInfo.title),
      value: null,
    }));
  }
  const cells = [...searchedCells(), ...fixed];
  for (const cell of cells) {
    checkCell(config, cell);
    for (const run of retrainRuns(config, cell)) {
      await step(run, (outcome) => {
        const value = outcome.metrics[metric.key];
        if (value === undefined) {
          throw new Error(`${run.id} reported no ${metric.label} (${metric.key}) when done`);
        }
        return { ...base(run, outcome), genotype: cell.genotype, value };
      });
    }
  }
  return report();
}
