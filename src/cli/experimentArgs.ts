/**
 * `nas-lab experiment`'s command line: `--space` / `--algorithm` pick the search kind (and the
 * space's retrain kind) as they do for `nas-lab search`; the experiment's own settings come from
 * its schema (src/experiment/experimentSettings.ts); every setting of the two kinds is a flag of
 * theirs behind a prefix, `--search.epochs 2 --retrain.epochs 1`, generated from their schemas
 * and read by the same code as `nas-lab search|retrain` (kindFlags.ts), so that no flag is
 * written twice. Everything is checked here, before anything runs; errors name the flag.
 */
import { parseArgs } from 'node:util';
import type { ExperimentConfig, ExperimentSettings } from '../experiment/experimentSettings';
import { EXPERIMENT_SCHEMA, SET_BY_EXPERIMENT } from '../experiment/experimentSettings';
import type { RunKindEntry } from '../nas/runKind/registry';
import { runKinds, selectRunKind } from '../nas/runKind/registry';
import type { RunKindInfo } from '../nas/runKind/runKind';
import type { SettingValue } from '../nas/runKind/settingsSchema';
import {
  defaultSettings,
  fieldFlag,
  parseFieldText,
  validateSettings,
} from '../nas/runKind/settingsSchema';
import {
  DEFAULT_EXPERIMENT_CHECKPOINT_EVERY,
  DEFAULT_EXPERIMENT_OUT,
  experimentUsage,
} from './experimentUsage';
import { nodeBackend, positiveInteger } from './flagValues';
import { HOST_OPTIONS as SEARCH_HOST_OPTIONS } from './hostFlags';
import type { FlagValues } from './kindFlags';
import { cliFields, flagProblem, flagsOf, kindOptions, settingsFromFlags } from './kindFlags';
import { readSelection, selectorFlags } from './kindSelection';
import type { NodeBackendName } from './nodeBackend';

/** The host side of an experiment: where and how its runs run. */
export interface ExperimentHostSettings {
  readonly backend: NodeBackendName;
  readonly dataDir: string | undefined;
  readonly outDir: string;
  readonly quiet: boolean;
  /** Each run writes its checkpoint every this many steps (what an interrupted run resumes from). */
  readonly checkpointEvery: number;
}

export interface ExperimentRequest {
  readonly config: ExperimentConfig;
  readonly host: ExperimentHostSettings;
}

/** The two kinds' prefixes. */
const PREFIXES = ['search', 'retrain'] as const;
type Prefix = (typeof PREFIXES)[number];

type Options = Record<string, { readonly type: 'string' | 'boolean' }>;

/** The host flags of `nas-lab search|retrain` but --resume: an experiment resumes by its folder. */
const HOST_OPTIONS: Options = Object.fromEntries(
  Object.entries(SEARCH_HOST_OPTIONS).filter(([flag]) => flag !== 'resume'),
);

/** A kind's flags behind its prefix, and `--PREFIX.preset`. */
function prefixedOptions(prefix: Prefix, info: RunKindInfo): Options {
  const options: Options = { [`${prefix}.preset`]: { type: 'string' } };
  for (const [flag, spec] of Object.entries(kindOptions(info, []))) {
    options[`${prefix}.${flag}`] = spec;
  }
  return options;
}

function ownOptions(): Options {
  return Object.fromEntries(
    EXPERIMENT_SCHEMA.fields.map((f) => [fieldFlag(f), { type: 'string' as const }]),
  );
}

const named = (info: RunKindInfo): string => `${info.title} (${selectorFlags(info.select)})`;

/** A clear refusal of a flag the experiment does not take, before node's generic one. */
function refuseUnknown(
  argv: readonly string[],
  known: Options,
  kinds: Record<Prefix, RunKindInfo>,
) {
  const { tokens } = parseArgs({
    args: [...argv],
    options: known,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind === 'positional') throw new Error(`unexpected argument "${token.value}"`);
    if (token.kind !== 'option' || token.name in known) continue;
    const flag = token.name;
    const dot = flag.indexOf('.');
    const prefix = flag.slice(0, dot) as Prefix;
    if (dot > 0 && PREFIXES.includes(prefix)) {
      const bare = flag.slice(dot + 1);
      if (SET_BY_EXPERIMENT[prefix].includes(bare)) {
        throw new Error(`--${flag}: the experiment sets the ${bare} of each ${prefix} itself`);
      }
      const owners = runKinds().filter(
        (e) =>
          e.info.command === kinds[prefix].command &&
          cliFields(e.info).some((f) => flagsOf(f).includes(bare)),
      );
      const where =
        owners.length > 0 ? `: it is one of ${owners.map((o) => named(o.info)).join(', ')}` : '';
      throw new Error(`--${flag}: --${bare} is not a flag of ${named(kinds[prefix])}${where}`);
    }
    const of = PREFIXES.filter((p) => cliFields(kinds[p]).some((f) => flagsOf(f).includes(flag)));
    if (of.length > 0) {
      throw new Error(
        `--${flag} is a run's setting: give it as ${of.map((p) => `--${p}.${flag}`).join(' or ')}`,
      );
    }
    throw new Error(`unknown flag --${flag} (nas-lab experiment --help lists the flags)`);
  }
}

