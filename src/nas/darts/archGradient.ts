/**
 * The DARTS architecture gradient (`cnn/architect.py`), first order and second order
 * (unrolled), as pure functions of the weights, alphas and batches.
 *
 * Second order follows the official code, not NNI (whose virtual step is a no-op):
 *   g  = ∇_w L_trn(w, α)
 *   w' = w − η·(μ·buf + g + λ·w)                       (the next SGD step, unclipped)
 *   dα = ∇_α L_val(w', α),  v = ∇_w' L_val(w', α)
 *   ε  = 0.01 / ‖v‖,  w± = w ± ε·v
 *   ∇α = dα − η·(∇_α L_trn(w⁺, α) − ∇_α L_trn(w⁻, α)) / (2ε)
 * Everything stays on the device; nothing is read back.
 */
import * as tf from '../tensor/tf';
import type { TensorMap } from '../tensor/layer';
import type { Alphas } from './supernet';
import { globalNorm } from '../optim/clipGradNorm';
import { pick, zipMap } from '../tensor/tensorMaps';

/** A loss of the network at explicit weights and alphas on a fixed batch. */
export type LossAt = (weights: TensorMap, alphas: Alphas) => tf.Scalar;

export interface AlphaGrads {
  readonly normal: tf.Tensor2D;
  readonly reduce: tf.Tensor2D;
}

export interface ArchGradResult {
  readonly grads: AlphaGrads;
  /** The loss the alpha objective was evaluated at (L_val(w) or L_val(w')). */
  readonly loss: tf.Scalar;
}

function alphaGradsOf(loss: LossAt, weights: TensorMap, alphas: Alphas): ArchGradResult {
  const { value, grads } = tf.valueAndGrads((normal: tf.Tensor, reduce: tf.Tensor) =>
    loss(weights, { normal: normal as tf.Tensor2D, reduce: reduce as tf.Tensor2D }),
  )([alphas.normal, alphas.reduce]);
  return {
    grads: { normal: grads[0] as tf.Tensor2D, reduce: grads[1] as tf.Tensor2D },
    loss: value as tf.Scalar,
  };
}

/** ∇_α L_val(w, α). */
export function firstOrderArchGrad(
  lossVal: LossAt,
  weights: TensorMap,
  alphas: Alphas,
): ArchGradResult {
  return alphaGradsOf(lossVal, weights, alphas);
}

export interface UnrolledInputs {
  readonly lossTrain: LossAt;
  readonly lossVal: LossAt;
  readonly weights: TensorMap;
  /** Names of the trainable weights (the ones the virtual step moves). */
  readonly weightNames: readonly string[];
  readonly alphas: Alphas;
  /** SGD momentum buffers by weight name; absent on the first iteration (treated as zero). */
  readonly momentumBuffers?: TensorMap;
  /** Weight learning rate η of the current epoch. */
  readonly lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
}

export interface UnrolledResult extends ArchGradResult {
  readonly epsilon: tf.Scalar;
}

/** Weights with `names` replaced by `values`. */
function withWeights(
  base: TensorMap,
  names: readonly string[],
  values: readonly tf.Tensor[],
): TensorMap {
  return { ...base, ...zipMap(names, values) };
}

export function unrolledArchGrad(inp: UnrolledInputs): UnrolledResult {
  const {
    lossTrain,
    lossVal,
    weights,
    weightNames: names,
    alphas,
    lr,
    momentum,
    weightDecay,
  } = inp;
  const w = pick(weights, names);

  // 1. Virtual step w' = w − η(μ·buf + g + λw).
  const g = tf.grads((...ws: tf.Tensor[]) => lossTrain(withWeights(weights, names, ws), alphas))(w);
  const wPrime = w.map((wi, i) => {
    let d = tf.add(g[i] as tf.Tensor, tf.mul(wi, weightDecay));
    const buf = inp.momentumBuffers?.[names[i] as string];
    if (buf) d = tf.add(d, tf.mul(buf, momentum));
    return tf.sub(wi, tf.mul(d, lr));
  });

  // 2. dα and v from one backward pass of L_val(w', α).
  const { value, grads } = tf.valueAndGrads(
    (normal: tf.Tensor, reduce: tf.Tensor, ...ws: tf.Tensor[]) =>
      lossVal(withWeights(weights, names, ws), {
        normal: normal as tf.Tensor2D,
        reduce: reduce as tf.Tensor2D,
      }),
  )([alphas.normal, alphas.reduce, ...wPrime]);
  const dNormal = grads[0] as tf.Tensor2D;
  const dReduce = grads[1] as tf.Tensor2D;
  const v = grads.slice(2);

  // 3. Finite-difference Hessian-vector product at w ± εv on the same train batch.
  const epsilon = tf.div(0.01, globalNorm(v));
  const shifted = (sign: 1 | -1): TensorMap =>
    withWeights(
      weights,
      names,
      w.map((wi, i) => tf.add(wi, tf.mul(tf.mul(v[i] as tf.Tensor, epsilon), sign))),
    );
  const plus = alphaGradsOf(lossTrain, shifted(1), alphas).grads;
  const minus = alphaGradsOf(lossTrain, shifted(-1), alphas).grads;
  const scale = tf.div(lr, tf.mul(epsilon, 2));
  const correct = (d: tf.Tensor2D, p: tf.Tensor2D, m: tf.Tensor2D): tf.Tensor2D =>
    tf.sub(d, tf.mul(tf.sub(p, m), scale));
  return {
    grads: {
      normal: correct(dNormal, plus.normal, minus.normal),
      reduce: correct(dReduce, plus.reduce, minus.reduce),
    },
    loss: value as tf.Scalar,
    epsilon: epsilon as tf.Scalar,
  };
}
