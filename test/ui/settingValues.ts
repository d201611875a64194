/**
 * Random valid values of a settings field, within what a link may set (`linkMax`), for the URL
 * codec's round-trip and fuzz tests over every registered kind: seeded, so a failure replays.
 */
import type { Rng } from '../../src/nas/tensor/random';
import type { FieldSpec, SettingValue } from '../../src/nas/runKind/settingsSchema';
import { fieldProblem, sameValue } from '../../src/nas/runKind/settingsSchema';

const LETTERS = 'abcdefghijklmnopqrstuvwxyzé_-0123456789 ';

function word(rng: Rng, length: number): string {
  return Array.from({ length }, () => LETTERS[rng.int(LETTERS.length)] as string).join('');
}

/** A random value `fieldProblem` accepts and a link may carry. */
export function randomValue(field: FieldSpec, rng: Rng): SettingValue {
  switch (field.type) {
    case 'int': {
      const lo = field.min ?? -1000;
      const hi = Math.min(field.linkMax ?? field.max ?? lo + 1000, lo + 1_000_000);
      return lo + rng.int(hi - lo + 1);
    }
    case 'number': {
      const lo = field.min ?? -10;
      const hi = field.linkMax ?? field.max ?? lo + 10;
      return rng.uniform(lo, hi);
    }
    case 'choice':
      return field.choices[rng.int(field.choices.length)] as string;
    case 'boolean':
      return rng.next() < 0.5;
    case 'text':
      return word(rng, 1 + rng.int(Math.min(field.maxLength, 30)));
    case 'list': {
      const pool =
        field.choices ?? Array.from({ length: 6 }, (_, i) => `${word(rng, 3).trim()}${i}`);
      const min = Math.max(field.minItems ?? 1, 1);
      const count = min + rng.int(pool.length - min + 1);
      return [...rng.permutation(pool.length)].slice(0, count).map((k) => pool[k] as string);
    }
  }
}

/** A valid value other than `current` (the field's only value when it has one). */
export function changedValue(field: FieldSpec, current: SettingValue, rng: Rng): SettingValue {
  for (let i = 0; i < 200; i++) {
    const value = randomValue(field, rng);
    if (!sameValue(value, current) && fieldProblem(field, value) === null) return value;
  }
  throw new Error(`no other valid value of ${field.key} than ${String(current)}`);
}
