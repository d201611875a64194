/**
 * The `rnn-retrain` run kind's descriptor: training a recurrent genotype's language model from
 * scratch (`rnn/train.py`: variable segment lengths, AR/TAR, SGD then averaged SGD by the
 * non-monotone rule) on a text. Its settings schema holds every setting the command line and the
 * lab had (train.py's flag names), with the presets `small` (the CLI's default), `paper`
 * (train.py's defaults on the whole text) and `demo` (the lab's first look); the genotype is a
 * published name or a genotype file's text. No tfjs: the page imports it through the registry.
 */
import { BUILTIN_TEXT_OPTIONS } from '../../../data/builtinText';
import { MAX_GENOTYPE_TEXT_CHARS } from '../../genotype/genotypeTextLimit';
import { lossAndPerplexity, TRAIN_TEXT_METRICS } from '../../runKind/metricPairs';
import type { RunKindInfo } from '../../runKind/runKind';
import type { FieldSpec, Settings, SettingsSchema } from '../../runKind/settingsSchema';
import type { RnnGenotype } from '../genotype/rnnGenotype';
import { importRnnGenotypeText } from '../genotype/rnnGenotypeText';
import type { RnnPublishedGenotypeName } from '../genotype/rnnPublishedGenotypes';
import { RNN_PUBLISHED_GENOTYPES } from '../genotype/rnnPublishedGenotypes';
import * as shared from '../run/rnnRunFields';
import type { RnnRetrainConfig } from './rnnRetrainConfig';
import {
  checkRnnRetrainConfig,
  PAPER_RNN_RETRAIN_CONFIG,
  SMALL_RNN_RETRAIN_CONFIG,
} from './rnnRetrainConfig';

/** The format of its checkpoints (rnnRetrainCheckpointManifest.ts, which needs tfjs's side). */
const RNN_RETRAIN_CHECKPOINT_FORMAT_ID = 'nas-lab.rnn-retrain-checkpoint';

/** A recurrent retrain's settings, as its schema types them. */
export interface RnnRetrainSettings extends shared.RnnCommonSettings {
  /** A published name or a genotype file's text (JSON or DARTS's repr). */
  readonly genotype: string;
  /** 0: the whole text. */
  readonly testTokens: number;
  readonly maxSeqLenDelta: number;
  readonly evalBatchSize: number;
  readonly testBatchSize: number;
  readonly arAlpha: number;
  readonly nonmono: number;
}

/**
 * The lab's recurrent retrain before run kinds: the small preset at the lab search's sizes
 * (hidden size 16, batch 8, segments of about 10, at most 15), two epochs, ASGD allowed after one.
 */
const LAB_CONFIG: RnnRetrainConfig = {
  ...SMALL_RNN_RETRAIN_CONFIG,
  nhid: 16,
  bptt: 10,
  maxSeqLenDelta: 5,
  batchSize: 8,
  epochs: 2,
  nonmono: 1,
};

const CONFIGS: shared.PresetValues<RnnRetrainConfig> = {
  small: SMALL_RNN_RETRAIN_CONFIG,
  paper: PAPER_RNN_RETRAIN_CONFIG,
  demo: LAB_CONFIG,
};

/** Data of each preset. small: an epoch of about 60 steps; paper: the whole text; demo: 4,000. */
type RetrainData = shared.RnnPresetData & {
  readonly testTokens: number;
};

const DATA: shared.PresetValues<RetrainData> = {
  small: { trainTokens: 20_000, validTokens: 4_000, testTokens: 4_000, maxVocabulary: 0 },
  paper: { trainTokens: 0, validTokens: 0, testTokens: 0, maxVocabulary: 0 },
  demo: {
    trainTokens: 4000,
    validTokens: 800,
    testTokens: 800,
    maxVocabulary: BUILTIN_TEXT_OPTIONS.maxVocabulary,
  },
};

const WORDS: shared.RnnFieldWords = {
  script: 'train.py',
  minBatch: 1,
  bpttHelp: 'mean segment length of truncated backpropagation through time',
  lrHelp: 'SGD (then ASGD) learning rate, scaled by segment length / bptt',
  maxStepsHelp:
    'stop after N steps (a budgeted run; the epoch in progress is not evaluated); 0: no limit',
  trainTokensHelp: 'train on the first N tokens of the train text; 0: all of it',
  validTokensHelp: 'evaluate on the first N tokens of the validation text; 0: all of it',
};

