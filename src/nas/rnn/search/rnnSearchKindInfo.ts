/**
 * The `rnn-search` run kind's descriptor: DARTS's recurrent-cell search (`rnn/train_search.py`,
 * first order or unrolled) on a language-modelling text. Its settings schema holds every
 * setting the command line and the lab had (train_search.py's flag names), with the presets
 * `small` (the CLI's default), `paper` (train_search.py's defaults on the whole text) and `lab`
 * (the lab's first look), and how settings make the core's configuration. No tfjs: the page
 * imports it through the registry.
 */
import { BUILTIN_TEXT_OPTIONS } from '../../../data/builtinText';
import type { RunKindInfo } from '../../runKind/runKind';
import type { Settings, SettingsSchema } from '../../runKind/settingsSchema';
import type { PresetValues, RnnCommonValues, RnnFieldWords } from '../run/rnnRunFields';
import {
  byPreset,
  dropoutOf,
  RNN_PRESETS,
  rnnCommonProblems,
  rnnSizeFields,
  rnnTextFields,
  rnnTrainingFields,
} from '../run/rnnRunFields';
import type { RnnSearchConfig } from './rnnSearchConfig';
import {
  checkRnnSearchConfig,
  PAPER_RNN_SEARCH_CONFIG,
  SMALL_RNN_SEARCH_CONFIG,
} from './rnnSearchConfig';

export const RNN_SEARCH_CHECKPOINT_FORMAT_ID = 'nas-lab.rnn-search-checkpoint';

/** A recurrent search's settings, as its schema types them. */
export interface RnnSearchSettings {
  readonly level: 'word' | 'char';
  /** 0: the corpus's default cap. */
  readonly maxVocabulary: number;
  /** 0: the whole text. */
  readonly trainTokens: number;
  readonly validTokens: number;
  readonly nhid: number;
  readonly nodes: number;
  readonly order: number;
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
  readonly alphaLr: number;
  readonly alphaWeightDecay: number;
  readonly seed: number;
}

/**
 * The lab's recurrent search before run kinds: DARTS's small preset scaled down to seconds per
 * step on a software GPU (hidden size 16, batch 8, segments of 10 tokens, one epoch on 4,000
 * tokens), on the built-in corpus's own vocabulary cap.
 */
const LAB_CONFIG: RnnSearchConfig = {
  ...SMALL_RNN_SEARCH_CONFIG,
  nhid: 16,
  bptt: 10,
  batchSize: 8,
  epochs: 1,
};

const CONFIGS: PresetValues<RnnSearchConfig> = {
  small: SMALL_RNN_SEARCH_CONFIG,
  paper: PAPER_RNN_SEARCH_CONFIG,
  lab: LAB_CONFIG,
};

/**
 * Data of each preset. small: an epoch of about 50 steps, a minute or two on the wasm backend;
 * paper: the whole text; lab: the lab's 4,000 and 800 tokens.
 */
const DATA: PresetValues<Pick<RnnCommonValues, 'trainTokens' | 'validTokens' | 'maxVocabulary'>> = {
  small: { trainTokens: 16_000, validTokens: 4_000, maxVocabulary: 0 },
  paper: { trainTokens: 0, validTokens: 0, maxVocabulary: 0 },
  lab: { trainTokens: 4000, validTokens: 800, maxVocabulary: BUILTIN_TEXT_OPTIONS.maxVocabulary },
};

const values = (p: keyof typeof CONFIGS): RnnCommonValues => ({ ...CONFIGS[p], ...DATA[p] });
const COMMON: PresetValues<RnnCommonValues> = {
  small: values('small'),
  paper: values('paper'),
  lab: values('lab'),
};

const WORDS: RnnFieldWords = {
  script: 'train_search.py',
  minBatch: 2,
  bpttHelp: 'segment length of truncated backpropagation through time',
  lrHelp: 'SGD learning rate (scaled by segment length / bptt)',
  maxStepsHelp:
    'stop after N search steps (a budgeted run; the epoch in progress is not evaluated); 0: no limit',
  trainTokensHelp: 'search on the first N tokens of the train text; 0: all of it',
  validTokensHelp:
    'and the first N of the validation text, which trains the alphas (as in DARTS); 0: all of it',
};

const perConfig = (pick: (c: RnnSearchConfig) => number) =>
  byPreset({ small: pick(CONFIGS.small), paper: pick(CONFIGS.paper), lab: pick(CONFIGS.lab) });

const sizes = rnnSizeFields(COMMON, WORDS);

