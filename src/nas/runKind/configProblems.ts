/**
 * A kind's cross-field check reuses its core configuration's validator, whose messages name a
 * setting in words ("weight learning rate must be …"): this puts the settings key in front, so
 * that the form and the command line can point at the field. No tfjs here.
 */

/** A validator's phrase and the settings key its messages concern: ['batch size', 'batchSize']. */
export type KeyPhrase = readonly [phrase: string, key: string];

/** The validator's first complaint, led by the key it concerns; none when it passes. */
export function keyedProblems(check: () => unknown, phrases: readonly KeyPhrase[]): string[] {
  try {
    check();
    return [];
  } catch (e) {
    const message = (e as Error).message;
    const key = phrases.find(([phrase]) => message.startsWith(phrase))?.[1];
    return [key ? `${key}: ${message}` : message];
  }
}

/**
 * The keys whose values differ between two configurations (compared as JSON), in `a`'s order:
 * what a checkpoint's configuration says that its settings do not.
 */
export function configDifferences<T extends object>(a: T, b: T): string[] {
  const x = a as Readonly<Record<string, unknown>>;
  const y = b as Readonly<Record<string, unknown>>;
  return Object.keys(x).filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]));
}
