/**
 * A capped vocabulary built on the training text: `<eos>` is id 0 and `<unk>` id 1, always; the
 * other training tokens follow by count, most frequent first, ties in order of first appearance,
 * as many as the cap leaves room for. A token outside the vocabulary is encoded as `<unk>`.
 */
import { EOS, UNK } from './textTokens';

/** Counts of `tokens` in order of first appearance (a Map keeps insertion order). */
export function countTokens(
  visitAll: (visit: (token: string) => void) => void,
): Map<string, number> {
  const counts = new Map<string, number>();
  visitAll((t) => counts.set(t, (counts.get(t) ?? 0) + 1));
  return counts;
}

export function cappedVocabulary(
  counts: ReadonlyMap<string, number>,
  maxVocabulary: number,
): string[] {
  const ranked = [...counts.entries()]
    .map(([token, count], first) => ({ token, count, first }))
    .filter(({ token }) => token !== EOS && token !== UNK)
    // Array.prototype.sort is stable, but the explicit tie-break says what is meant.
    .sort((a, b) => b.count - a.count || a.first - b.first);
  return [EOS, UNK, ...ranked.slice(0, maxVocabulary - 2).map(({ token }) => token)];
}

/** token → id for `vocabulary`. */
export function vocabularyIndex(vocabulary: readonly string[]): Map<string, number> {
  return new Map(vocabulary.map((token, id) => [token, id]));
}
