/**
 * Loss and accuracy over a whole split in evaluation mode, written once for every loop that
 * evaluates a CNN on a split (the DARTS search, the retrain, CDARTS's two networks, a trained
 * model): batches in index order (the last one may be smaller), each batch's mean weighted by
 * its size on the device, one readback at the end.
 */
import * as tf from '../tensor/tf';
import { sumAll } from '../tensor/tensorSum';
import type { Batch } from './searchStep';

/** A split of images, read by batches of indices. */
export interface BatchSource {
  readonly count: number;
  batch(indices: ArrayLike<number>): Batch;
}

/** Mean loss and accuracy of one batch, as device scalars the caller disposes. */
export interface BatchEvaluation {
  readonly loss: tf.Scalar;
  readonly accuracy: tf.Scalar;
}

export async function evaluateSplit(
  split: BatchSource,
  batchSize: number,
  evaluate: (batch: Batch) => BatchEvaluation,
): Promise<{ loss: number; accuracy: number }> {
  const sums: tf.Tensor1D[] = [];
  for (let start = 0; start < split.count; start += batchSize) {
    const size = Math.min(batchSize, split.count - start);
    const batch = split.batch(Array.from({ length: size }, (_, i) => start + i));
    const r = evaluate(batch);
    sums.push(
      tf.tidy(() => tf.stack([tf.mul(r.loss, size), tf.mul(r.accuracy, size)]) as tf.Tensor1D),
    );
    tf.dispose([batch.x, batch.y, r.loss, r.accuracy]);
  }
  const total = tf.tidy(() => tf.div(sumAll(sums), split.count));
  const [loss, accuracy] = Array.from(await total.data());
  tf.dispose([total, ...sums]);
  return { loss: loss as number, accuracy: accuracy as number };
}
