/**
 * The page's settings as runs of the registered kinds, while its forms still edit the lab's
 * configurations (LabConfig, RetrainLabConfig): which kind a configuration runs, its settings
 * (the kind's lab preset with the form's values on top, by key), and back, for a run restored
 * from a checkpoint. A configuration whose kind is not registered yet has no run here: the page
 * starts it with the per-kind messages until its kind lands.
 */
import type { GenotypeJson } from '../nas/genotype/genotype';
import { genotypeFromJson, stringifyGenotype } from '../nas/genotype/genotype';
import type { RunKindEntry } from '../nas/runKind/registry';
import { findRunKind, selectRunKind } from '../nas/runKind/registry';
import type { RunKindInfo, RunSelector } from '../nas/runKind/runKind';
import type { SettingValue, Settings } from '../nas/runKind/settingsSchema';
import { fieldDefault, validateSettings } from '../nas/runKind/settingsSchema';
import { DEFAULT_LAB_CDARTS } from '../worker/labCdarts';
import { DEFAULT_LAB_RECURRENT } from '../worker/labRecurrent';
import type { LabConfig, RetrainLabConfig } from '../worker/protocol';

/** A kind's preset the lab starts from: its lab preset where it has one, else its default. */
const LAB_PRESETS = ['lab', 'demo'];

export interface LabRun {
  readonly kind: string;
  readonly settings: Settings;
}

function entryOf(command: 'search' | 'retrain', select: RunSelector): RunKindEntry | null {
  try {
    return selectRunKind(command, select);
  } catch {
    return null;
  }
}

/**
 * The kind's settings: each field from `values` where it has the key (a value of the field's
 * type), else the kind's lab preset.
 */
export function labSettings(
  info: RunKindInfo,
  values: Readonly<Record<string, unknown>>,
): Settings {
  const preset = LAB_PRESETS.find((p) => info.schema.presets.includes(p)) ?? '';
  return Object.fromEntries(
    info.schema.fields.map((f) => {
      const v = values[f.key];
      const value = v === undefined || v === null ? fieldDefault(f, preset) : (v as SettingValue);
      return [f.key, Array.isArray(value) ? [...value] : value];
    }),
  );
}

/** The run a search configuration starts, or null while its kind is not registered. */
export function runOfLabConfig(config: LabConfig): LabRun | null {
  const recurrent = config.space === 'recurrent';
  const entry = recurrent
    ? entryOf('search', { space: 'rnn' })
    : entryOf('search', { space: 'cnn', algorithm: config.algorithm ?? 'darts' });
  if (!entry) return null;
  const values = recurrent
    ? { ...config.recurrent }
    : { ...config.search, ops: config.search.primitives, ...config.data, ...config.cdarts };
  return { kind: entry.info.id, settings: labSettings(entry.info, values) };
}

/** The run a retrain configuration of `genotype` starts, or null while its kind is not registered. */
export function runOfRetrain(config: RetrainLabConfig, genotype: GenotypeJson): LabRun | null {
  const entry = entryOf('retrain', { space: 'cnn' });
  if (!entry) return null;
  const values = {
    ...config.retrain,
    ...config.data,
    testImages: config.testImages,
    genotype: stringifyGenotype(genotypeFromJson(genotype)),
  };
  return { kind: entry.info.id, settings: labSettings(entry.info, values) };
}

/**
 * The kind that retrains recurrent genotypes and its lab settings: the recurrent retrain form
 * edits these by key; null while no such kind is registered.
 */
export function recurrentRetrainRun(values: Readonly<Record<string, unknown>> = {}): LabRun | null {
  const entry = entryOf('retrain', { space: 'rnn' });
  return entry ? { kind: entry.info.id, settings: labSettings(entry.info, values) } : null;
}

/** Why a run's settings cannot start it (the first problem its kind's schema names), or null. */
export function runProblem(run: LabRun): string | null {
  const info = findRunKind(run.kind)?.info;
  if (!info) return `no run kind "${run.kind}" is registered`;
  try {
    validateSettings(info.schema, run.settings);
    return null;
  } catch (e) {
    return (e as Error).message.replace(/^invalid settings: /, '');
  }
}

/** The live values among a run's settings (what the page sends when its form changes them). */
export function liveValues(run: LabRun): Record<string, number> {
  const info = findRunKind(run.kind)?.info;
  const live: Record<string, number> = {};
  for (const f of info?.schema.fields ?? []) {
    const v = run.settings[f.key];
    if (f.live && typeof v === 'number') live[f.key] = v;
  }
  return live;
}

/** Picks `base`'s keys from `settings` where it has them. */
function pick<T extends object>(base: T, settings: Settings): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const key of Object.keys(base)) if (key in settings) out[key] = settings[key];
  return out as T;
}

/**
 * The search configuration a restored run of a kind had, over `base` (the form's): for a retrain,
 * `base` in the retrain's space (so that its view shows); null for an unknown kind.
 */
export function labConfigOfRun(run: LabRun, base: LabConfig): LabConfig | null {
  const info = findRunKind(run.kind)?.info;
  if (!info) return null;
  if (info.command !== 'search') {
    if (info.select.space === 'rnn') {
      const recurrent = { ...DEFAULT_LAB_RECURRENT, order: 1, ...base.recurrent };
      return { ...base, space: 'recurrent', recurrent } as LabConfig;
    }
    const { space: _space, ...cnn } = base;
    return cnn;
  }
  const s = run.settings;
  if (info.select.space === 'rnn') {
    const recurrent = pick({ ...DEFAULT_LAB_RECURRENT, order: 1, ...base.recurrent }, s);
    return { ...base, space: 'recurrent', recurrent } as LabConfig;
  }
  const search = pick(base.search, s);
  const nodes = typeof s.nodes === 'number' ? s.nodes : search.nodes;
  const primitives = Array.isArray(s.ops) ? s.ops : search.primitives;
  const cdarts = info.select.algorithm === 'cdarts';
  const { space: _space, recurrent: _recurrent, cdarts: _cdarts, ...cnn } = base;
  return {
    ...cnn,
    search: { ...search, nodes, multiplier: nodes, primitives } as LabConfig['search'],
    data: pick(base.data, s),
    ...(cdarts
      ? { algorithm: 'cdarts', cdarts: pick({ ...DEFAULT_LAB_CDARTS, ...base.cdarts }, s) }
      : { algorithm: 'darts' }),
  } as LabConfig;
}
