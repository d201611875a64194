/**
 * An experiment's settings: its own (how many searches, random cells and retrain seeds, which
 * controls, the seed of its draws and of the bootstrap) as a settings schema like a run kind's,
 * so that the command line reads and checks them with the same code, and the whole configuration
 * (the space, the search and retrain kinds, and the base settings of each) that a folder's
 * state records. Checked as a whole before anything runs: every retrain the plan holds so far is
 * validated with its cell. No tfjs.
 */
import type { RunKindInfo, RunSelector } from '../nas/runKind/runKind';
import type { Settings, SettingsOf } from '../nas/runKind/settingsSchema';
import { changedKeys, validateSettings } from '../nas/runKind/settingsSchema';
import { runKindById } from '../nas/runKind/registry';
import { CONTROLS } from './experimentSpace';

export const EXPERIMENT_SCHEMA = {
  presets: ['default'],
  fields: [
    {
      key: 'searches',
      type: 'int',
      min: 1,
      max: 100,
      default: 3 as number,
      group: 'run',
      help: "searches N: search k runs with the search's seed + k",
    },
    {
      key: 'random',
      type: 'int',
      min: 1,
      max: 1000,
      default: 8 as number,
      group: 'run',
      help: "random cells M drawn from the search's space (each node: distinct inputs, ops not none)",
    },
    {
      key: 'seeds',
      type: 'int',
      min: 1,
      max: 100,
      default: 2 as number,
      group: 'run',
      help: "retrain seeds S per cell: seed s runs with the retrain's seed + s",
    },
    {
      key: 'controls',
      type: 'list',
      choices: CONTROLS,
      minItems: 0,
      default: CONTROLS as readonly string[],
      group: 'run',
      help: 'control cells: DARTS_V2 (published) and poor (all skip_connect / max_pool; recurrent: all identity from s0); none for no control',
    },
    {
      key: 'seed',
      type: 'int',
      default: 0 as number,
      group: 'run',
      help: 'seed of the random cells and of the bootstrap',
    },
    {
      key: 'bootstrap',
      type: 'int',
      min: 100,
      max: 1_000_000,
      default: 10_000 as number,
      group: 'run',
      help: 'bootstrap resamples of the searched − random interval',
    },
  ],
} as const;

export type ExperimentSettings = SettingsOf<typeof EXPERIMENT_SCHEMA>;

/** Settings of the kinds the experiment sets itself for each run (a cell's genotype). */
export const SET_BY_EXPERIMENT: Readonly<Record<'search' | 'retrain', readonly string[]>> = {
  search: [],
  retrain: ['genotype'],
};

/** Everything an experiment runs, as its folder's state records it. */
export interface ExperimentConfig {
  readonly space: RunSelector['space'];
  /** Run kind ids (registry.ts). */
  readonly searchKind: string;
  readonly retrainKind: string;
  readonly settings: ExperimentSettings;
  /** The search kind's settings; search k sets `seed` to this seed + k. */
  readonly search: Settings;
  /** The retrain kind's settings; each cell sets `genotype`, seed s sets `seed` to this + s. */
  readonly retrain: Settings;
}

/**
 * The settings an experiment must keep to go on in a folder: a change of these makes its
 * finished runs another experiment's. The counts (searches, random, seeds, controls) and the
 * bootstrap may change: a run the new plan still holds is kept.
 */
export function identityProblems(saved: ExperimentConfig, now: ExperimentConfig): string[] {
  const problems: string[] = [];
  for (const key of ['space', 'searchKind', 'retrainKind'] as const) {
    if (saved[key] !== now[key]) problems.push(`${key} was ${saved[key]}, now ${now[key]}`);
  }
  if (problems.length > 0) return problems;
  if (saved.settings.seed !== now.settings.seed) {
    problems.push(`seed was ${saved.settings.seed}, now ${now.settings.seed}`);
  }
  const differ = (what: string, info: RunKindInfo, a: Settings, b: Settings) => {
    const keys = changedKeys(info.schema, a, b).filter(
      (k) => !(what === 'retrain' && k === 'genotype'),
    );
    for (const k of keys) problems.push(`${what}.${k} was ${String(a[k])}, now ${String(b[k])}`);
  };
  differ('search', runKindById(now.searchKind).info, saved.search, now.search);
  differ('retrain', runKindById(now.retrainKind).info, saved.retrain, now.retrain);
  return problems;
}

/** The search run k's settings. */
export function searchSettings(config: ExperimentConfig, k: number): Settings {
  return { ...config.search, seed: (config.search.seed as number) + k };
}

/** The retrain of a cell (its `genotype` setting) with seed s. */
export function retrainSettings(config: ExperimentConfig, genotype: string, s: number): Settings {
  return { ...config.retrain, genotype, seed: (config.retrain.seed as number) + s };
}

/** Validates the experiment's own settings and each kind's base settings; errors name keys. */
export function validateExperimentConfig(config: ExperimentConfig): ExperimentConfig {
  validateSettings(EXPERIMENT_SCHEMA, config.settings, 'experiment settings');
  const search = runKindById(config.searchKind).info;
  const retrain = runKindById(config.retrainKind).info;
  if (search.command !== 'search' || retrain.command !== 'retrain') {
    throw new Error(`${search.id} must be a search kind and ${retrain.id} a retrain kind`);
  }
  if (search.select.space !== config.space || retrain.select.space !== config.space) {
    throw new Error(`${search.id} and ${retrain.id} must both be of the ${config.space} space`);
  }
  validateSettings(search.schema, config.search, 'search settings');
  validateSettings(retrain.schema, config.retrain, 'retrain settings');
  return config;
}