const { data, sizes, training } = shared.rnnCommonFields(CONFIGS, DATA, WORDS);

/** The names `rnn/genotypes.py` gives the published genotypes, and the spellings also read. */
const RNN_GENOTYPE_LITERALS = [
  'DARTS_V1',
  'DARTS_V2',
  'ENAS',
  'DARTS',
  'RNN_DARTS_V1',
  'RNN_DARTS_V2',
  'RNN_ENAS',
] as const;

const PUBLISHED = Object.keys(RNN_PUBLISHED_GENOTYPES) as RnnPublishedGenotypeName[];

/** The published genotype `value` names (case ignored, `RNN_` prefix optional, DARTS = V2). */
export function rnnPublishedName(value: string): RnnPublishedGenotypeName | null {
  const bare = value.trim().toUpperCase().replace(/^RNN_/, '');
  if (bare === 'DARTS') return 'DARTS_V2';
  return PUBLISHED.find((name) => name === bare) ?? null;
}

export interface RnnRetrainGenotype {
  readonly genotype: RnnGenotype;
  /** The published name, the name a repr assigns, or the format. */
  readonly label: string;
  readonly source: 'published' | 'json' | 'repr';
}

/** The genotype a setting names or holds; errors say what was expected. */
export function rnnRetrainGenotypeOf(value: string): RnnRetrainGenotype {
  const name = rnnPublishedName(value);
  if (name !== null) {
    return { genotype: RNN_PUBLISHED_GENOTYPES[name], label: name, source: 'published' };
  }
  const text = value.trim();
  if (!text.startsWith('{') && !text.includes('Genotype')) {
    throw new Error(
      `genotype "${text.slice(0, 40)}" is not a published recurrent genotype (${PUBLISHED.join(', ')}) nor a genotype's JSON or repr`,
    );
  }
  const imported = importRnnGenotypeText(text);
  return {
    genotype: imported.genotype,
    label: imported.name ?? imported.format,
    source: imported.format,
  };
}

const GENOTYPE: FieldSpec = {
  key: 'genotype',
  type: 'text',
  maxLength: MAX_GENOTYPE_TEXT_CHARS,
  file: { literals: RNN_GENOTYPE_LITERALS },
  default: 'DARTS_V2',
  group: 'network',
  reference: 'train.py --arch',
  help:
    'a published recurrent genotype: DARTS_V1, DARTS_V2 (= DARTS), ENAS (RNN_DARTS_V2 etc. too); ' +
    "or a file: this project's recurrent genotype JSON or DARTS's repr " +
    '(Genotype(recurrent=[...], concat=...)), as nas-lab search --space rnn writes them',
};

/** A count of the retrain's own, its default per preset its configuration's. */
const countField = (
  key: string,
  flag: string,
  min: number,
  help: string,
  pick: (c: RnnRetrainConfig) => number,
) =>
  shared.presetNumber(
    { key, flag, type: 'int', min, group: 'optimizer', advanced: true, help },
    CONFIGS,
    pick,
  );

export const RNN_RETRAIN_SCHEMA: SettingsSchema = {
  presets: shared.RNN_PRESETS,
  labPreset: 'demo',
  presetNotes: {
    small: 'the command line’s default: hidden size 32 on 16,000 tokens, epochs of about 60 steps',
    paper: 'rnn/train.py’s defaults on the whole text, exact',
    demo: 'the lab’s first look: hidden size 16 on 4,000 tokens; seconds per step',
  },
  fields: [
    GENOTYPE,
    ...data,
    shared.tokensField(
      'testTokens',
      'test on the first N tokens of the test text; 0: all of it',
      shared.perPreset(DATA, (d) => d.testTokens),
    ),
    ...sizes,
    {
      ...countField(
        'maxSeqLenDelta',
        'max-seq-len-delta',
        0,
        'segments are at most bptt + N long',
        (c) => c.maxSeqLenDelta,
      ),
      label: 'Segment length spread',
      group: 'method',
      reference: 'train.py --max_seq_len_delta',
    },
    {
      ...countField(
        'evalBatchSize',
        'eval-batch-size',
        1,
        'batch of the validation pass',
        (c) => c.evalBatchSize,
      ),
      label: 'Evaluation batch size',
      reference: 'train.py --eval_batch_size',
    },
    {
      ...countField(
        'testBatchSize',
        'test-batch-size',
        1,
        'batch of the test pass (train.py: 1)',
        (c) => c.testBatchSize,
      ),
      reference: 'train.py --test_batch_size',
    },
    ...training,
    shared.presetNumber(
      {
        key: 'arAlpha',
        label: 'AR weight',
        flag: 'alpha',
        type: 'number',
        min: 0,
        group: 'method',
        advanced: true,
        reference: 'train.py --alpha',
        help: 'activation regularisation (AR) weight',
      },
      CONFIGS,
      (c) => c.arAlpha,
    ),
    {
      ...countField(
        'nonmono',
        'nonmono',
        1,
        'switch to ASGD when an epoch is worse than the best but the last N',
        (c) => c.nonmono,
      ),
      label: 'Non-monotone interval',
      reference: 'train.py --nonmono',
      advanced: false,
    },
  ],
  check: rnnRetrainProblems,
};

