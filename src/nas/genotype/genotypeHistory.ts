/**
 * The genotype history of a search: the steps at which the derived genotype changed, with the
 * genotype from then on, so that a resumed search can restore the UI's timeline.
 */
import type { Genotype } from './genotype';
import { genotypesEqual } from './genotype';

export interface GenotypeChange {
  /** Steps taken when this genotype was derived (0: from the initial alphas). */
  readonly step: number;
  readonly genotype: Genotype;
}

/** Oldest first; steps strictly increase, and no entry equals the one before it. */
export type GenotypeHistory = readonly GenotypeChange[];

/** Appends `genotype` at `step` unless it equals the last entry's genotype. */
export function recordGenotype(history: GenotypeChange[], step: number, genotype: Genotype): void {
  const last = history.at(-1);
  if (last && genotypesEqual(last.genotype, genotype)) return;
  if (last && step <= last.step) {
    throw new Error(`genotype history: step ${step} does not follow step ${last.step}`);
  }
  history.push({ step, genotype });
}
