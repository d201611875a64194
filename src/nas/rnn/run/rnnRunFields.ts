/**
 * The settings both recurrent run kinds have (`rnn/train_search.py` and `rnn/train.py` share
 * them: sizes, SGD, regularisation, dropouts, the text), written once as schema fields so that
 * the search's and the retrain's schemas differ only where the scripts do. Each kind gives its
 * defaults per preset: `small` (the CLI's default), `paper` (the script's defaults on the whole
 * text) and `demo` (the lab's first look in a browser). No tfjs here: the page imports it.
 */
import type { FieldSpec, NumberField, SettingValue } from '../../runKind/settingsSchema';
import type { RnnCommonConfig } from '../model/rnnConfigChecks';
import type { RnnDropoutRates } from '../model/rnnDropoutRates';

/** The recurrent kinds' presets, the first the default. */
export const RNN_PRESETS = ['small', 'paper', 'demo'] as const;

export type RnnPreset = (typeof RNN_PRESETS)[number];

/** A value per preset. */
export type PresetValues<T> = Readonly<Record<RnnPreset, T>>;

/** Most tokens a link may take from each text (the built-in corpus is far smaller). */
const MAX_LINK_TOKENS = 2_000_000;

/** The default (the small preset's) and the presets whose default differs from it. */
function byPreset<T extends SettingValue>(
  v: PresetValues<T>,
): { readonly default: T; readonly presets?: Readonly<Record<string, T>> } {
  const presets = Object.fromEntries(
    RNN_PRESETS.filter((p) => p !== 'small' && v[p] !== v.small).map((p) => [p, v[p]]),
  );
  return Object.keys(presets).length === 0 ? { default: v.small } : { default: v.small, presets };
}

/** The values of every preset: `pick` applied to each preset's source. */
export function perPreset<S, T>(sources: PresetValues<S>, pick: (s: S) => T): PresetValues<T> {
  return { small: pick(sources.small), paper: pick(sources.paper), demo: pick(sources.demo) };
}

/** What a kind's preset gives the shared fields: its configuration and how much text. */
export interface RnnCommonValues extends RnnCommonConfig {
  /** 0: the whole text. */
  readonly trainTokens: number;
  readonly validTokens: number;
  /** 0: the corpus's default cap (rnnRunCorpus.ts). */
  readonly maxVocabulary: number;
}

/** How much text each preset takes, and its vocabulary cap. */
export type RnnPresetData = Pick<RnnCommonValues, 'trainTokens' | 'validTokens' | 'maxVocabulary'>;

/** The shared fields' values of each preset: its configuration and its data. */
function commonPresetValues(
  configs: PresetValues<RnnCommonConfig>,
  data: PresetValues<RnnPresetData>,
): PresetValues<RnnCommonValues> {
  const of = (p: RnnPreset): RnnCommonValues => ({ ...configs[p], ...data[p] });
  return { small: of('small'), paper: of('paper'), demo: of('demo') };
}

/** The shared settings, as a settings object holds them. */
export interface RnnCommonSettings {
  readonly level: 'word' | 'char';
  /** 0: the corpus's default cap. */
  readonly maxVocabulary: number;
  /** 0: the whole text. */
  readonly trainTokens: number;
  readonly validTokens: number;
  readonly nhid: number;
  readonly batchSize: number;
  readonly bptt: number;
  readonly epochs: number;
  /** 0: no limit. */
  readonly maxSteps: number;
  readonly lr: number;
  readonly clip: number;
  readonly weightDecay: number;
  readonly tarBeta: number;
  readonly dropout: number;
  readonly dropouth: number;
  readonly dropoutx: number;
  readonly dropouti: number;
  readonly dropoute: number;
  readonly seed: number;
}

/** What differs between the kinds' wording of the shared fields. */
export interface RnnFieldWords {
  /** `train_search.py` or `train.py`. */
  readonly script: string;
  /** Smallest batch (the search cell normalises over the batch: 2). */
  readonly minBatch: number;
  readonly bpttHelp: string;
  readonly lrHelp: string;
  readonly maxStepsHelp: string;
  readonly trainTokensHelp: string;
  readonly validTokensHelp: string;
}

/** The dropout rates' keys (train_search.py's and train.py's flag names) and what they drop. */
const RNN_DROPOUT_KEYS = [
  ['dropout', 'output', "on the cell's outputs"],
  ['dropouth', 'h', 'on its hidden states'],
  ['dropoutx', 'x', 'on its inputs'],
  ['dropouti', 'input', 'on the embeddings'],
  ['dropoute', 'embedding', 'of whole embedding rows (words)'],
] as const;

type NumberSpec = Omit<NumberField, 'default' | 'presets'>;

