/**
 * Language-modelling text corpora in the Penn Treebank layout DARTS's RNN search reads
 * (`rnn/data.py`): train, valid and test texts of one sentence a line, `<eos>` after each line,
 * a vocabulary built on the training text with a size cap, at word or character level.
 */
import type { FileSource } from './catalog';
import { checkInputSize } from './rawImages';
import { decodeUtf8Text } from './utf8Text';
import { countTokens, cappedVocabulary, vocabularyIndex } from './textVocabulary';
import { forEachToken, UNK } from './textTokens';

export type TextLevel = 'word' | 'char';
export const TEXT_LEVELS: readonly TextLevel[] = ['word', 'char'];

export interface TextFiles {
  readonly train: string;
  readonly valid: string;
  readonly test: string;
}

export interface TextCorpusOptions {
  readonly level: TextLevel;
  /** Most frequent tokens kept (including <eos> and <unk>); the rest become <unk>. */
  readonly maxVocabulary: number;
}

export interface TextCorpus {
  readonly level: TextLevel;
  /** id → token. */
  readonly vocabulary: readonly string[];
  readonly train: Int32Array;
  readonly valid: Int32Array;
  readonly test: Int32Array;
}

const SPLITS = ['train', 'valid', 'test'] as const;
type Split = (typeof SPLITS)[number];

/** The file names tried for each split, first the plain ones, then the PTB distribution's. */
const TEXT_FILE_NAMES: Readonly<Record<Split, readonly string[]>> = {
  train: ['train.txt', 'ptb.train.txt'],
  valid: ['valid.txt', 'ptb.valid.txt'],
  test: ['test.txt', 'ptb.test.txt'],
};

/** The largest text file accepted unless told otherwise (PTB's train.txt is 5 MB). */
const DEFAULT_MAX_TEXT_BYTES = 256 * 1024 * 1024;

function checkOptions(options: TextCorpusOptions): void {
  if (!TEXT_LEVELS.includes(options.level)) {
    throw new Error(`text level must be word or char, got ${String(options.level)}`);
  }
  const cap = options.maxVocabulary;
  if (!Number.isInteger(cap) || cap < 2) {
    throw new Error(
      `the vocabulary cap must be an integer of at least 2 (<eos> and <unk>), got ${cap}`,
    );
  }
}

function encode(
  text: string,
  name: string,
  level: TextLevel,
  index: ReadonlyMap<string, number>,
): Int32Array {
  const unk = index.get(UNK) as number;
  const ids: number[] = [];
  const words = forEachToken(text, level, (t) => ids.push(index.get(t) ?? unk));
  if (words === 0) {
    const what = ids.length === 0 ? 'is empty' : `has ${ids.length} lines and no words`;
    throw new Error(`${name} ${what}: each split needs at least one word`);
  }
  return Int32Array.from(ids);
}

function buildNamed(
  files: TextFiles,
  options: TextCorpusOptions,
  names: Readonly<Record<Split, string>>,
): TextCorpus {
  checkOptions(options);
  const { level, maxVocabulary } = options;
  const counts = countTokens((visit) => forEachToken(files.train, level, visit));
  const vocabulary = cappedVocabulary(counts, maxVocabulary);
  const index = vocabularyIndex(vocabulary);
  const [train, valid, test] = SPLITS.map((s) => encode(files[s], names[s], level, index)) as [
    Int32Array,
    Int32Array,
    Int32Array,
  ];
  return { level, vocabulary, train, valid, test };
}

/** Builds the vocabulary on the train text (PTB style: one sentence a line, <eos> after each). Throws a clear message on bad input. */
export function buildTextCorpus(files: TextFiles, options: TextCorpusOptions): TextCorpus {
  return buildNamed(files, options, {
    train: 'the train text',
    valid: 'the valid text',
    test: 'the test text',
  });
}

/** Reads train.txt, valid.txt, test.txt (PTB names; also ptb.train.txt etc.) from a FileSource (src/data/catalog.ts) with size limits and UTF-8 checks, then builds the corpus. */
export async function loadTextCorpus(
  source: FileSource,
  options: TextCorpusOptions,
  maxBytes = DEFAULT_MAX_TEXT_BYTES,
): Promise<TextCorpus> {
  checkOptions(options);
  const texts: Partial<Record<Split, string>> = {};
  const names: Partial<Record<Split, string>> = {};
  for (const split of SPLITS) {
    const file = await source.read(TEXT_FILE_NAMES[split]);
    checkInputSize(file.bytes.length, file.name, maxBytes);
    texts[split] = decodeUtf8Text(file.bytes, file.name);
    names[split] = file.name;
  }
  return buildNamed(texts as TextFiles, options, names as Record<Split, string>);
}
