/**
 * The embedding lookup `table[ids]` with a gradient that scatters dy back onto the table's rows
 * (a ScatterNd, which sums the rows of repeated ids). tfjs's own gather gradient is an
 * UnsortedSegmentSum, whose cpu kernel loops over the segments (the vocabulary) and scans every
 * element of dy for each: seconds per backward pass at 3,000 words. ScatterNd is one pass over
 * dy on cpu and wasm, and the same atomic scatter program as webgpu's UnsortedSegmentSum.
 */
import * as tf from '../../tensor/tf';

/** Rows `ids` (int32 [N]) of `table` [V, D], as [N, D]. */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const [rows, width] = table.shape;
  const lookup = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [t, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const index = tf.cast(ids, 'int32');
    // Saved, not captured: tensors made in the forward are gone by the backward pass.
    save([index]);
    return {
      value: tf.gather(t, index),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const at = saved[0] as tf.Tensor1D;
        return tf.scatterND(tf.reshape(at, [at.size, 1]), dy, [rows, width]);
      },
    };
  });
  return lookup(table) as tf.Tensor2D;
}
