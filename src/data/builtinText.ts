/**
 * The built-in text corpus: Jane Austen's "Pride and Prejudice" (public domain) in the PTB
 * layout, made by scripts/corpus/make_austen_corpus.py; public/data/austen-pride/README.md says
 * where it comes from and how it was processed.
 */
import type { TextCorpusOptions } from './textCorpus';

/** Folder under public/data/ that holds the built-in corpus's train.txt, valid.txt, test.txt and README.md (source, licence). */
export const BUILTIN_TEXT_FOLDER = 'austen-pride';

/**
 * Defaults for the built-in corpus: words, capped at 3,000 of its 5,882 training words (every word
 * seen 3 times or more, and some seen twice), which leaves 5% of the validation words <unk>, about
 * PTB's rate, and keeps the softmax a third of PTB's 10,000.
 */
export const BUILTIN_TEXT_OPTIONS: TextCorpusOptions = { level: 'word', maxVocabulary: 3000 };
