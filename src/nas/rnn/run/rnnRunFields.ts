/**
 * The settings both recurrent run kinds have (`rnn/train_search.py` and `rnn/train.py` share
 * them: sizes, SGD, regularisation, dropouts, the text), written once as schema fields so that
 * the search's and the retrain's schemas differ only where the scripts do. Each kind gives its
 * defaults per preset: `small` (the CLI's default), `paper` (the script's defaults on the whole
 * text) and `lab` (the lab's first look in a browser). No tfjs here: the page imports it.
 */
import type { FieldSpec, NumberField, SettingValue } from '../../runKind/settingsSchema';

/** The recurrent kinds' presets, the first the default. */
export const RNN_PRESETS = ['small', 'paper', 'lab'] as const;

export type RnnPreset = (typeof RNN_PRESETS)[number];

/** A value per preset. */
export type PresetValues<T> = Readonly<Record<RnnPreset, T>>;

/** Most tokens a link may take from each text (the built-in corpus is far smaller). */
export const MAX_LINK_TOKENS = 2_000_000;

/** The default (the small preset's) and the presets whose default differs from it. */
export function byPreset<T extends SettingValue>(
  v: PresetValues<T>,
): { readonly default: T; readonly presets?: Readonly<Record<string, T>> } {
  const presets = Object.fromEntries(
    RNN_PRESETS.filter((p) => p !== 'small' && v[p] !== v.small).map((p) => [p, v[p]]),
  );
  return Object.keys(presets).length === 0 ? { default: v.small } : { default: v.small, presets };
}

/** The values of every preset: `pick` applied to each preset's source. */
export function perPreset<S, T>(sources: PresetValues<S>, pick: (s: S) => T): PresetValues<T> {
  return { small: pick(sources.small), paper: pick(sources.paper), lab: pick(sources.lab) };
}

