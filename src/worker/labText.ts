/**
 * The recurrent search's corpus in the lab: the built-in text (src/data/builtinText.ts), served by
 * the page's own origin next to the embedded images, read through the text-corpus contract.
 */
import type { FileSource } from '../data/catalog';
import { BUILTIN_TEXT_FOLDER } from '../data/builtinText';
import { loadTextCorpus } from '../data/textCorpus';
import type { TextCorpusLoader } from './rnnSearchJob';

/**
 * The URL of the built-in text folder, next to the embedded images' folder the page sends
 * (…/data/fashion-mnist/ → …/data/<BUILTIN_TEXT_FOLDER>/), so the page needs no second URL.
 */
export function builtinTextUrl(imageDataUrl: string): string {
  return new URL(`../${BUILTIN_TEXT_FOLDER}/`, imageDataUrl).href;
}

/** A loader of the built-in corpus from `source`, at the level and vocabulary cap asked for. */
export function builtinTextLoader(source: () => FileSource): TextCorpusLoader {
  return async (settings) => {
    const corpus = await loadTextCorpus(source(), {
      level: settings.level,
      maxVocabulary: settings.maxVocabulary,
    });
    return {
      level: corpus.level,
      vocabularySize: corpus.vocabulary.length,
      train: corpus.train,
      valid: corpus.valid,
    };
  };
}
