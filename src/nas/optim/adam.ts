/**
 * Adam with coupled L2 weight decay (PyTorch's torch.optim.Adam with weight_decay, not AdamW):
 *   g' = g + λ·w;  m ← β1·m + (1−β1)·g';  v ← β2·v + (1−β2)·g'²
 *   w ← w − lr/(1−β1^t) · m / (√v/√(1−β2^t) + ε)
 */
import * as tf from '../tensor/tf';
import type { TensorMap } from '../tensor/layer';
import type { Params } from './paramSlots';
import { decayedGradient, disposeSlots, zeroSlots } from './paramSlots';

export interface AdamOptions {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
}

export interface AdamState {
  readonly options: AdamOptions;
  readonly m: Params;
  readonly v: Params;
  /** Number of steps taken. */
  step: number;
}

export function createAdam(params: Params, options: AdamOptions): AdamState {
  return { options, m: zeroSlots(params), v: zeroSlots(params), step: 0 };
}

export function adamStep(state: AdamState, params: Params, grads: TensorMap, lr: number): void {
  const { beta1, beta2, eps, weightDecay } = state.options;
  state.step += 1;
  const biasCorrection1 = 1 - beta1 ** state.step;
  const biasCorrection2 = 1 - beta2 ** state.step;
  const stepSize = lr / biasCorrection1;
  tf.tidy(() => {
    for (const [name, p] of Object.entries(params)) {
      const m = state.m[name];
      const v = state.v[name];
      if (!m || !v) throw new Error(`no Adam moments for "${name}"`);
      const g = decayedGradient(grads, name, p, weightDecay);
      const mNext = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
      const vNext = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
      m.assign(mNext);
      v.assign(vNext);
      const denom = tf.add(tf.div(tf.sqrt(vNext), Math.sqrt(biasCorrection2)), eps);
      p.assign(tf.sub(p, tf.mul(tf.div(mNext, denom), stepSize)));
    }
  });
}

export function disposeAdam(state: AdamState): void {
  disposeSlots(state.m, state.v);
}