/**
 * The core's configuration of settings (the small preset's fixed values with the settings on
 * top), and the settings a configuration holds over a base (for what it does not hold): the
 * retrain's own settings are the configuration's keys.
 */
export const { configOf: rnnRetrainConfigOf, settingsOf: rnnRetrainSettingsOf } =
  shared.rnnConfigMapping(SMALL_RNN_RETRAIN_CONFIG, [
    'evalBatchSize',
    'testBatchSize',
    'maxSeqLenDelta',
    'arAlpha',
    'nonmono',
  ]);

/** What the token counts need, or null: 3 train rows, 2 rows of each evaluation batch. */
export function rnnRetrainTokenProblem(
  config: RnnRetrainConfig,
  tokens: { readonly train: number; readonly valid: number; readonly test: number },
): string | null {
  const { batchSize, evalBatchSize, testBatchSize } = config;
  return shared.tokenProblem(
    [
      ['trainTokens', tokens.train, 3 * batchSize],
      ['validTokens', tokens.valid, 2 * evalBatchSize],
      ['testTokens', tokens.test, 2 * testBatchSize],
    ],
    `batch size ${batchSize}, eval batch ${evalBatchSize}, test batch ${testBatchSize}`,
  );
}

/** The cross-field checks: the genotype, the core's configuration rules, enough tokens. */
function rnnRetrainProblems(settings: Settings): string[] {
  const problems = shared.rnnCommonProblems(settings);
  try {
    rnnRetrainGenotypeOf(settings.genotype as string);
  } catch (e) {
    problems.push(`genotype: ${(e as Error).message.replace(/^genotype /, '')}`);
  }
  if (problems.length > 0) return problems;
  const config = rnnRetrainConfigOf(settings);
  try {
    checkRnnRetrainConfig(config);
  } catch (e) {
    return [(e as Error).message];
  }
  const s = settings as unknown as RnnRetrainSettings;
  const tokens = rnnRetrainTokenProblem(config, {
    train: shared.countOrAll(s.trainTokens),
    valid: shared.countOrAll(s.validTokens),
    test: shared.countOrAll(s.testTokens),
  });
  return tokens ? [tokens] : [];
}

export const RNN_RETRAIN_INFO: RunKindInfo = {
  id: 'rnn-retrain',
  title: 'Recurrent retrain',
  summary:
    "trains a recurrent genotype's language model from scratch (rnn/train.py: SGD, then averaged SGD)",
  command: 'retrain',
  select: { space: 'rnn' },
  schema: RNN_RETRAIN_SCHEMA,
  checkpointFormat: RNN_RETRAIN_CHECKPOINT_FORMAT_ID,
  metrics: [
    ...TRAIN_TEXT_METRICS,
    { key: 'lr', label: "the step's learning rate (lr × length / bptt)", kind: 'rate' },
    { key: 'segmentLength', label: 'segment length', kind: 'other' },
    ...lossAndPerplexity('val', 'validation', false),
    ...lossAndPerplexity('test', 'test', false),
    { key: 'bestValPerplexity', label: 'best validation perplexity', kind: 'perplexity' },
  ],
  throughputUnit: 'tokens/s',
};
