/**
 * What an experiment runs, in order, and where each run's folder is: the searches
 * (`search/seed-k`), then the retrain of every cell (`retrain/<cell>/seed-s`), the searched cells
 * first, then the random ones, then the controls. A run's id is its folder, so that a folder's
 * state can say which runs are finished whatever the counts were when it began. No tfjs.
 */
import type { ExperimentConfig } from './experimentSettings';
import { retrainSettings, searchSettings } from './experimentSettings';
import type { CellGenotype, ControlName } from './experimentSpace';
import { cellSpaceOf } from './experimentSpace';
import type { Settings } from '../nas/runKind/settingsSchema';

export type CellKind = 'searched' | 'random' | 'control';

/** A cell to retrain. */
export interface PlannedCell {
  /** `searched-0`, `random-3`, `control-DARTS_V2`. */
  readonly id: string;
  readonly kind: CellKind;
  readonly genotype: CellGenotype;
  /** What the retrain kind's `genotype` setting holds for it. */
  readonly setting: string;
  /** Where it comes from: `search/seed-0`, `random draw 3`, `published DARTS_V2`. */
  readonly source: string;
}

/** One run of the experiment: a search, or a cell's retrain with one seed. */
export interface PlannedRun {
  /** Its folder under the experiment's, and its key in the state. */
  readonly id: string;
  readonly phase: 'search' | 'retrain';
  /** The kind (registry id) it runs and its settings. */
  readonly kindId: string;
  readonly settings: Settings;
  /** The cell it searches for (`searched-k`) or retrains. */
  readonly cell: string;
  readonly cellKind: CellKind;
  /** Which of the experiment's seeds: k of the searches, s of the retrains. */
  readonly seedIndex: number;
}

export const searchRunId = (k: number): string => `search/seed-${k}`;
export const searchedCellId = (k: number): string => `searched-${k}`;
export const retrainRunId = (cellId: string, s: number): string => `retrain/${cellId}/seed-${s}`;

/** The search runs. */
export function searchRuns(config: ExperimentConfig): PlannedRun[] {
  return Array.from({ length: config.settings.searches }, (_, k) => ({
    id: searchRunId(k),
    phase: 'search',
    kindId: config.searchKind,
    settings: searchSettings(config, k),
    cell: searchedCellId(k),
    cellKind: 'searched',
    seedIndex: k,
  }));
}

/** The random cells and the controls: known before any search has run. */
export function fixedCells(config: ExperimentConfig): PlannedCell[] {
  const space = cellSpaceOf(config.space);
  const random = space
    .randomCells(config.search, config.settings.seed, config.settings.random)
    .map((genotype, j): PlannedCell => ({
      id: `random-${j}`,
      kind: 'random',
      genotype,
      setting: space.setting(genotype),
      source: `random draw ${j} (seed ${config.settings.seed})`,
    }));
  const controls = (config.settings.controls as readonly ControlName[]).map((name): PlannedCell => {
    const genotype = space.control(name, config.search);
    return {
      id: `control-${name}`,
      kind: 'control',
      genotype,
      setting: space.setting(genotype, name),
      source: name === 'DARTS_V2' ? 'published DARTS_V2' : 'poor by construction',
    };
  });
  return [...random, ...controls];
}

/** The cell search k found. */
export function searchedCell(
  config: ExperimentConfig,
  k: number,
  genotype: CellGenotype,
): PlannedCell {
  return {
    id: searchedCellId(k),
    kind: 'searched',
    genotype,
    setting: cellSpaceOf(config.space).setting(genotype),
    source: searchRunId(k),
  };
}

/** A cell's retrains, one per seed. */
export function retrainRuns(config: ExperimentConfig, cell: PlannedCell): PlannedRun[] {
  return Array.from({ length: config.settings.seeds }, (_, s) => ({
    id: retrainRunId(cell.id, s),
    phase: 'retrain',
    kindId: config.retrainKind,
    settings: retrainSettings(config, cell.setting, s),
    cell: cell.id,
    cellKind: cell.kind,
    seedIndex: s,
  }));
}

/** The ids of every run the experiment holds, the searched cells' retrains included. */
export function plannedRunIds(
  config: ExperimentConfig,
  fixed: readonly PlannedCell[],
): Set<string> {
  const { searches, seeds } = config.settings;
  const cellIds = [
    ...Array.from({ length: searches }, (_, k) => searchedCellId(k)),
    ...fixed.map((c) => c.id),
  ];
  const ids = Array.from({ length: searches }, (_, k) => searchRunId(k));
  for (const id of cellIds) for (let s = 0; s < seeds; s++) ids.push(retrainRunId(id, s));
  return new Set(ids);
}

/** How many runs the whole experiment holds. */
export function runCount(config: ExperimentConfig): number {
  const { searches, random, seeds, controls } = config.settings;
  return searches + (searches + random + controls.length) * seeds;
}
