/**
 * SGD with momentum and coupled weight decay, PyTorch semantics (no dampening, no Nesterov):
 *   d = g + λ·w;  buf ← μ·buf + d;  w ← w − lr·buf.
 * Buffers start at zero, which equals PyTorch's first step (buf = d) exactly.
 */
import * as tf from '../tensor/tf';
import type { TensorMap } from '../tensor/layer';
import { lookup } from '../tensor/layer';

export interface SgdOptions {
  readonly momentum: number;
  readonly weightDecay: number;
}

export interface SgdState {
  readonly options: SgdOptions;
  /** Momentum buffer of every parameter, by parameter name. */
  readonly buffers: Readonly<Record<string, tf.Variable>>;
}

export function createSgd(
  params: Readonly<Record<string, tf.Variable>>,
  options: SgdOptions,
): SgdState {
  const buffers: Record<string, tf.Variable> = {};
  for (const [name, p] of Object.entries(params)) {
    const zeros = tf.zerosLike(p);
    // Unnamed: tfjs names are global, and a search and a retrain may live side by side.
    buffers[name] = tf.variable(zeros, false);
    zeros.dispose();
  }
  return { options, buffers };
}

export function sgdStep(
  state: SgdState,
  params: Readonly<Record<string, tf.Variable>>,
  grads: TensorMap,
  lr: number,
): void {
  const { momentum, weightDecay } = state.options;
  tf.tidy(() => {
    for (const [name, p] of Object.entries(params)) {
      const buf = state.buffers[name];
      if (!buf) throw new Error(`no momentum buffer for "${name}"`);
      const d = tf.add(lookup(grads, name), tf.mul(p, weightDecay));
      const next = tf.add(tf.mul(buf, momentum), d);
      buf.assign(next);
      p.assign(tf.sub(p, tf.mul(next, lr)));
    }
  });
}

export function disposeSgd(state: SgdState): void {
  for (const b of Object.values(state.buffers)) b.dispose();
}
