/**
 * Parsing of `nas-lab retrain --space rnn` flags into a validated recurrent retrain configuration
 * (`rnn/train.py`) and its text corpus. Flag names follow train.py's (with dashes).
 */
import { parseArgs } from 'node:util';
import type { TextCorpusOptions, TextLevel } from '../data/textCorpus';
import { TEXT_LEVELS } from '../data/textCorpus';
import type { RnnDropoutRates } from '../nas/rnn/model/rnnDropout';
import type { RnnRetrainConfig } from '../nas/rnn/retrain/rnnRetrainConfig';
import {
  checkRnnRetrainConfig,
  PAPER_RNN_RETRAIN_CONFIG,
  SMALL_RNN_RETRAIN_CONFIG,
} from '../nas/rnn/retrain/rnnRetrainConfig';
import { nodeBackend, number, oneOf, positiveInteger } from './flagValues';
import type { NodeBackendName } from './nodeBackend';
import { DEFAULT_VOCABULARY, hiddenSize, rate } from './rnnArgs';
import { refuseFlags } from './searchAlgorithm';

export interface RnnRetrainCommand {
  /** `--genotype`: a published name or a file (resolved by rnnGenotypeArg.ts). */
  readonly genotype: string;
  readonly config: RnnRetrainConfig;
  readonly backend: NodeBackendName;
  readonly outDir: string;
  /** A folder of PTB-style train/valid/test text; undefined: the built-in corpus. */
  readonly dataDir: string | undefined;
  readonly text: TextCorpusOptions;
  /** The first this many tokens of each split; undefined: all of it. */
  readonly trainTokens: number | undefined;
  readonly validTokens: number | undefined;
  readonly testTokens: number | undefined;
  /** Stop after this many steps (the epoch in progress is not evaluated). */
  readonly maxSteps: number | undefined;
  readonly quiet: boolean;
}

/**
 * Data of the small preset: an epoch of about 60 steps (20,000 tokens in 16 columns, segments
 * of about 20), validation and test texts of 4,000 tokens each.
 */
export const SMALL_RNN_RETRAIN_DATA = {
  trainTokens: 20_000,
  validTokens: 4_000,
  testTokens: 4_000,
} as const;

export const RNN_RETRAIN_USAGE = `Usage: nas-lab retrain --space rnn --genotype FILE|NAME [options]

Trains the language model of a recurrent genotype from scratch (DARTS rnn/train.py: variable
segment lengths, AR/TAR, SGD then averaged SGD by the non-monotone rule) and writes
genotype.json and log.jsonl (the configuration and corpus, every step with its loss, perplexity
and tokens/s, every epoch with its validation and test perplexity); prints the test perplexity
of the best epoch (train.py's final report) at the end. Flag names are rnn/train.py's.

  --genotype FILE|NAME     a published recurrent genotype: DARTS_V1, DARTS_V2 (= DARTS), ENAS
                           (RNN_DARTS_V2 etc. too); or a file: this project's recurrent genotype
                           JSON or DARTS's repr (Genotype(recurrent=[...], concat=...)), as
                           nas-lab search --space rnn writes them
  --preset small|paper     small (default): nhid 32, batch 16, bptt 20, 6 epochs, non-mono 2,
                           test batch 10, on the first ${SMALL_RNN_RETRAIN_DATA.trainTokens} train, ${SMALL_RNN_RETRAIN_DATA.validTokens} valid and
                           ${SMALL_RNN_RETRAIN_DATA.testTokens} test tokens (minutes on the wasm backend); paper:
                           train.py's defaults (nhid 850, batch 64, bptt 35, 8000 epochs, test
                           batch 1) on the whole text
  --emsize N | --nhid N    embedding = hidden size (tied decoder: one number)
  --epochs N               --batch-size N     --bptt N (mean segment length)
  --max-seq-len-delta N    segments are at most bptt + N long
  --max-steps N            stop after N steps (a budgeted run)
  --train-tokens N         --valid-tokens N   --test-tokens N: the first N tokens of each text
  --lr X                   SGD (then ASGD) learning rate, scaled by segment length / bptt
  --clip X                 gradient-norm clip     --wdecay X (weight decay)
  --alpha X                activation regularisation (AR)   --beta X  temporal (TAR)
  --dropout X              on the cell's outputs      --dropouth X  on its hidden states
  --dropoutx X             on its inputs              --dropouti X  on the embeddings
  --dropoute X             of whole embedding rows (words)
  --nonmono N              switch to ASGD when an epoch is worse than the best but the last N
  --eval-batch-size N      --test-batch-size N
  --seed N                 --backend wasm|cpu|webgpu (default wasm)
  --data-dir PATH          a folder of PTB-style text (train.txt, valid.txt, test.txt or
                           ptb.*.txt); default: the built-in corpus (Pride and Prejudice)
  --level word|char        tokens: words (default) or characters
  --vocabulary N           keep the N most frequent training tokens, <eos> and <unk> included
                           (default ${DEFAULT_VOCABULARY.builtin} on the built-in corpus, ${DEFAULT_VOCABULARY.word} words or ${DEFAULT_VOCABULARY.char}
                           characters on --data-dir)
  --out DIR                output folder (default out/rnn-retrain)
  --quiet                  no progress bar
The trained weights are not written: the project has no recurrent model file format yet.
`;

