/**
 * The unrolled (second-order) alpha gradient of the recurrent search, as `rnn/architect.py`
 * computes it, a pure function of the weights, the alphas and four loss closures (one per
 * forward, each with its own dropout masks and its segment's carried hidden state):
 *   g  = clip(∇_w L_trn(w, α)),  w' = w − η·(g + λ·w)      (virtual SGD step, no momentum)
 *   dα = ∇_α L_val(w', α),  v = clip(∇_w' L_val(w', α)) + λ·w'
 *   ε  = 0.01 / ‖v‖
 *   ∇α = dα − η·(∇_α L_trn(w' + εv, α) − ∇_α L_trn(w' − εv, α)) / (2ε + 1e-10)
 * `clip` is the global-norm clip (PyTorch's semantics). Unlike the convolutional architect,
 * the finite difference is taken around the unrolled weights w', and v carries the weight
 * decay term. The next validation hidden state is the one the unrolled model computes.
 * Everything stays on the device; nothing is read back.
 */
import * as tf from '../../tensor/tf';
import { clipByGlobalNorm, globalNorm } from '../../optim/clipGradNorm';
import type { TensorMap } from '../../tensor/layer';
import { pick, zipMap } from '../../tensor/tensorMaps';

/** One forward of the language model at explicit weights and alphas: its NLL and last state. */
export type RnnLossAt = (
  weights: TensorMap,
  alpha: tf.Tensor2D,
) => { loss: tf.Scalar; hidden: tf.Tensor2D };

export interface RnnUnrolledInputs {
  /** The train NLL of the virtual step's forward. */
  readonly trainLoss: RnnLossAt;
  /** The validation NLL at w' (from the carried validation hidden state). */
  readonly valLoss: RnnLossAt;
  /** The train NLL at w' + εv and at w' − εv (each forward with its own masks). */
  readonly plusLoss: RnnLossAt;
  readonly minusLoss: RnnLossAt;
  readonly weights: TensorMap;
  /** The trainable weights the virtual step moves. */
  readonly weightNames: readonly string[];
  readonly alpha: tf.Tensor2D;
  /** η: the weight step's learning rate of this segment (lr · seqLen / bptt). */
  readonly lr: number;
  readonly weightDecay: number;
  readonly clip: number;
}

export interface RnnUnrolledResult {
  readonly grad: tf.Tensor2D;
  /** L_val(w', α). */
  readonly loss: tf.Scalar;
  /** The unrolled model's last validation state: the next validation segment starts there. */
  readonly hidden: tf.Tensor2D;
  readonly epsilon: tf.Scalar;
}

function clipped(names: readonly string[], grads: readonly tf.Tensor[], clip: number): tf.Tensor[] {
  const c = clipByGlobalNorm(zipMap(names, grads), clip).grads;
  return names.map((n) => c[n] as tf.Tensor);
}

function alphaGradAt(loss: RnnLossAt, weights: TensorMap, alpha: tf.Tensor2D): tf.Tensor2D {
  return tf.grad((a: tf.Tensor) => loss(weights, a as tf.Tensor2D).loss)(alpha) as tf.Tensor2D;
}

export function rnnUnrolledArchGrad(inp: RnnUnrolledInputs): RnnUnrolledResult {
  const { weights, weightNames: names, alpha, lr, weightDecay, clip } = inp;
  const withWeights = (ws: readonly tf.Tensor[]): TensorMap => ({
    ...weights,
    ...zipMap(names, ws),
  });
  const w = pick(weights, names);

  // 1. The virtual step.
  const g = clipped(
    names,
    tf.grads((...ws: tf.Tensor[]) => inp.trainLoss(withWeights(ws), alpha).loss)(w),
    clip,
  );
  const wPrime = w.map((wi, i) =>
    tf.sub(wi, tf.mul(tf.add(g[i] as tf.Tensor, tf.mul(wi, weightDecay)), lr)),
  );

  // 2. dα and dw' from one backward pass of L_val(w', α).
  let hidden: tf.Tensor2D | null = null;
  const { value, grads } = tf.valueAndGrads((a: tf.Tensor, ...ws: tf.Tensor[]) => {
    const out = inp.valLoss(withWeights(ws), a as tf.Tensor2D);
    hidden = tf.keep(out.hidden);
    return out.loss;
  })([alpha, ...wPrime]);
  if (hidden === null) throw new Error('the validation forward computed no hidden state');
  const dAlpha = grads[0] as tf.Tensor2D;
  const dw = clipped(names, grads.slice(1), clip);
  const v = dw.map((d, i) => tf.add(d, tf.mul(wPrime[i] as tf.Tensor, weightDecay)));

  // 3. The finite-difference Hessian-vector product around w'.
  const epsilon = tf.div(0.01, globalNorm(v)) as tf.Scalar;
  const shifted = (sign: 1 | -1): TensorMap =>
    withWeights(
      wPrime.map((wi, i) => tf.add(wi, tf.mul(tf.mul(v[i] as tf.Tensor, epsilon), sign))),
    );
  const plus = alphaGradAt(inp.plusLoss, shifted(1), alpha);
  const minus = alphaGradAt(inp.minusLoss, shifted(-1), alpha);
  const implicit = tf.div(tf.sub(plus, minus), tf.add(tf.mul(epsilon, 2), 1e-10));
  return {
    grad: tf.sub(dAlpha, tf.mul(implicit, lr)) as tf.Tensor2D,
    loss: value as tf.Scalar,
    hidden,
    epsilon,
  };
}