/** What the settings form calls the shared numbers whose keys are the scripts' terse names. */
const RNN_LABELS: Readonly<Record<string, string>> = {
  nhid: 'Hidden size',
  bptt: 'Segment length',
  lr: 'Learning rate',
  clip: 'Gradient clip',
  tarBeta: 'TAR weight',
  dropout: 'Output dropout',
  dropouth: 'Hidden-state dropout',
  dropoutx: 'Input dropout',
  dropouti: 'Embedding dropout',
  dropoute: 'Word dropout',
  trainTokens: 'Training tokens',
  validTokens: 'Validation tokens',
};

/** A number field of the kinds' presets, its default picked off each preset's values. */
export function presetNumber<S>(
  spec: NumberSpec,
  sources: PresetValues<S>,
  pick: (s: S) => number,
): NumberField {
  return { ...spec, ...byPreset<number>(perPreset(sources, pick)) };
}

/** A count of tokens of a text: 0 takes all of it. */
export function tokensField(key: string, help: string, values: PresetValues<number>): NumberField {
  const spec: NumberSpec = {
    key,
    label: RNN_LABELS[key],
    type: 'int',
    min: 0,
    linkMax: MAX_LINK_TOKENS,
    group: 'data',
    help,
  };
  return presetNumber(spec, values, (v) => v);
}

/**
 * The shared fields in three groups the kinds place among their own: the text (level,
 * vocabulary cap, tokens), the sizes and length (nhid, batch, bptt, epochs, max steps), and the
 * training (SGD, clip, weight decay, TAR, the dropouts, the seed). Their defaults by preset are
 * the preset's configuration's and data's.
 */
export function rnnCommonFields(
  configs: PresetValues<RnnCommonConfig>,
  presetData: PresetValues<RnnPresetData>,
  words: RnnFieldWords,
): { data: FieldSpec[]; sizes: NumberField[]; training: NumberField[] } {
  const values = commonPresetValues(configs, presetData);
  /** A field of the script's flag `--{flag ?? key}`, its value by preset the key's (or `pick`'s). */
  const field = (spec: NumberSpec, pick?: (v: RnnCommonValues) => number) =>
    presetNumber(
      {
        reference: `${words.script} --${spec.flag ?? spec.key}`,
        label: RNN_LABELS[spec.key],
        ...spec,
      },
      values,
      pick ?? ((v) => v[spec.key as ScalarKey]),
    );
  const data: FieldSpec[] = [
    {
      key: 'level',
      label: 'Tokens',
      type: 'choice',
      choices: ['word', 'char'],
      default: 'word',
      group: 'data',
      help: "tokens: words (default) or characters (one space token between words, <eos> at each line's end)",
    },
    presetNumber(
      {
        key: 'maxVocabulary',
        label: 'Vocabulary cap',
        flag: 'vocabulary',
        type: 'int',
        min: 0,
        linkMax: 100_000,
        group: 'data',
        help:
          'keep the N most frequent training tokens, <eos> and <unk> included; the rest become ' +
          '<unk> (0: 3000 on the built-in corpus, 10000 words or 1000 characters on --data-dir)',
      },
      values,
      (v) => v.maxVocabulary,
    ),
    tokensField(
      'trainTokens',
      words.trainTokensHelp,
      perPreset(values, (v) => v.trainTokens),
    ),
    tokensField(
      'validTokens',
      words.validTokensHelp,
      perPreset(values, (v) => v.validTokens),
    ),
  ];
  const sizes: NumberField[] = [
    field({
      key: 'nhid',
      type: 'int',
      min: 1,
      linkMax: 2048,
      group: 'network',
      reference: `${words.script} --emsize = --nhid = --nhidlast`,
      help: 'embedding = hidden size (--emsize; the decoder is tied to the embedding, so they are one number)',
    }),
    field({
      key: 'batchSize',
      flag: 'batch-size',
      type: 'int',
      min: words.minBatch,
      linkMax: 1024,
      group: 'optimizer',
      reference: `${words.script} --batch_size`,
      help: 'batch size (columns of the train text)',
    }),
    field({
      key: 'bptt',
      type: 'int',
      min: 1,
      linkMax: 1000,
      group: 'method',
      help: words.bpttHelp,
    }),
    field({ key: 'epochs', type: 'int', min: 1, linkMax: 1000, group: 'run', help: 'epochs' }),
    {
      key: 'maxSteps',
      flag: 'max-steps',
      type: 'int',
      min: 0,
      default: 0,
      group: 'run',
      advanced: true,
      help: words.maxStepsHelp,
    },
  ];
  const advanced = { type: 'number', min: 0, advanced: true } as const;
  const training: NumberField[] = [
    field({
      key: 'lr',
      type: 'number',
      min: 0,
      live: true,
      group: 'optimizer',
      help: words.lrHelp,
    }),
    field({ key: 'clip', ...advanced, group: 'optimizer', help: 'gradient-norm clip' }),
    field({
      key: 'weightDecay',
      flag: 'wdecay',
      ...advanced,
      group: 'optimizer',
      help: 'weight decay',
    }),
    field({
      key: 'tarBeta',
      flag: 'beta',
      ...advanced,
      group: 'method',
      help: 'temporal activation regularisation (TAR) weight',
    }),
    ...RNN_DROPOUT_KEYS.map(([key, rate, help]) =>
      field(
        { key, ...advanced, max: 1, group: 'network', help: `dropout ${help}, a rate in [0, 1)` },
        (v) => v.dropout[rate],
      ),
    ),
    field({ key: 'seed', type: 'int', group: 'run', help: 'random seed' }),
  ];
  return { data, sizes, training };
}

