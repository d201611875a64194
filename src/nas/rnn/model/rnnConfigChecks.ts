/**
 * What both recurrent scripts' configurations hold alike (`rnn/train_search.py`, `rnn/train.py`):
 * sizes, SGD, regularisation, dropouts and seed; and the checks of their numbers each
 * configuration's validation makes, in its own order (each throws a message naming the
 * setting; the configurations import them as `check`). Free of tfjs.
 */
import type { RnnDropoutRates } from './rnnDropoutRates';

export interface RnnCommonConfig {
  /** Hidden (= embedding) size: DARTS's emsize = nhid = nhidlast. */
  readonly nhid: number;
  readonly batchSize: number;
  /** (Mean) segment length of truncated backpropagation through time. */
  readonly bptt: number;
  readonly epochs: number;
  /** SGD learning rate, scaled per segment by its length / bptt. No momentum. */
  readonly lr: number;
  /** Global gradient-norm clip of the weight step. */
  readonly clip: number;
  readonly weightDecay: number;
  /** β of the temporal activation regularisation β·mean((h_{t+1} − h_t)²). */
  readonly tarBeta: number;
  readonly dropout: RnnDropoutRates;
  readonly seed: number;
}

/** The keys of `C` whose values are numbers. */
type NumberKey<C> = { [K in keyof C]: C[K] extends number ? K : never }[keyof C] & string;

/** Throws at the first of `keys` whose value is not an integer ≥ 1. */
export function positiveIntegers<C>(c: C, keys: readonly NumberKey<C>[]): void {
  for (const key of keys) {
    const v = c[key] as number;
    if (!Number.isInteger(v) || v < 1)
      throw new Error(`${key} must be a positive integer, got ${v}`);
  }
}

/** Throws at the first of `keys` whose value is not a finite number > 0 (rates, the clip). */
export function positive<C>(c: C, keys: readonly NumberKey<C>[]): void {
  for (const key of keys) {
    const v = c[key] as number;
    if (!(Number.isFinite(v) && v > 0)) throw new Error(`${key} must be > 0, got ${v}`);
  }
}

/** Throws at the first of `keys` whose value is not a finite number ≥ 0 (decays, regularisers). */
export function nonNegative<C>(c: C, keys: readonly NumberKey<C>[]): void {
  for (const key of keys) {
    const v = c[key] as number;
    if (!(Number.isFinite(v) && v >= 0)) throw new Error(`${key} must be ≥ 0, got ${v}`);
  }
}

/** The probability of a half-length segment, in [0, 1]. */
export function halfSegmentProbability(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new Error(`halfSegmentProbability must be in [0, 1], got ${p}`);
}

export function seed(value: number): void {
  if (!Number.isInteger(value)) throw new Error(`seed must be an integer, got ${value}`);
}
