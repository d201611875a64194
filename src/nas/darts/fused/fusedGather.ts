/**
 * A gather that reads each source element at most once, with a gradient that is one gather
 * too. The fused cell assembles filters and mixing matrices this way: every weight tap and
 * every softmax entry lands in exactly one place (or none), every other place is zero. tfjs's
 * own gather gradient is an unsorted segment sum, whose cpu kernel takes time proportional to
 * elements × segments (seconds for one cell's filters); here the gradient reads dy back at
 * each source element's one position.
 */
import * as tf from '../../tensor/tf';

/**
 * Where each of `size` source elements is read by `indices` (an index of `size` reads zero),
 * or `indices.length` if never.
 */
export function inverseIndices(indices: Int32Array, size: number): Int32Array {
  const inverse = new Int32Array(size).fill(indices.length);
  indices.forEach((source, position) => {
    if (source === size) return;
    if (!(source >= 0 && source < size)) {
      throw new Error(`gather index ${source} outside a source of ${size} elements`);
    }
    if (inverse[source] !== indices.length) {
      throw new Error(`source element ${source} is read twice; gatherOnce needs distinct reads`);
    }
    inverse[source] = position;
  });
  return inverse;
}

/**
 * `[...source, 0][indices]` for a flat source read at most once per element; `inverse` is
 * `inverseIndices(indices, source.size)` (it depends on the layout only, so callers compute it
 * once).
 */
export function gatherOnce(
  source: tf.Tensor1D,
  indices: Int32Array,
  inverse: Int32Array,
): tf.Tensor1D {
  if (inverse.length !== source.size) {
    throw new Error(`gatherOnce: inverse map of ${inverse.length} for ${source.size} elements`);
  }
  const forward = tf.tensor1d(indices, 'int32');
  const backward = tf.tensor1d(inverse, 'int32');
  const withZero = (t: tf.Tensor): tf.Tensor => tf.concat([t, tf.zeros([1])]);
  const gather = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    // Saved, not captured: the forward's intermediate tensors are gone by the backward pass.
    save([backward]);
    return {
      value: tf.gather(withZero(x), forward),
      // Elements never read point past dy's end, at the appended zero.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.gather(withZero(dy), saved[0] as tf.Tensor),
    };
  });
  return gather(source) as tf.Tensor1D;
}
