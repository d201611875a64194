/**
 * The `rnn-search` run kind's descriptor: DARTS's recurrent-cell search (`rnn/train_search.py`,
 * first order or unrolled) on a language-modelling text. Its settings schema holds every
 * setting the command line and the lab had (train_search.py's flag names), with the presets
 * `small` (the default of the command line and the lab, chosen by measurement), `paper`
 * (train_search.py's defaults on the whole text) and `demo` (seconds per step: the specs' tiny
 * run), and how settings make the core's configuration. No tfjs: the page
 * imports it through the registry.
 */
import { BUILTIN_TEXT_OPTIONS } from '../../../data/builtinText';
import { TRAIN_TEXT_METRICS } from '../../runKind/metricPairs';
import type { RunKindInfo } from '../../runKind/runKind';
import type { Settings, SettingsSchema } from '../../runKind/settingsSchema';
import * as shared from '../run/rnnRunFields';
import type { RnnSearchConfig } from './rnnSearchConfig';
import {
  checkRnnSearchConfig,
  PAPER_RNN_SEARCH_CONFIG,
  SMALL_RNN_SEARCH_CONFIG,
} from './rnnSearchConfig';

const RNN_SEARCH_CHECKPOINT_FORMAT_ID = 'nas-lab.rnn-search-checkpoint';

/** A recurrent search's settings, as its schema types them. */
export interface RnnSearchSettings extends shared.RnnCommonSettings {
  readonly nodes: number;
  /** 1: first order; 2: unrolled. */
  readonly order: number;
  readonly alphaLr: number;
  readonly alphaWeightDecay: number;
}

/**
 * The lab's recurrent search before run kinds: DARTS's small preset scaled down to seconds per
 * step on a software GPU (hidden size 16, batch 8, segments of 10 tokens, one epoch on 4,000
 * tokens), on the built-in corpus's own vocabulary cap, with the paper's dropouts and alpha
 * learning rate (the small preset's before it was measured).
 */
const LAB_CONFIG: RnnSearchConfig = {
  ...SMALL_RNN_SEARCH_CONFIG,
  dropout: PAPER_RNN_SEARCH_CONFIG.dropout,
  alphaLr: PAPER_RNN_SEARCH_CONFIG.alphaLr,
  nhid: 16,
  bptt: 10,
  batchSize: 8,
  epochs: 1,
};

const CONFIGS: shared.PresetValues<RnnSearchConfig> = {
  small: SMALL_RNN_SEARCH_CONFIG,
  paper: PAPER_RNN_SEARCH_CONFIG,
  demo: LAB_CONFIG,
};

/**
 * Data of each preset. small: an epoch of about 50 steps, a minute or two on the wasm backend;
 * paper: the whole text; demo: the lab's 4,000 and 800 tokens.
 */
const DATA: shared.PresetValues<shared.RnnPresetData> = {
  small: { trainTokens: 16_000, validTokens: 4_000, maxVocabulary: 0 },
  paper: { trainTokens: 0, validTokens: 0, maxVocabulary: 0 },
  demo: { trainTokens: 4000, validTokens: 800, maxVocabulary: BUILTIN_TEXT_OPTIONS.maxVocabulary },
};