/** The shared settings whose keys are the configurations' keys too. */
type ScalarKey = (typeof SCALAR_KEYS)[number];

const SCALAR_KEYS = [
  'nhid',
  'batchSize',
  'bptt',
  'epochs',
  'lr',
  'clip',
  'weightDecay',
  'tarBeta',
  'seed',
] as const;

/** The values of `keys` in `from` (settings or a configuration; they share these keys). */
function pickNumbers(from: object, keys: readonly string[]): Record<string, number> {
  const record = from as Readonly<Record<string, number>>;
  return Object.fromEntries(keys.map((k) => [k, record[k] as number]));
}

/** The shared part of the core's configuration, from settings. */
function rnnCommonConfigOf(settings: Readonly<Record<string, unknown>>): RnnCommonConfig {
  const dropout = Object.fromEntries(
    RNN_DROPOUT_KEYS.map(([key, rate]) => [rate, settings[key] as number]),
  ) as unknown as RnnDropoutRates;
  return { ...(pickNumbers(settings, SCALAR_KEYS) as unknown as RnnCommonConfig), dropout };
}

/** The shared settings a configuration holds. */
function rnnCommonSettingsOf(c: RnnCommonConfig): Record<string, number> {
  const rates = RNN_DROPOUT_KEYS.map(([key, rate]) => [key, c.dropout[rate]]);
  return { ...pickNumbers(c, SCALAR_KEYS), ...Object.fromEntries(rates) };
}

/**
 * How a kind's settings and its core configuration map onto each other: the shared settings, and
 * the kind's own, each a setting of the configuration's key of the same name, or a [setting,
 * configuration key] pair; the configuration's other values are `small`'s.
 */
export function rnnConfigMapping<C extends RnnCommonConfig>(
  small: C,
  own: readonly (string | readonly [string, keyof C & string])[],
) {
  const pairs = own.map((k) => (typeof k === 'string' ? [k, k] : k));
  return {
    /** The core's configuration: `small`'s fixed values with the settings on top. */
    configOf: (settings: Readonly<Record<string, unknown>>): C => ({
      ...small,
      ...rnnCommonConfigOf(settings),
      ...Object.fromEntries(pairs.map(([s, c]) => [c, settings[s]])),
    }),
    /** The settings a configuration holds, over `base` (for what it does not hold). */
    settingsOf: <S extends Readonly<Record<string, unknown>>>(config: C, base: S): S => ({
      ...base,
      ...rnnCommonSettingsOf(config),
      ...Object.fromEntries(pairs.map(([s, c]) => [s, config[c as keyof C]])),
    }),
  };
}

/** Cross-field problems of the shared fields: dropout rates below 1, a usable vocabulary cap. */
export function rnnCommonProblems(settings: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const [key] of RNN_DROPOUT_KEYS) {
    const v = settings[key] as number;
    if (!(v < 1)) problems.push(`${key} must be a dropout rate in [0, 1), got ${v}`);
  }
  if (settings.maxVocabulary === 1) {
    problems.push(
      'maxVocabulary must be 0 (the corpus default) or at least 2 (<eos> and <unk>), got 1',
    );
  }
  return problems;
}

/** A token count as the checks read it: 0 (the whole text) is enough until the text is read. */
export const countOrAll = (n: number): number => (n === 0 ? Infinity : n);

/**
 * The first token count below what the batches need, or null: `needs` are [key, tokens,
 * least], `batches` names the batch sizes they follow from.
 */
export function tokenProblem(
  needs: readonly (readonly [string, number, number])[],
  batches: string,
): string | null {
  const short = needs.find(([, n, least]) => n < least);
  return short ? `${short[0]} must be at least ${short[2]}, got ${short[1]} (${batches})` : null;
}
