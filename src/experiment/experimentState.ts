/**
 * What an experiment's folder remembers between sessions (`state.json`): its configuration and
 * every finished run's record. Written whole after each finished run, so that a rerun skips what
 * is done; read back with checks, since it is a file a person may have edited. What a finished
 * run is made of is read from its reports (`outcomeOfReports`), the same for the command line's
 * log and a host that holds the reports. No tfjs.
 */
import type { CellKind } from './experimentPlan';
import type { ExperimentConfig } from './experimentSettings';
import type { CellGenotype } from './experimentSpace';

export const EXPERIMENT_STATE_FORMAT = 'nas-lab.experiment-state';

/** What a finished run gave. */
export interface RunOutcome {
  /** The done report's metrics (a non-finite one, which JSON writes as null, is NaN). */
  readonly metrics: Readonly<Record<string, number>>;
  /** `detail` of the done report (a search's genotype is there). */
  readonly detail: unknown;
  /** The parameter count the run's opening note gave, else null. */
  readonly parameters: number | null;
  /** Wall-clock seconds of the session that finished it. */
  readonly seconds: number;
  /** The step it resumed from (its checkpoint), null when it ran from the start. */
  readonly resumedFrom: number | null;
}

/** A finished run, as the state and report.json list it. */
export interface RunRecord {
  readonly id: string;
  readonly phase: 'search' | 'retrain';
  readonly kind: CellKind;
  readonly cell: string;
  /** The run kind's seed setting. */
  readonly seed: number;
  /** The cell searched (a search) or retrained (a retrain). */
  readonly genotype: CellGenotype;
  readonly parameters: number | null;
  /** The test metric of a retrain (accuracy or perplexity), null for a search. */
  readonly value: number | null;
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly seconds: number;
  readonly resumedFrom: number | null;
}

export interface ExperimentState {
  readonly format: typeof EXPERIMENT_STATE_FORMAT;
  readonly version: 1;
  readonly config: ExperimentConfig;
  /** Finished runs by id. */
  readonly runs: Readonly<Record<string, RunRecord>>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A state read back from its JSON; errors say what is wrong with it. */
export function parseExperimentState(raw: unknown): ExperimentState {
  if (!isObject(raw) || raw.format !== EXPERIMENT_STATE_FORMAT) {
    throw new Error(`it is not an experiment's state (format ${EXPERIMENT_STATE_FORMAT})`);
  }
  if (raw.version !== 1) throw new Error(`its version ${String(raw.version)} is not 1`);
  const config = raw.config;
  if (!isObject(config) || !isObject(config.settings) || !isObject(config.search)) {
    throw new Error('its config is missing or incomplete');
  }
  if (!isObject(config.retrain) || typeof config.searchKind !== 'string') {
    throw new Error('its config is missing or incomplete');
  }
  if (!isObject(raw.runs)) throw new Error('its runs are missing');
  for (const [id, run] of Object.entries(raw.runs)) {
    if (!isObject(run) || run.id !== id || (run.phase !== 'search' && run.phase !== 'retrain')) {
      throw new Error(`its run ${id} is not a run record`);
    }
    if (!isObject(run.genotype) || !isObject(run.metrics) || typeof run.seconds !== 'number') {
      throw new Error(`its run ${id} is not a run record`);
    }
  }
  return raw as unknown as ExperimentState;
}

/** The figures of a report line as JSON left them: null for what was not finite. */
function figures(raw: unknown): Record<string, number> {
  if (!isObject(raw)) return {};
  return Object.fromEntries(
    Object.entries(raw).map(([k, v]) => [k, typeof v === 'number' ? v : Number.NaN]),
  );
}

/**
 * A run's outcome from the lines a host recorded of it: the command line's `log.jsonl` (a
 * `config` line, then one line per report) or the reports a host held. Null when it has not
 * finished (no `done` report).
 */
export function outcomeOfReports(lines: readonly unknown[], seconds: number): RunOutcome | null {
  const done = [...lines].reverse().find((l) => isObject(l) && l.type === 'done');
  if (!isObject(done)) return null;
  const config = lines.find((l) => isObject(l) && l.type === 'config');
  const resumed = isObject(config) && isObject(config.resumedFrom) ? config.resumedFrom.step : null;
  const counted = lines.find(
    (l) =>
      isObject(l) &&
      l.type === 'note' &&
      isObject(l.detail) &&
      typeof l.detail.parameters === 'number',
  );
  const parameters =
    isObject(counted) && isObject(counted.detail) ? counted.detail.parameters : null;
  return {
    metrics: figures(done.metrics),
    detail: done.detail,
    parameters: typeof parameters === 'number' ? parameters : null,
    seconds,
    resumedFrom: typeof resumed === 'number' ? resumed : null,
  };
}

/** A figure for JSON: null for what is not finite (JSON has no NaN). */
export const jsonFigure = (v: number): number | null => (Number.isFinite(v) ? v : null);
