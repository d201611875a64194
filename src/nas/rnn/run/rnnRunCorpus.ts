/**
 * The text corpus of a recurrent run kind, read through its host (`RunEnv.files`) so that the
 * command line (a --data-dir folder or the built-in corpus), the lab (the built-in corpus from
 * the page's origin) and tests load it the same way: the vocabulary cap a setting of 0 leaves to
 * the corpus, the first tokens of each split the settings ask for, and the summary a run reports
 * before its first step. No tfjs.
 */
import type { FileSource } from '../../../data/catalog';
import { BUILTIN_TEXT_FOLDER, BUILTIN_TEXT_OPTIONS } from '../../../data/builtinText';
import type { TextCorpus, TextLevel } from '../../../data/textCorpus';
import { loadTextCorpus } from '../../../data/textCorpus';
import type { NoteReport, RunEnv } from '../../runKind/runKind';

/** The DataRequest dataset of a recurrent kind's corpus (runKind.ts). */
export const TEXT_DATASET = 'builtin-text';

/** Where a host's text files come from, when it says: the app's own copy or a folder. */
export interface TextOrigin {
  readonly builtin: boolean;
  /** For people: `built-in austen-pride`, or the folder's path. */
  readonly name: string;
}

/** A FileSource that may say where its files are (`origin`; absent: the built-in corpus). */
export interface TextFileSource extends FileSource {
  readonly origin?: TextOrigin;
}

/** Vocabulary caps a setting of 0 leaves to the corpus (the CLI's defaults). */
export const DEFAULT_VOCABULARY = {
  /** The built-in corpus at word level: its own default. */
  builtin: BUILTIN_TEXT_OPTIONS.maxVocabulary,
  /** PTB's 10,000 (its 9,998 words, <unk> and <eos>): every word of the PTB files. */
  word: 10_000,
  /** Enough for any alphabet a corpus is likely to hold. */
  char: 1000,
} as const;

/** The cap a run uses: the setting, or where it is 0 the corpus's default. */
export function vocabularyCap(level: TextLevel, setting: number, builtin: boolean): number {
  if (setting > 0) return setting;
  if (level === 'char') return DEFAULT_VOCABULARY.char;
  return builtin ? DEFAULT_VOCABULARY.builtin : DEFAULT_VOCABULARY.word;
}

export interface RunTextCorpus {
  readonly corpus: TextCorpus;
  readonly origin: TextOrigin;
  /** The vocabulary cap applied. */
  readonly cap: number;
}

/** Reads the corpus the host provides at the settings' level and vocabulary cap. */
export async function loadRunTextCorpus(
  env: RunEnv,
  settings: { readonly level: TextLevel; readonly maxVocabulary: number },
): Promise<RunTextCorpus> {
  const source: TextFileSource = env.files({ dataset: TEXT_DATASET });
  const origin = source.origin ?? { builtin: true, name: `built-in ${BUILTIN_TEXT_FOLDER}` };
  const cap = vocabularyCap(settings.level, settings.maxVocabulary, origin.builtin);
  const corpus = await loadTextCorpus(source, { level: settings.level, maxVocabulary: cap });
  return { corpus, origin, cap };
}

/** The first `count` ids (0: all of them). */
export function firstTokens(ids: Int32Array, count: number): Int32Array {
  return count > 0 ? ids.subarray(0, count) : ids;
}

/** The fraction of `ids` that are <unk> (id 1). */
export function unknownRate(ids: Int32Array): number {
  let n = 0;
  for (const id of ids) if (id === 1) n++;
  return ids.length > 0 ? n / ids.length : 0;
}

/** What a run reports of its corpus: `detail` for the views, `text` for a log line. */
export interface CorpusDetail {
  readonly note: 'corpus';
  readonly source: string;
  readonly level: TextLevel;
  readonly vocabularySize: number;
  /** Tokens of each split in the corpus. */
  readonly corpusTokens: { readonly train: number; readonly valid: number; readonly test: number };
  /** Tokens the run uses (the first ones of each split). */
  readonly trainTokens: number;
  readonly validTokens: number;
  readonly testTokens?: number;
  readonly validUnknownRate: number;
  /** An untrained model's perplexity: about the vocabulary size (near-zero logits). */
  readonly uniformPerplexity: number;
}

/** The corpus note a run reports before its first step. */
export function corpusNote(
  loaded: RunTextCorpus,
  used: { readonly train: Int32Array; readonly valid: Int32Array; readonly test?: Int32Array },
  what: string,
): NoteReport {
  const { corpus, origin } = loaded;
  const detail: CorpusDetail = {
    note: 'corpus',
    source: origin.name,
    level: corpus.level,
    vocabularySize: corpus.vocabulary.length,
    corpusTokens: {
      train: corpus.train.length,
      valid: corpus.valid.length,
      test: corpus.test.length,
    },
    trainTokens: used.train.length,
    validTokens: used.valid.length,
    ...(used.test ? { testTokens: used.test.length } : {}),
    validUnknownRate: unknownRate(used.valid),
    uniformPerplexity: corpus.vocabulary.length,
  };
  const tokens = used.test
    ? `${used.train.length} train, ${used.valid.length} valid and ${used.test.length} test tokens`
    : `${used.train.length} train and ${used.valid.length} valid tokens`;
  return {
    type: 'note',
    text: `${what} on ${origin.name}: ${corpus.level} level, vocabulary ${corpus.vocabulary.length}, ${tokens}`,
    detail,
  };
}