const WORDS: shared.RnnFieldWords = {
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

const { data, sizes, training } = shared.rnnCommonFields(CONFIGS, DATA, WORDS);

/** A field whose default per preset is its configuration's. */
const configField = (
  spec: Parameters<typeof shared.presetNumber>[0],
  pick: (c: RnnSearchConfig) => number,
) => shared.presetNumber(spec, CONFIGS, pick);

export const RNN_SEARCH_SCHEMA: SettingsSchema = {
  presets: shared.RNN_PRESETS,
  presetNotes: {
    small:
      'the default: hidden size 32 on 16,000 words, dropouts of 0.1 and a 10× alpha learning rate, so that the perplexity falls and the cell sharpens within minutes; not the paper’s recipe (choose “paper”)',
    paper: 'rnn/train_search.py’s defaults on the whole text, exact: hours without a GPU',
    demo: 'seconds per step: hidden size 16 on 4,000 words; too small to learn much',
  },
  fields: [
    ...data,
    ...sizes.slice(0, 1),
    configField(
      {
        key: 'nodes',
        type: 'int',
        min: 1,
        max: 64,
        linkMax: 16,
        group: 'network',
        reference: 'genotypes.py STEPS',
        help: 'intermediate nodes of the cell (DARTS: 8)',
      },
      (c) => c.steps,
    ),
    configField(
      {
        key: 'order',
        label: 'Alpha gradient order',
        type: 'int',
        min: 1,
        max: 2,
        group: 'method',
        reference: 'train_search.py --unrolled',
        help: 'alpha gradient: 1 first order (default), 2 unrolled (train_search.py --unrolled: a virtual weight step, then a finite difference)',
      },
      (c) => c.order,
    ),
    ...sizes.slice(1),
    ...training,
    configField(
      {
        key: 'alphaLr',
        label: 'Alpha learning rate',
        flag: 'arch-lr',
        type: 'number',
        min: 0,
        live: true,
        group: 'optimizer',
        reference: 'train_search.py --arch_lr',
        help: 'Adam learning rate of the alphas',
      },
      (c) => c.alphaLr,
    ),
    configField(
      {
        key: 'alphaWeightDecay',
        flag: 'arch-wdecay',
        type: 'number',
        min: 0,
        group: 'optimizer',
        advanced: true,
        reference: 'train_search.py --arch_wdecay',
        help: "the alphas' weight decay",
      },
      (c) => c.alphaWeightDecay,
    ),
  ],
  check: rnnSearchProblems,
};

/**
 * The core's configuration of settings (the small preset's fixed values with the settings on
 * top), and the settings a configuration holds over a base (for what it does not hold): the
 * search's own settings are the configuration's keys (`nodes` is DARTS's `steps`).
 */
export const { configOf: rnnSearchConfigOf, settingsOf: rnnSearchSettingsOf } =
  shared.rnnConfigMapping(SMALL_RNN_SEARCH_CONFIG, [
    ['nodes', 'steps'],
    'order',
    'alphaLr',
    'alphaWeightDecay',
  ]);

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
  const { batchSize, evalBatchSize } = config;
  return shared.tokenProblem(
    [
      ['trainTokens', trainTokens, 3 * batchSize],
      ['validTokens', validTokens, 2 * Math.max(batchSize, evalBatchSize)],
    ],
    `batch size ${batchSize}, evaluation batch ${evalBatchSize}`,
  );
}

/** The cross-field checks: the core's configuration rules, rates, enough tokens. */
function rnnSearchProblems(settings: Settings): string[] {
  const problems = shared.rnnCommonProblems(settings);
  const config = rnnSearchConfigOf(settings);
  try {
    checkRnnSearchConfig(config);
  } catch (e) {
    return [...problems, (e as Error).message.replace(/^steps /, 'nodes ')];
  }
  const s = settings as unknown as RnnSearchSettings;
  const tokens = rnnSearchTokenProblem(
    config,
    shared.countOrAll(s.trainTokens),
    shared.countOrAll(s.validTokens),
  );
  return tokens ? [...problems, tokens] : problems;
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
    ...TRAIN_TEXT_METRICS,
    // A step's validation figures are the alpha segment's; an epoch's, the whole text's.
    { key: 'valLoss', label: 'validation loss (alpha segment)', kind: 'loss', watch: true },
    { key: 'valPerplexity', label: 'validation perplexity (alpha segment)', kind: 'perplexity' },
    { key: 'lr', label: 'weight learning rate', kind: 'rate' },
    { key: 'alphaLr', label: 'alpha learning rate', kind: 'rate' },
    { key: 'segmentLength', label: 'segment length', kind: 'other' },
  ],
  throughputUnit: 'tokens/s',
};
