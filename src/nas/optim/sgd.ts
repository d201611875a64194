/**
 * SGD with momentum and coupled weight decay, PyTorch semantics (no dampening, no Nesterov):
 *   d = g + λ·w;  buf ← μ·buf + d;  w ← w − lr·buf.
 * Buffers start at zero, which equals PyTorch's first step (buf = d) exactly.
 */
import * as tf from '../tensor/tf';
import type { TensorMap } from '../tensor/layer';
import type { Params } from './paramSlots';
import { decayedGradient, disposeSlots, zeroSlots } from './paramSlots';

export interface SgdOptions {
  readonly momentum: number;
  readonly weightDecay: number;
}

export interface SgdState {
  readonly options: SgdOptions;
  /** Momentum buffer of every parameter, by parameter name. */
  readonly buffers: Params;
}

export function createSgd(params: Params, options: SgdOptions): SgdState {
  return { options, buffers: zeroSlots(params) };
}

export function sgdStep(state: SgdState, params: Params, grads: TensorMap, lr: number): void {
  const { momentum, weightDecay } = state.options;
  tf.tidy(() => {
    for (const [name, p] of Object.entries(params)) {
      const buf = state.buffers[name];
      if (!buf) throw new Error(`no momentum buffer for "${name}"`);
      const d = decayedGradient(grads, name, p, weightDecay);
      const next = tf.add(tf.mul(buf, momentum), d);
      buf.assign(next);
      p.assign(tf.sub(p, tf.mul(next, lr)));
    }
  });
}

export function disposeSgd(state: SgdState): void {
  disposeSlots(state.buffers);
}