/** What the two scripts share, per preset (the kinds read them off their configurations). */
export interface RnnCommonValues {
  readonly nhid: number;
  readonly batchSize: number;
  readonly bptt: number;
  readonly epochs: number;
  readonly lr: number;
  readonly clip: number;
  readonly weightDecay: number;
  readonly tarBeta: number;
  readonly dropout: {
    readonly embedding: number;
    readonly input: number;
    readonly x: number;
    readonly h: number;
    readonly output: number;
  };
  readonly seed: number;
  /** 0: the whole text. */
  readonly trainTokens: number;
  readonly validTokens: number;
  /** 0: the corpus's default cap (rnnRunCorpus.ts). */
  readonly maxVocabulary: number;
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
export const RNN_DROPOUT_KEYS = [
  ['dropout', 'output', "on the cell's outputs"],
  ['dropouth', 'h', 'on its hidden states'],
  ['dropoutx', 'x', 'on its inputs'],
  ['dropouti', 'input', 'on the embeddings'],
  ['dropoute', 'embedding', 'of whole embedding rows (words)'],
] as const;

/** Keys of the shared fields whose range a cross-field check finishes (rates below 1). */
export const RNN_RATE_KEYS: readonly string[] = RNN_DROPOUT_KEYS.map(([key]) => key);

type NumberSpec = Omit<NumberField, 'default' | 'presets'>;

function numberField(spec: NumberSpec, values: PresetValues<number>): NumberField {
  return { ...spec, ...byPreset(values) };
}

/** The data fields: the text's level, the vocabulary cap, how much of each text. */
export function rnnTextFields(
  values: PresetValues<RnnCommonValues>,
  words: RnnFieldWords,
): FieldSpec[] {
  const of = <T>(pick: (v: RnnCommonValues) => T) => perPreset(values, pick);
  return [
    {
      key: 'level',
      type: 'choice',
      choices: ['word', 'char'],
      default: 'word',
      group: 'data',
      help: "tokens: words (default) or characters (one space token between words, <eos> at each line's end)",
    },
    numberField(
      {
        key: 'maxVocabulary',
        flag: 'vocabulary',
        type: 'int',
        min: 0,
        linkMax: 100_000,
        group: 'data',
        help:
          'keep the N most frequent training tokens, <eos> and <unk> included; the rest become ' +
          '<unk> (0: 3000 on the built-in corpus, 10000 words or 1000 characters on --data-dir)',
      },
      of((v) => v.maxVocabulary),
    ),
    numberField(
      {
        key: 'trainTokens',
        type: 'int',
        min: 0,
        linkMax: MAX_LINK_TOKENS,
        group: 'data',
        help: words.trainTokensHelp,
      },
      of((v) => v.trainTokens),
    ),
    numberField(
      {
        key: 'validTokens',
        type: 'int',
        min: 0,
        linkMax: MAX_LINK_TOKENS,
        group: 'data',
        help: words.validTokensHelp,
      },
      of((v) => v.validTokens),
    ),
  ];
}

/** The network's size, the segments and the run's length. */
export function rnnSizeFields(
  values: PresetValues<RnnCommonValues>,
  words: RnnFieldWords,
): NumberField[] {
  const of = (pick: (v: RnnCommonValues) => number) => perPreset(values, pick);
  const ref = (name: string) => `${words.script} ${name}`;
  return [
    numberField(
      {
        key: 'nhid',
        type: 'int',
        min: 1,
        linkMax: 2048,
        group: 'network',
        reference: ref('--emsize = --nhid = --nhidlast'),
        help: 'embedding = hidden size (--emsize; the decoder is tied to the embedding, so they are one number)',
      },
      of((v) => v.nhid),
    ),
    numberField(
      {
        key: 'batchSize',
        flag: 'batch-size',
        type: 'int',
        min: words.minBatch,
        linkMax: 1024,
        group: 'optimizer',
        reference: ref('--batch_size'),
        help: 'batch size (columns of the train text)',
      },
      of((v) => v.batchSize),
    ),
    numberField(
      {
        key: 'bptt',
        type: 'int',
        min: 1,
        linkMax: 1000,
        group: 'method',
        reference: ref('--bptt'),
        help: words.bpttHelp,
      },
      of((v) => v.bptt),
    ),
    numberField(
      {
        key: 'epochs',
        type: 'int',
        min: 1,
        linkMax: 1000,
        group: 'run',
        reference: ref('--epochs'),
        help: 'epochs',
      },
      of((v) => v.epochs),
    ),
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
}

/** SGD, clipping, weight decay, TAR, the dropouts and the seed. */
export function rnnTrainingFields(
  values: PresetValues<RnnCommonValues>,
  words: RnnFieldWords,
): NumberField[] {
  const of = (pick: (v: RnnCommonValues) => number) => perPreset(values, pick);
  const ref = (name: string) => `${words.script} ${name}`;
  return [
    numberField(
      {
        key: 'lr',
        type: 'number',
        min: 0,
        live: true,
        group: 'optimizer',
        reference: ref('--lr'),
        help: words.lrHelp,
      },
      of((v) => v.lr),
    ),
    numberField(
      {
        key: 'clip',
        type: 'number',
        min: 0,
        group: 'optimizer',
        advanced: true,
        reference: ref('--clip'),
        help: 'gradient-norm clip',
      },
      of((v) => v.clip),
    ),
    numberField(
      {
        key: 'weightDecay',
        flag: 'wdecay',
        type: 'number',
        min: 0,
        group: 'optimizer',
        advanced: true,
        reference: ref('--wdecay'),
        help: 'weight decay',
      },
      of((v) => v.weightDecay),
    ),
    numberField(
      {
        key: 'tarBeta',
        flag: 'beta',
        type: 'number',
        min: 0,
        group: 'method',
        advanced: true,
        reference: ref('--beta'),
        help: 'temporal activation regularisation (TAR) weight',
      },
      of((v) => v.tarBeta),
    ),
    ...RNN_DROPOUT_KEYS.map(([key, rate, help]) =>
      numberField(
        {
          key,
          type: 'number',
          min: 0,
          max: 1,
          group: 'network',
          advanced: true,
          reference: ref(`--${key}`),
          help: `dropout ${help}, a rate in [0, 1)`,
        },
        of((v) => v.dropout[rate]),
      ),
    ),
    numberField(
      { key: 'seed', type: 'int', group: 'run', reference: ref('--seed'), help: 'random seed' },
      of((v) => v.seed),
    ),
  ];
}

/** The dropout rates of settings, by the core's names. */
export function dropoutOf(settings: Readonly<Record<string, unknown>>): RnnCommonValues['dropout'] {
  const rate = (key: string) => settings[key] as number;
  return {
    output: rate('dropout'),
    h: rate('dropouth'),
    x: rate('dropoutx'),
    input: rate('dropouti'),
    embedding: rate('dropoute'),
  };
}

/** Cross-field problems of the shared fields: dropout rates below 1, a usable vocabulary cap. */
export function rnnCommonProblems(settings: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const key of RNN_RATE_KEYS) {
    const v = settings[key] as number;
    if (!(v < 1)) problems.push(`${key} must be a dropout rate in [0, 1), got ${v}`);
  }
  const cap = settings.maxVocabulary as number;
  if (cap === 1) {
    problems.push(
      'maxVocabulary must be 0 (the corpus default) or at least 2 (<eos> and <unk>), got 1',
    );
  }
  return problems;
}
