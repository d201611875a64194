/**
 * A DARTS mixed op: Σ_k softmax(α_edge)_k · op_k(x). The `none` candidate contributes exactly
 * zero and is skipped; its α column still takes part in the softmax.
 */
import * as tf from '../tensor/tf';
import type { ForwardContext, Layer, TensorMap } from '../tensor/layer';
import { isZeroLayer } from './operations';
import { sumAll } from '../tensor/tensorSum';

export interface MixedOp {
  readonly candidates: readonly Layer[];
  readonly params: Layer['params'];
  readonly buffers: Layer['buffers'];
  /**
   * `opWeights[k]` is the scalar weight of candidate k. Candidates with `skip[k]` true are not
   * run at all (CDARTS's cut choices: their weight is exactly zero).
   */
  apply(
    x: tf.Tensor4D,
    opWeights: readonly tf.Scalar[],
    weights: TensorMap,
    ctx: ForwardContext,
    skip?: readonly boolean[],
  ): tf.Tensor4D | null;
}

export function mixedOp(candidates: readonly Layer[]): MixedOp {
  return {
    candidates,
    params: candidates.flatMap((c) => c.params),
    buffers: candidates.flatMap((c) => c.buffers),
    apply(x, opWeights, weights, ctx, skip) {
      const terms: tf.Tensor4D[] = [];
      candidates.forEach((op, k) => {
        if (isZeroLayer(op) || skip?.[k] === true) return;
        const w = opWeights[k];
        if (w === undefined) throw new Error(`mixed op has no weight for candidate ${k}`);
        terms.push(tf.mul(op.apply(x, weights, ctx), w));
      });
      // An edge whose only candidate is `none` contributes nothing.
      return terms.length === 0 ? null : sumAll(terms);
    },
  };
}
