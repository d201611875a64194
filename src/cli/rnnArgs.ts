/**
 * Parsing of `nas-lab search --space rnn` flags into a validated recurrent search configuration
 * and its text corpus. Flag names follow DARTS's `rnn/train_search.py` (with dashes).
 */
import { parseArgs } from 'node:util';
import { BUILTIN_TEXT_OPTIONS } from '../data/builtinText';
import type { TextCorpusOptions, TextLevel } from '../data/textCorpus';
import { TEXT_LEVELS } from '../data/textCorpus';
import type { RnnDropoutRates } from '../nas/rnn/model/rnnDropout';
import type { RnnSearchConfig } from '../nas/rnn/search/rnnSearchConfig';
import {
  checkRnnSearchConfig,
  PAPER_RNN_SEARCH_CONFIG,
  SMALL_RNN_SEARCH_CONFIG,
} from '../nas/rnn/search/rnnSearchConfig';
import { nodeBackend, number, oneOf, positiveInteger } from './flagValues';
import type { NodeBackendName } from './nodeBackend';
import { refuseFlags } from './searchAlgorithm';

export interface RnnSearchCommand {
  readonly config: RnnSearchConfig;
  readonly backend: NodeBackendName;
  readonly outDir: string;
  /** A folder of PTB-style train/valid/test text; undefined: the built-in corpus. */
  readonly dataDir: string | undefined;
  readonly text: TextCorpusOptions;
  /** The first this many tokens of the train text are searched on; undefined: all. */
  readonly trainTokens: number | undefined;
  /** The first this many tokens of the validation text (alpha steps, evaluation); undefined: all. */
  readonly validTokens: number | undefined;
  /** Stop after this many search steps (the epoch in progress is not evaluated). */
  readonly maxSteps: number | undefined;
  readonly quiet: boolean;
}

/**
 * Data defaults of the small preset: an epoch of about 50 steps, a minute or two on the wasm
 * backend of a loaded two-core machine.
 */
export const SMALL_RNN_DATA = { trainTokens: 16_000, validTokens: 4_000 } as const;

/** Vocabulary caps when --vocabulary is not given. */
export const DEFAULT_VOCABULARY = {
  /** The built-in corpus at word level: its own default. */
  builtin: BUILTIN_TEXT_OPTIONS.maxVocabulary,
  /** PTB's 10,000 (its 9,998 words, <unk> and <eos>): every word of the PTB files. */
  word: 10_000,
  /** Enough for any alphabet a corpus is likely to hold. */
  char: 1000,
} as const;

export const RNN_SEARCH_USAGE = `Usage: nas-lab search --space rnn [options]

Runs a DARTS recurrent-cell search (first or second order) on a language-modelling text headless. Writes
genotype.json (the recurrent genotype, updated every step), genotype.py (DARTS's repr, a line
rnn/genotypes.py can hold) and log.jsonl (the configuration and corpus, every step with its
losses and tokens/s, every epoch with its validation perplexity). Flag names are
rnn/train_search.py's.

  --preset small|paper     starting configuration (default small): small: nhid 32, batch 16,
                           bptt 20, 5 epochs on the first 16,000 train tokens (minutes on the
                           wasm backend); paper: train_search.py's defaults (nhid 300, batch
                           256, bptt 35, 50 epochs) on the whole text
  --order 1|2              alpha gradient: 1 first order (default), 2 unrolled (train_search.py
                           --unrolled: a virtual weight step, then a finite difference)
  --emsize N | --nhid N    embedding = hidden size (the decoder is tied to the embedding, so
                           they are one number; giving both, they must agree)
  --nodes N                intermediate nodes of the cell (DARTS: 8)
  --epochs N               --batch-size N     --bptt N (segment length)
  --max-steps N            stop after N search steps (a budgeted run)
  --train-tokens N         search on the first N tokens of the train text
  --valid-tokens N         and the first N of the validation text (small preset defaults:
                           --train-tokens ${SMALL_RNN_DATA.trainTokens} --valid-tokens ${SMALL_RNN_DATA.validTokens}, an epoch in a minute or two)
  --lr X                   SGD learning rate (scaled by segment length / bptt)
  --clip X                 gradient-norm clip     --wdecay X (weight decay)
  --beta X                 temporal activation regularisation (TAR) weight
  --dropout X              on the cell's outputs      --dropouth X  on its hidden states
  --dropoutx X             on its inputs              --dropouti X  on the embeddings
  --dropoute X             of whole embedding rows (words)
  --arch-lr X              Adam learning rate of the alphas    --arch-wdecay X  their decay
  --seed N                 --backend wasm|cpu|webgpu (default wasm)
  --data-dir PATH          a folder of PTB-style text: train.txt, valid.txt, test.txt (or
                           ptb.train.txt, ptb.valid.txt, ptb.test.txt), UTF-8, one sentence a
                           line; default: the built-in corpus (Pride and Prejudice, public
                           domain; public/data/austen-pride/README.md)
  --level word|char        tokens: words (default) or characters (one space token between
                           words, <eos> at each line's end)
  --vocabulary N           keep the N most frequent training tokens, <eos> and <unk>
                           included; the rest become <unk> (default ${DEFAULT_VOCABULARY.builtin} on the built-in
                           corpus, ${DEFAULT_VOCABULARY.word} words or ${DEFAULT_VOCABULARY.char} characters on --data-dir)
  --out DIR                output folder (default out/rnn-search)
  --quiet                  no progress bar
The alphas train on the validation text, as in DARTS; the test text is read and checked but not
used by the search.
`;

