/**
 * Global-norm gradient clipping with PyTorch's clip_grad_norm_ semantics:
 * coef = maxNorm / (‖g‖ + 1e-6), applied when below 1. Computed on the device: no readback.
 */
import * as tf from '../tensor/tf';
import type { TensorMap } from '../tensor/layer';
import { sumAll } from '../tensor/tensorSum';

export function globalNorm(tensors: readonly tf.Tensor[]): tf.Scalar {
  return tf.sqrt(sumAll(tensors.map((t) => tf.sum(tf.square(t))))) as tf.Scalar;
}

export function clipByGlobalNorm(
  grads: TensorMap,
  maxNorm: number,
): { grads: Record<string, tf.Tensor>; norm: tf.Scalar } {
  const norm = globalNorm(Object.values(grads));
  const coef = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
  const clipped: Record<string, tf.Tensor> = {};
  for (const [name, g] of Object.entries(grads)) clipped[name] = tf.mul(g, coef);
  return { grads: clipped, norm };
}
