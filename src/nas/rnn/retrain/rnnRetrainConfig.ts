/**
 * Configuration of retraining a recurrent genotype (`rnn/train.py`), its presets and
 * validation. Free of tfjs. The embedding size equals `nhid` (the decoder is tied).
 */
import type { RnnCommonConfig } from '../model/rnnConfigChecks';
import * as check from '../model/rnnConfigChecks';
import { checkDropoutRates } from '../model/rnnDropoutRates';

/** The retrain's learning rate is SGD's, then ASGD's once train.py switches. */
export interface RnnRetrainConfig extends RnnCommonConfig {
  /** Batch of the per-epoch evaluation on the validation text. */
  readonly evalBatchSize: number;
  /** Batch of the evaluation on the test text (DARTS: 1). */
  readonly testBatchSize: number;
  /** Segments are at most bptt + maxSeqLenDelta long. */
  readonly maxSeqLenDelta: number;
  /** Probability of centring the segment length on bptt/2 instead of bptt. */
  readonly halfSegmentProbability: number;
  /** α of the activation regularisation α·mean(dropped output²) (DARTS: 0, off). */
  readonly arAlpha: number;
  /**
   * SGD switches to averaged SGD when an epoch's validation loss is worse than the best of all
   * epochs but the last `nonmono`.
   */
  readonly nonmono: number;
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

/** Throws a message naming the first invalid setting. */
export function checkRnnRetrainConfig(c: RnnRetrainConfig): void {
  check.positiveIntegers(c, [
    'nhid',
    'batchSize',
    'evalBatchSize',
    'testBatchSize',
    'bptt',
    'epochs',
    // best_val_loss[:-nonmono] is empty (and min() of it fails) for nonmono = 0.
    'nonmono',
  ]);
  if (!Number.isInteger(c.maxSeqLenDelta) || c.maxSeqLenDelta < 0) {
    throw new Error(`maxSeqLenDelta must be an integer ≥ 0, got ${c.maxSeqLenDelta}`);
  }
  check.halfSegmentProbability(c.halfSegmentProbability);
  check.positive(c, ['lr', 'clip']);
  check.nonNegative(c, ['weightDecay', 'arAlpha', 'tarBeta']);
  checkDropoutRates(c.dropout);
  check.seed(c.seed);
}
