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
 *
 * Every stage is the gradient of one loss at explicit weights and alphas, never a gradient of a
 * gradient (the Hessian-vector product is a finite difference), so a loss may compute its own
 * gradients (a `GradsAt`: the search step's, with checkpointed cells) as well as be a plain
 * function differentiated here under one tape (a `LossAt`).
 *
 * "α" is every architecture tensor: the two alpha tensors, and PC-DARTS's β where the alphas
 * carry them (PC-DARTS `architect.py` optimises `model.arch_parameters()`, alphas and betas).
 */
import * as tf from '../tensor/tf';
import type { TensorMap } from '../tensor/layer';
import type { Alphas, EdgeBetas } from './supernet';
import { globalNorm } from '../optim/clipGradNorm';
import { pick, zipMap } from '../tensor/tensorMaps';
import type { ValueAndGrads } from '../recompute/cellCheckpoint';
import { lossValueAndGrads, requireGrads } from '../recompute/cellCheckpoint';

/** A loss of the network at explicit weights and alphas on a fixed batch. */
export type LossAt = (weights: TensorMap, alphas: Alphas) => tf.Scalar;

/**
 * A loss that gives its own value and gradients at explicit weights and alphas, w.r.t. `wrt`
 * (tensors among those weights and alphas).
 */
export interface GradsAt {
  valueAndGrads(weights: TensorMap, alphas: Alphas, wrt: readonly tf.Tensor[]): ValueAndGrads;
}

/** A loss as a function (differentiated here) or with its own gradients. */
export type Objective = LossAt | GradsAt;

/** Value and gradients of `loss` w.r.t. `wrt`, every one of which it must reach. */
function valueAndGradsAt(
  loss: Objective,
  weights: TensorMap,
  alphas: Alphas,
  wrt: readonly tf.Tensor[],
): { value: tf.Scalar; grads: tf.Tensor[] } {
  const r =
    typeof loss === 'function'
      ? lossValueAndGrads(() => loss(weights, alphas), wrt)
      : loss.valueAndGrads(weights, alphas, wrt);
  return { value: r.value, grads: requireGrads(r.grads, []) };
}

export interface AlphaGrads {
  readonly normal: tf.Tensor2D;
  readonly reduce: tf.Tensor2D;
  /** PC-DARTS: the gradients of the β, where the alphas carry β. */
  readonly betas?: EdgeBetas;
}

/** The architecture tensors in gradient order: normal, reduce, then β normal, β reduce. */
export function archTensors(alphas: Alphas): tf.Tensor[] {
  const { normal, reduce, betas } = alphas;
  return betas ? [normal, reduce, betas.normal, betas.reduce] : [normal, reduce];
}

/** Gradients in `archTensors` order as alpha gradients. */
function archGradsOf(grads: readonly tf.Tensor[]): AlphaGrads {
  const [normal, reduce, betaNormal, betaReduce] = grads;
  return {
    normal: normal as tf.Tensor2D,
    reduce: reduce as tf.Tensor2D,
    ...(betaNormal && betaReduce
      ? { betas: { normal: betaNormal as tf.Tensor1D, reduce: betaReduce as tf.Tensor1D } }
      : {}),
  };
}

export interface ArchGradResult {
  readonly grads: AlphaGrads;
  /** The loss the alpha objective was evaluated at (L_val(w) or L_val(w')). */
  readonly loss: tf.Scalar;
}

function alphaGradsOf(loss: Objective, weights: TensorMap, alphas: Alphas): ArchGradResult {
  const { value, grads } = valueAndGradsAt(loss, weights, alphas, archTensors(alphas));
  return { grads: archGradsOf(grads), loss: value };
}

/** ∇_α L_val(w, α). */
export function firstOrderArchGrad(
  lossVal: Objective,
  weights: TensorMap,
  alphas: Alphas,
): ArchGradResult {
  return alphaGradsOf(lossVal, weights, alphas);
}

export interface UnrolledInputs {
  readonly lossTrain: Objective;
  readonly lossVal: Objective;
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
  const trained = valueAndGradsAt(lossTrain, weights, alphas, w);
  trained.value.dispose();
  const g = trained.grads;
  const wPrime = w.map((wi, i) => {
    let d = tf.add(g[i] as tf.Tensor, tf.mul(wi, weightDecay));
    const buf = inp.momentumBuffers?.[names[i] as string];
    if (buf) d = tf.add(d, tf.mul(buf, momentum));
    return tf.sub(wi, tf.mul(d, lr));
  });

  // 2. dα and v from one backward pass of L_val(w', α).
  const arch = archTensors(alphas);
  const { value, grads } = valueAndGradsAt(lossVal, withWeights(weights, names, wPrime), alphas, [
    ...arch,
    ...wPrime,
  ]);
  const dArch = grads.slice(0, arch.length);
  const v = grads.slice(arch.length);

  // 3. Finite-difference Hessian-vector product at w ± εv on the same train batch.
  const epsilon = tf.div(0.01, globalNorm(v));
  const shifted = (sign: 1 | -1): TensorMap =>
    withWeights(
      weights,
      names,
      w.map((wi, i) => tf.add(wi, tf.mul(tf.mul(v[i] as tf.Tensor, epsilon), sign))),
    );
  const plus = valueAndGradsAt(lossTrain, shifted(1), alphas, arch);
  const minus = valueAndGradsAt(lossTrain, shifted(-1), alphas, arch);
  tf.dispose([plus.value, minus.value]);
  const scale = tf.div(lr, tf.mul(epsilon, 2));
  const corrected = dArch.map((d, i) =>
    tf.sub(d, tf.mul(tf.sub(plus.grads[i] as tf.Tensor, minus.grads[i] as tf.Tensor), scale)),
  );
  return {
    grads: archGradsOf(corrected),
    loss: value,
    epsilon: epsilon as tf.Scalar,
  };
}