const OPTIONS = {
  genotype: { type: 'string' },
  preset: { type: 'string' },
  emsize: { type: 'string' },
  nhid: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  'eval-batch-size': { type: 'string' },
  'test-batch-size': { type: 'string' },
  bptt: { type: 'string' },
  'max-seq-len-delta': { type: 'string' },
  'max-steps': { type: 'string' },
  'train-tokens': { type: 'string' },
  'valid-tokens': { type: 'string' },
  'test-tokens': { type: 'string' },
  lr: { type: 'string' },
  clip: { type: 'string' },
  wdecay: { type: 'string' },
  alpha: { type: 'string' },
  beta: { type: 'string' },
  dropout: { type: 'string' },
  dropouth: { type: 'string' },
  dropoutx: { type: 'string' },
  dropouti: { type: 'string' },
  dropoute: { type: 'string' },
  nonmono: { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  'data-dir': { type: 'string' },
  level: { type: 'string' },
  vocabulary: { type: 'string' },
  out: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

/** Only the given entries: what a flag does not set keeps the preset's value. */
function given<T extends object>(entries: { [K in keyof T]?: number | undefined }): Partial<T> {
  return Object.fromEntries(
    Object.entries(entries).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

function nonNegativeInteger(flag: string, value: string | undefined): number | undefined {
  const n = number(flag, value);
  if (n !== undefined && !(Number.isInteger(n) && n >= 0)) {
    throw new Error(`--${flag} expects an integer ≥ 0, got "${value}"`);
  }
  return n;
}

function retrainConfig(values: Values, base: RnnRetrainConfig): RnnRetrainConfig {
  const dropout: RnnDropoutRates = {
    ...base.dropout,
    ...given<RnnDropoutRates>({
      output: rate('dropout', values.dropout),
      h: rate('dropouth', values.dropouth),
      x: rate('dropoutx', values.dropoutx),
      input: rate('dropouti', values.dropouti),
      embedding: rate('dropoute', values.dropoute),
    }),
  };
  const config: RnnRetrainConfig = {
    ...base,
    ...given<RnnRetrainConfig>({
      nhid: hiddenSize(values),
      epochs: positiveInteger('epochs', values.epochs),
      batchSize: positiveInteger('batch-size', values['batch-size']),
      evalBatchSize: positiveInteger('eval-batch-size', values['eval-batch-size']),
      testBatchSize: positiveInteger('test-batch-size', values['test-batch-size']),
      bptt: positiveInteger('bptt', values.bptt),
      maxSeqLenDelta: nonNegativeInteger('max-seq-len-delta', values['max-seq-len-delta']),
      lr: number('lr', values.lr),
      clip: number('clip', values.clip),
      weightDecay: number('wdecay', values.wdecay),
      arAlpha: number('alpha', values.alpha),
      tarBeta: number('beta', values.beta),
      nonmono: positiveInteger('nonmono', values.nonmono),
      seed: number('seed', values.seed),
    }),
    dropout,
  };
  checkRnnRetrainConfig(config);
  return config;
}

/** Flags of the convolutional retrain, and what a recurrent retrain takes instead. */
const CNN_FLAG_HINTS: Readonly<Record<string, string>> = {
  dataset: 'give a text corpus with --data-dir',
  images: 'use --train-tokens',
  'test-images': 'use --test-tokens',
  'image-size': 'the recurrent retrain reads text',
  channels: 'use --nhid',
  layers: 'the recurrent model has one cell',
  'lr-min': 'the recurrent retrain keeps its learning rate constant (SGD, then ASGD)',
  auxiliary: 'the recurrent model has no auxiliary head',
  'no-auxiliary': 'the recurrent model has no auxiliary head',
  'auxiliary-weight': 'the recurrent model has no auxiliary head',
  cutout: 'the recurrent retrain reads text',
  'drop-path': 'use --dropout, --dropouth, --dropoutx, --dropouti, --dropoute',
};

export function parseRnnRetrainArgs(argv: readonly string[]): RnnRetrainCommand | 'help' {
  refuseFlags(
    argv,
    Object.keys(CNN_FLAG_HINTS),
    (f) => `is not a flag of retrain --space rnn (${CNN_FLAG_HINTS[f] as string})`,
  );
  const { values } = parseArgs({
    args: [...argv],
    options: OPTIONS,
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  if (values.genotype === undefined || values.genotype === '') {
    throw new Error(
      'retrain --space rnn needs --genotype FILE|NAME (nas-lab retrain --space rnn --help)',
    );
  }
  const preset = oneOf('preset', values.preset, ['small', 'paper'], 'small');
  const config = retrainConfig(
    values,
    preset === 'paper' ? PAPER_RNN_RETRAIN_CONFIG : SMALL_RNN_RETRAIN_CONFIG,
  );
  const level = oneOf<TextLevel>('level', values.level, TEXT_LEVELS, 'word');
  const dataDir = values['data-dir'];
  const defaultCap =
    level === 'char'
      ? DEFAULT_VOCABULARY.char
      : dataDir === undefined
        ? DEFAULT_VOCABULARY.builtin
        : DEFAULT_VOCABULARY.word;
  const vocabulary = positiveInteger('vocabulary', values.vocabulary) ?? defaultCap;
  if (vocabulary < 2) {
    throw new Error(`--vocabulary must be at least 2 (<eos> and <unk>), got ${vocabulary}`);
  }
  const small = preset === 'small';
  const tokens = (flag: 'train-tokens' | 'valid-tokens' | 'test-tokens', preset: number) =>
    positiveInteger(flag, values[flag]) ?? (small ? preset : undefined);
  return {
    genotype: values.genotype,
    config,
    backend: nodeBackend(values.backend),
    outDir: values.out ?? 'out/rnn-retrain',
    dataDir,
    text: { level, maxVocabulary: vocabulary },
    trainTokens: tokens('train-tokens', SMALL_RNN_RETRAIN_DATA.trainTokens),
    validTokens: tokens('valid-tokens', SMALL_RNN_RETRAIN_DATA.validTokens),
    testTokens: tokens('test-tokens', SMALL_RNN_RETRAIN_DATA.testTokens),
    maxSteps: positiveInteger('max-steps', values['max-steps']),
    quiet: values.quiet ?? false,
  };
}
