/**
 * One-hot float32 rows of any depth; indices outside [0, depth) give a row of zeros. tf.oneHot
 * refuses a depth below 2 (a 1×1 window), and the wasm backend's OneHot ignores the float32
 * dtype (it writes the integer bit patterns: 1 reads as 1.4e−45), so the rows are made as
 * int32 and cast.
 */
import * as tf from '../../tensor/tf';

export function oneHotRows(indices: tf.Tensor, depth: number): tf.Tensor {
  const ids = tf.cast(indices, 'int32');
  if (depth >= 2) return tf.cast(tf.oneHot(ids, depth), 'float32');
  const rank = indices.shape.length;
  return tf.cast(tf.equal(tf.expandDims(ids, rank), tf.zeros([depth], 'int32')), 'float32');
}