export const RNN_SEARCH_SCHEMA: SettingsSchema = {
  presets: RNN_PRESETS,
  fields: [
    ...rnnTextFields(COMMON, WORDS),
    ...sizes.slice(0, 1),
    {
      key: 'nodes',
      type: 'int',
      min: 1,
      max: 64,
      linkMax: 16,
      group: 'network',
      reference: 'genotypes.py STEPS',
      help: 'intermediate nodes of the cell (DARTS: 8)',
      ...perConfig((c) => c.steps),
    },
    {
      key: 'order',
      type: 'int',
      min: 1,
      max: 2,
      group: 'method',
      reference: 'train_search.py --unrolled',
      help: 'alpha gradient: 1 first order (default), 2 unrolled (train_search.py --unrolled: a virtual weight step, then a finite difference)',
      ...perConfig((c) => c.order),
    },
    ...sizes.slice(1),
    ...rnnTrainingFields(COMMON, WORDS),
    {
      key: 'alphaLr',
      flag: 'arch-lr',
      type: 'number',
      min: 0,
      live: true,
      group: 'optimizer',
      reference: 'train_search.py --arch_lr',
      help: 'Adam learning rate of the alphas',
      ...perConfig((c) => c.alphaLr),
    },
    {
      key: 'alphaWeightDecay',
      flag: 'arch-wdecay',
      type: 'number',
      min: 0,
      group: 'optimizer',
      advanced: true,
      reference: 'train_search.py --arch_wdecay',
      help: "the alphas' weight decay",
      ...perConfig((c) => c.alphaWeightDecay),
    },
  ],
  check: rnnSearchProblems,
};

/** The core's configuration: the small preset's fixed values with the settings on top. */
export function rnnSearchConfigOf(settings: Settings): RnnSearchConfig {
  const s = settings as unknown as RnnSearchSettings;
  return {
    ...SMALL_RNN_SEARCH_CONFIG,
    nhid: s.nhid,
    steps: s.nodes,
    order: s.order as 1 | 2,
    batchSize: s.batchSize,
    bptt: s.bptt,
    epochs: s.epochs,
    lr: s.lr,
    clip: s.clip,
    weightDecay: s.weightDecay,
    tarBeta: s.tarBeta,
    dropout: dropoutOf(settings),
    alphaLr: s.alphaLr,
    alphaWeightDecay: s.alphaWeightDecay,
    seed: s.seed,
  };
}

/** The settings a configuration holds, over `base` (for the corpus settings it does not hold). */
export function rnnSearchSettingsOf(config: RnnSearchConfig, base: Settings): Settings {
  const d = config.dropout;
  return {
    ...base,
    nhid: config.nhid,
    nodes: config.steps,
    order: config.order,
    batchSize: config.batchSize,
    bptt: config.bptt,
    epochs: config.epochs,
    lr: config.lr,
    clip: config.clip,
    weightDecay: config.weightDecay,
    tarBeta: config.tarBeta,
    dropout: d.output,
    dropouth: d.h,
    dropoutx: d.x,
    dropouti: d.input,
    dropoute: d.embedding,
    alphaLr: config.alphaLr,
    alphaWeightDecay: config.alphaWeightDecay,
    seed: config.seed,
  };
}

/**
 * What the token counts need, or null: the training text at least 3 rows of `batchSize` columns
 * (a step needs a segment and its successor tokens), the validation text 2 rows of both the
 * alpha batch and the evaluation batch.
 */
export function rnnSearchTokenProblem(
  config: RnnSearchConfig,
  trainTokens: number,
  validTokens: number,
): string | null {
  const train = 3 * config.batchSize;
  const valid = 2 * Math.max(config.batchSize, config.evalBatchSize);
  const batches = `(batch size ${config.batchSize}, evaluation batch ${config.evalBatchSize})`;
  if (trainTokens < train) {
    return `trainTokens must be at least ${train}, got ${trainTokens} ${batches}`;
  }
  if (validTokens < valid) {
    return `validTokens must be at least ${valid}, got ${validTokens} ${batches}`;
  }
  return null;
}

/** The cross-field checks: the core's configuration rules, rates, enough tokens. */
function rnnSearchProblems(settings: Settings): string[] {
  const problems = rnnCommonProblems(settings);
  const config = rnnSearchConfigOf(settings);
  try {
    checkRnnSearchConfig(config);
  } catch (e) {
    problems.push((e as Error).message.replace(/^steps /, 'nodes '));
    return problems;
  }
  const s = settings as unknown as RnnSearchSettings;
  // A count of 0 takes the whole text; the run checks what it holds once it is read.
  const tokens = rnnSearchTokenProblem(
    config,
    s.trainTokens === 0 ? Infinity : s.trainTokens,
    s.validTokens === 0 ? Infinity : s.validTokens,
  );
  if (tokens) problems.push(tokens);
  return problems;
}

export const RNN_SEARCH_INFO: RunKindInfo = {
  id: 'rnn-search',
  title: 'DARTS recurrent search',
  summary:
    'DARTS recurrent-cell search (rnn/train_search.py, first or second order) on a text corpus',
  command: 'search',
  select: { space: 'rnn' },
  schema: RNN_SEARCH_SCHEMA,
  checkpointFormat: RNN_SEARCH_CHECKPOINT_FORMAT_ID,
  metrics: [
    { key: 'trainLoss', label: 'train loss', kind: 'loss', watch: true },
    { key: 'trainPerplexity', label: 'train perplexity', kind: 'perplexity' },
    {
      key: 'valLoss',
      label: 'validation loss (a step: the alpha segment; an epoch: the whole text)',
      kind: 'loss',
      watch: true,
    },
    { key: 'valPerplexity', label: 'validation perplexity', kind: 'perplexity' },
    { key: 'lr', label: 'weight learning rate', kind: 'rate' },
    { key: 'alphaLr', label: 'alpha learning rate', kind: 'rate' },
    { key: 'segmentLength', label: 'segment length', kind: 'other' },
  ],
  throughputUnit: 'tokens/s',
};
