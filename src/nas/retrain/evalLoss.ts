/**
 * The retraining objective and drop-path schedule of DARTS's `cnn/train.py`:
 * loss = CE(logits) + auxWeight · CE(auxLogits) in training, and p_e = p · e / epochs.
 */
import * as tf from '../tensor/tf';
import type { EvalOutput } from './evalNetwork';
import { crossEntropy } from '../ops/loss';

/** `--auxiliary_weight` of `cnn/train.py`. */
export const DARTS_AUXILIARY_WEIGHT = 0.4;
/** `--drop_path_prob` of `cnn/train.py`. */
export const DARTS_DROP_PATH_PROB = 0.2;

/**
 * Mean cross-entropy of the main logits plus auxWeight times that of the auxiliary logits.
 * Without auxiliary logits (no head, or evaluation mode) it is the main term alone.
 */
export function evalTrainingLoss(
  output: EvalOutput,
  labels: tf.Tensor1D,
  auxWeight: number,
): tf.Scalar {
  if (!Number.isFinite(auxWeight) || auxWeight < 0) {
    throw new Error(`auxiliary loss weight must be a non-negative number, got ${auxWeight}`);
  }
  const main = crossEntropy(output.logits, labels);
  if (output.auxLogits === null || auxWeight === 0) return main;
  return tf.add(main, tf.mul(crossEntropy(output.auxLogits, labels), auxWeight));
}

/** Drop-path probability of 0-based epoch `epoch`: maxProb · epoch / epochs (DARTS's schedule). */
export function dropPathProbAt(epoch: number, epochs: number, maxProb: number): number {
  if (!Number.isInteger(epochs) || epochs < 1) {
    throw new Error(`epochs must be a positive integer, got ${epochs}`);
  }
  if (!Number.isInteger(epoch) || epoch < 0 || epoch >= epochs) {
    throw new Error(`epoch must be an integer from 0 to ${epochs - 1}, got ${epoch}`);
  }
  if (!Number.isFinite(maxProb) || maxProb < 0 || maxProb >= 1) {
    throw new Error(`drop path probability must be in [0, 1), got ${maxProb}`);
  }
  return (maxProb * epoch) / epochs;
}
