/** The text corpus of a recurrent search in Node: a --data-dir folder or the built-in corpus. */
import { fileURLToPath } from 'node:url';
import { BUILTIN_TEXT_FOLDER } from '../data/builtinText';
import type { TextCorpus, TextCorpusOptions } from '../data/textCorpus';
import { loadTextCorpus } from '../data/textCorpus';
import { folderSource } from './folderSource';

/** Where the built-in corpus lives in this repository (and in the built app). */
export const BUILTIN_TEXT_DIR = fileURLToPath(
  new URL(`../../public/data/${BUILTIN_TEXT_FOLDER}/`, import.meta.url),
);

export interface CliTextCorpus {
  readonly corpus: TextCorpus;
  /** What the log and the terminal call it. */
  readonly source: string;
}

export async function loadCliTextCorpus(
  dataDir: string | undefined,
  options: TextCorpusOptions,
): Promise<CliTextCorpus> {
  const dir = dataDir ?? BUILTIN_TEXT_DIR;
  const corpus = await loadTextCorpus(folderSource(dir), options);
  return { corpus, source: dataDir ?? `built-in ${BUILTIN_TEXT_FOLDER}` };
}

/** The fraction of `ids` that are <unk> (id 1). */
export function unknownRate(ids: Int32Array): number {
  let n = 0;
  for (const id of ids) if (id === 1) n++;
  return ids.length > 0 ? n / ids.length : 0;
}

/** The first `trainTokens` and `validTokens` ids of the train and validation splits. */
export function searchTokens(
  corpus: TextCorpus,
  trainTokens: number | undefined,
  validTokens: number | undefined,
): { readonly train: Int32Array; readonly valid: Int32Array } {
  return {
    train: corpus.train.subarray(0, trainTokens ?? corpus.train.length),
    valid: corpus.valid.subarray(0, validTokens ?? corpus.valid.length),
  };
}
