/**
 * The Hessian of a search's validation loss w.r.t. its alphas, as products with vectors: central
 * finite differences of the alpha gradient, H·v ≈ (∇α L(α + εv) − ∇α L(α − εv)) / 2ε, plus the
 * alphas' weight decay (R-DARTS `src/search/analyze.py` `_hessian` differentiates
 * `grad + arch_weight_decay·α`, i.e. H + wd·I). The dominant eigenvalue (`powerIteration.ts`) of
 * this matrix is R-DARTS's collapse indicator. Two alpha gradients per product, each one forward
 * and one backward pass of the supernet; the weights stay where the step left them.
 */
import * as tf from '../tensor/tf';
import type { TensorMap } from '../tensor/layer';
import type { LossAt } from '../darts/archGradient';
import { firstOrderArchGrad } from '../darts/archGradient';
import type { Alphas } from '../darts/supernet';
import type { EigenEstimate, PowerOptions } from './powerIteration';
import { largestEigenvalue } from './powerIteration';

/**
 * The step ε along a unit vector. Central differences err by O(ε²·∂³L) and by float32 round-off
 * of the gradients over 2ε: at 1e-3 both stay under 1e-4 of the fixture's eigenvalues (0.25 and
 * 100), where 1e-2 (DARTS's `r` for its weight-space product, `cnn/architect.py`) lets the third
 * derivative of the softmax show at sharp alphas.
 */
export const HVP_EPSILON = 1e-3;

/** The alphas displaced by ±ε·v, v flat over normal then reduce. */
function displaced(alphas: Alphas, v: tf.Tensor1D, step: number): Alphas {
  const n = alphas.normal.size;
  const along = (a: tf.Tensor2D, part: tf.Tensor1D) =>
    tf.add(a, tf.mul(tf.reshape(part, a.shape), step));
  return {
    normal: along(alphas.normal, tf.slice(v, [0], [n])) as tf.Tensor2D,
    reduce: along(alphas.reduce, tf.slice(v, [n], [alphas.reduce.size])) as tf.Tensor2D,
  };
}

/** v ↦ (H + wd·I)·v for the loss at `weights` and `alphas` (read back: one transfer). */
export function alphaHessianProduct(
  loss: LossAt,
  weights: TensorMap,
  alphas: Alphas,
  weightDecay: number,
  epsilon = HVP_EPSILON,
): (v: Float64Array) => Promise<Float64Array> {
  return async (v) => {
    const product = tf.tidy(() => {
      const dir = tf.tensor1d(Float32Array.from(v));
      const gradAt = (sign: 1 | -1) => {
        const r = firstOrderArchGrad(loss, weights, displaced(alphas, dir, sign * epsilon));
        return tf.concat([tf.reshape(r.grads.normal, [-1]), tf.reshape(r.grads.reduce, [-1])]);
      };
      return tf.div(tf.sub(gradAt(1), gradAt(-1)), 2 * epsilon);
    });
    const hv = Float64Array.from((await product.data()) as Float32Array);
    product.dispose();
    for (let i = 0; i < hv.length; i++) hv[i] = (hv[i] as number) + weightDecay * (v[i] as number);
    return hv;
  };
}

/** The largest eigenvalue of H + wd·I at `alphas`. */
export function alphaHessianEigenvalue(
  loss: LossAt,
  weights: TensorMap,
  alphas: Alphas,
  weightDecay: number,
  options: PowerOptions = {},
): Promise<EigenEstimate> {
  const product = alphaHessianProduct(loss, weights, alphas, weightDecay);
  return largestEigenvalue(product, alphas.normal.size + alphas.reduce.size, options);
}
