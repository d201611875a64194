/**
 * Configuration of retraining a recurrent genotype (`rnn/train.py`), its presets and
 * validation. Free of tfjs. The embedding size equals `nhid` (the decoder is tied).
 */
import type { RnnDropoutRates } from '../model/rnnDropoutRates';
import { checkDropoutRates } from '../model/rnnDropoutRates';

export interface RnnRetrainConfig {
  /** Hidden (= embedding) size: DARTS's emsize = nhid = nhidlast. */
  readonly nhid: number;
  readonly batchSize: number;
  /** Batch of the per-epoch evaluation on the validation text. */
  readonly evalBatchSize: number;
  /** Batch of the evaluation on the test text (DARTS: 1). */
  readonly testBatchSize: number;
  /** Mean segment length of truncated backpropagation through time. */
  readonly bptt: number;
  /** Segments are at most bptt + maxSeqLenDelta long. */
  readonly maxSeqLenDelta: number;
  /** Probability of centring the segment length on bptt/2 instead of bptt. */
  readonly halfSegmentProbability: number;
  readonly epochs: number;
  /** SGD (then ASGD) learning rate, scaled per segment by its drawn length / bptt. */
  readonly lr: number;
  /** Global gradient-norm clip. */
  readonly clip: number;
  readonly weightDecay: number;
  /** α of the activation regularisation α·mean(dropped output²) (DARTS: 0, off). */
  readonly arAlpha: number;
  /** β of the temporal activation regularisation β·mean((h_{t+1} − h_t)²). */
  readonly tarBeta: number;
  readonly dropout: RnnDropoutRates;
  /**
   * SGD switches to averaged SGD when an epoch's validation loss is worse than the best of all
   * epochs but the last `nonmono`.
   */
  readonly nonmono: number;
  readonly seed: number;
}

/** `rnn/train.py`'s defaults (PTB). */
export const PAPER_RNN_RETRAIN_CONFIG: RnnRetrainConfig = {
  nhid: 850,
  batchSize: 64,
  evalBatchSize: 10,
  testBatchSize: 1,
  bptt: 35,
  maxSeqLenDelta: 20,
  halfSegmentProbability: 0.05,
  epochs: 8000,
  lr: 20,
  clip: 0.25,
  weightDecay: 8e-7,
  arAlpha: 0,
  tarBeta: 1e-3,
  // train.py's dropoute default is 0 (not the 0.1 sometimes quoted for it).
  dropout: { embedding: 0, input: 0.2, x: 0.75, h: 0.25, output: 0.75 },
  nonmono: 5,
  seed: 1267,
};

/**
 * A retrain the cpu and wasm backends run in a minute or two on a small corpus (~20k tokens):
 * small hidden size, batch and segments, a test batch of 10 instead of 1.
 */
export const SMALL_RNN_RETRAIN_CONFIG: RnnRetrainConfig = {
  ...PAPER_RNN_RETRAIN_CONFIG,
  nhid: 32,
  batchSize: 16,
  testBatchSize: 10,
  bptt: 20,
  maxSeqLenDelta: 10,
  epochs: 6,
  nonmono: 2,
};

function positiveInteger(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`${name} must be a positive integer, got ${v}`);
}

function nonNegative(name: string, v: number): void {
  if (!(Number.isFinite(v) && v >= 0)) throw new Error(`${name} must be ≥ 0, got ${v}`);
}

/** Throws a message naming the first invalid setting. */
export function checkRnnRetrainConfig(c: RnnRetrainConfig): void {
  for (const [name, v] of [
    ['nhid', c.nhid],
    ['batchSize', c.batchSize],
    ['evalBatchSize', c.evalBatchSize],
    ['testBatchSize', c.testBatchSize],
    ['bptt', c.bptt],
    ['epochs', c.epochs],
    // best_val_loss[:-nonmono] is empty (and min() of it fails) for nonmono = 0.
    ['nonmono', c.nonmono],
  ] as const) {
    positiveInteger(name, v);
  }
  if (!Number.isInteger(c.maxSeqLenDelta) || c.maxSeqLenDelta < 0) {
    throw new Error(`maxSeqLenDelta must be an integer ≥ 0, got ${c.maxSeqLenDelta}`);
  }
  if (!(c.halfSegmentProbability >= 0 && c.halfSegmentProbability <= 1)) {
    throw new Error(`halfSegmentProbability must be in [0, 1], got ${c.halfSegmentProbability}`);
  }
  for (const [name, v] of [
    ['lr', c.lr],
    ['clip', c.clip],
  ] as const) {
    if (!(Number.isFinite(v) && v > 0)) throw new Error(`${name} must be > 0, got ${v}`);
  }
  nonNegative('weightDecay', c.weightDecay);
  nonNegative('arAlpha', c.arAlpha);
  nonNegative('tarBeta', c.tarBeta);
  checkDropoutRates(c.dropout);
  if (!Number.isInteger(c.seed)) throw new Error(`seed must be an integer, got ${c.seed}`);
}