const OPTIONS = {
  preset: { type: 'string' },
  order: { type: 'string' },
  emsize: { type: 'string' },
  nhid: { type: 'string' },
  nodes: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  bptt: { type: 'string' },
  'max-steps': { type: 'string' },
  'train-tokens': { type: 'string' },
  'valid-tokens': { type: 'string' },
  lr: { type: 'string' },
  clip: { type: 'string' },
  wdecay: { type: 'string' },
  beta: { type: 'string' },
  dropout: { type: 'string' },
  dropouth: { type: 'string' },
  dropoutx: { type: 'string' },
  dropouti: { type: 'string' },
  dropoute: { type: 'string' },
  'arch-lr': { type: 'string' },
  'arch-wdecay': { type: 'string' },
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

/** A dropout rate flag: a number in [0, 1). */
export function rate(flag: string, value: string | undefined): number | undefined {
  const r = number(flag, value);
  if (r !== undefined && !(r >= 0 && r < 1)) {
    throw new Error(`--${flag} expects a dropout rate in [0, 1), got "${value}"`);
  }
  return r;
}

/** --emsize and --nhid name one size (DARTS's emsize = nhid with a tied decoder). */
export function hiddenSize(values: {
  readonly emsize?: string | undefined;
  readonly nhid?: string | undefined;
}): number | undefined {
  const emsize = positiveInteger('emsize', values.emsize);
  const nhid = positiveInteger('nhid', values.nhid);
  if (emsize !== undefined && nhid !== undefined && emsize !== nhid) {
    throw new Error(
      `--emsize ${emsize} and --nhid ${nhid} differ: the decoder is tied to the embedding, so the sizes are one`,
    );
  }
  return nhid ?? emsize;
}

/** --order: DARTS's first-order or unrolled alpha gradient. */
function searchOrder(value: string | undefined): 1 | 2 | undefined {
  if (value === undefined) return undefined;
  if (value === '1' || value === '2') return value === '1' ? 1 : 2;
  throw new Error(`--order expects 1 (first order) or 2 (unrolled, second order), got "${value}"`);
}

function rnnConfig(values: Values, base: RnnSearchConfig): RnnSearchConfig {
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
  const config: RnnSearchConfig = {
    ...base,
    ...given<RnnSearchConfig>({
      order: searchOrder(values.order),
      nhid: hiddenSize(values),
      steps: positiveInteger('nodes', values.nodes),
      epochs: positiveInteger('epochs', values.epochs),
      batchSize: positiveInteger('batch-size', values['batch-size']),
      bptt: positiveInteger('bptt', values.bptt),
      lr: number('lr', values.lr),
      clip: number('clip', values.clip),
      weightDecay: number('wdecay', values.wdecay),
      tarBeta: number('beta', values.beta),
      alphaLr: number('arch-lr', values['arch-lr']),
      alphaWeightDecay: number('arch-wdecay', values['arch-wdecay']),
      seed: number('seed', values.seed),
    }),
    dropout,
  };
  checkRnnSearchConfig(config);
  return config;
}

/** Flags of the convolutional searches, and what a recurrent search takes instead. */
const CNN_FLAG_HINTS: Readonly<Record<string, string>> = {
  algorithm: "the recurrent search is DARTS's",
  dataset: 'give a text corpus with --data-dir',
  images: 'give a text corpus with --data-dir',
  'image-size': 'the recurrent search reads text',
  channels: 'use --nhid',
  layers: 'the recurrent model has one cell',
  ops: "the recurrent candidates are DARTS's five activations",
  'weight-lr': 'use --lr',
  'weight-lr-min': 'the recurrent search keeps its learning rate constant',
  'alpha-lr': 'use --arch-lr',
  'checkpoint-every': 'not yet available for --space rnn',
  resume: 'not yet available for --space rnn',
};

export function parseRnnSearchArgs(argv: readonly string[]): RnnSearchCommand | 'help' {
  refuseFlags(
    argv,
    Object.keys(CNN_FLAG_HINTS),
    (f) => `is not a flag of --space rnn (${CNN_FLAG_HINTS[f] as string})`,
  );
  const { values } = parseArgs({
    args: [...argv],
    options: OPTIONS,
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const preset = oneOf('preset', values.preset, ['small', 'paper'], 'small');
  const config = rnnConfig(
    values,
    preset === 'paper' ? PAPER_RNN_SEARCH_CONFIG : SMALL_RNN_SEARCH_CONFIG,
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
  return {
    config,
    backend: nodeBackend(values.backend),
    outDir: values.out ?? 'out/rnn-search',
    dataDir,
    text: { level, maxVocabulary: vocabulary },
    trainTokens:
      positiveInteger('train-tokens', values['train-tokens']) ??
      (small ? SMALL_RNN_DATA.trainTokens : undefined),
    validTokens:
      positiveInteger('valid-tokens', values['valid-tokens']) ??
      (small ? SMALL_RNN_DATA.validTokens : undefined),
    maxSteps: positiveInteger('max-steps', values['max-steps']),
    quiet: values.quiet ?? false,
  };
}
