/**
 * max |α| over the alpha tensors, as a device scalar that a loop packs into its step's one
 * readback: the host watches it for exploding alphas without reading the alphas themselves.
 */
import * as tf from '../tensor/tf';

export function alphaMaxAbs(...alphas: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.max(tf.stack(alphas.map((a) => tf.max(tf.abs(a))))) as tf.Scalar);
}