/** The experiment's own settings from their flags; `--controls none` is no control. */
function ownSettings(values: FlagValues): ExperimentSettings {
  const settings: Record<string, SettingValue> = { ...defaultSettings(EXPERIMENT_SCHEMA) };
  for (const field of EXPERIMENT_SCHEMA.fields) {
    const raw = values[fieldFlag(field)];
    if (typeof raw !== 'string') continue;
    if (field.key === 'controls' && raw.trim() === 'none') {
      settings.controls = [];
      continue;
    }
    const parsed = parseFieldText(field, raw);
    if ('problem' in parsed) throw new Error(flagProblem(field, raw, parsed.problem));
    settings[field.key] = parsed.value;
  }
  return validateSettings(EXPERIMENT_SCHEMA, settings, 'experiment settings') as ExperimentSettings;
}

/**
 * A kind's settings from its prefixed flags, read by `settingsFromFlags` as `nas-lab search|retrain`
 * reads them; the flags its errors name get their prefix back.
 */
function kindSettings(
  prefix: Prefix,
  info: RunKindInfo,
  values: FlagValues,
  preset: string | undefined,
) {
  const own: Record<string, string | boolean | undefined> = {};
  const lead = `${prefix}.`;
  for (const [flag, value] of Object.entries(values)) {
    if (flag.startsWith(lead)) own[flag.slice(lead.length)] = value;
  }
  if (own.preset === undefined && preset !== undefined) {
    if (!info.schema.presets.includes(preset)) {
      throw new Error(
        `--preset ${preset}: the ${named(info)} has the presets ${info.schema.presets.join(', ')}; give --${prefix}.preset`,
      );
    }
    own.preset = preset;
  }
  const flags = new Set(['preset', ...cliFields(info).flatMap(flagsOf)]);
  try {
    return settingsFromFlags(info, own);
  } catch (e) {
    throw new Error(
      (e as Error).message.replace(/--([a-z][a-z0-9-]*)/g, (m, f: string) =>
        flags.has(f) ? `--${prefix}.${f}` : m,
      ),
    );
  }
}

const text = (v: string | boolean | undefined): string | undefined =>
  typeof v === 'string' ? v : undefined;

/** The experiment a command line asks for, or its usage for --help. */
export function parseExperimentArgs(
  argv: readonly string[],
): ExperimentRequest | { readonly help: string } {
  const selection = readSelection(argv);
  const search: RunKindEntry = selectRunKind('search', selection.select);
  const space = search.info.select.space;
  const retrain: RunKindEntry = selectRunKind('retrain', { space });
  const kinds = { search: search.info, retrain: retrain.info };
  const options: Options = {
    ...HOST_OPTIONS,
    ...ownOptions(),
    ...prefixedOptions('search', search.info),
    ...prefixedOptions('retrain', retrain.info),
  };
  for (const flag of SET_BY_EXPERIMENT.retrain) delete options[`retrain.${flag}`];
  if (selection.help) return { help: experimentUsage(search.info, retrain.info) };
  refuseUnknown(argv, options, kinds);
  const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
  const settings = ownSettings(values);
  const preset = text(values.preset);
  const config: ExperimentConfig = {
    space,
    searchKind: search.info.id,
    retrainKind: retrain.info.id,
    settings,
    search: kindSettings('search', search.info, values, preset),
    retrain: kindSettings('retrain', retrain.info, values, preset),
  };
  const every = positiveInteger('checkpoint-every', text(values['checkpoint-every']));
  return {
    config,
    host: {
      backend: nodeBackend(text(values.backend)),
      dataDir: text(values['data-dir']),
      outDir: text(values.out) ?? DEFAULT_EXPERIMENT_OUT,
      quiet: values.quiet === true,
      checkpointEvery: every ?? DEFAULT_EXPERIMENT_CHECKPOINT_EVERY,
    },
  };
}
