/**
 * Averaged SGD with PyTorch's `torch.optim.ASGD` semantics, as `rnn/train.py` switches to it
 * (t0 = 0, λ = 0, α = 0.75, coupled weight decay). Per step k (1-based), with lr the group's
 * learning rate at that step:
 *   g ← g + wd·w;  w ← w·(1 − λ·η);  w ← w − η·g
 *   ax ← w if μ = 1, else ax + μ·(w − ax)
 *   η ← lr / (1 + λ·lr·k)^α;  μ ← 1 / max(1, k − t0)
 * η starts at the first step's lr, and each later step uses the η its predecessor computed: the
 * learning rate lags one step behind (train.py rescales lr per segment, so step k is taken at
 * step k − 1's scale), exactly as PyTorch. With t0 = 0, μ is 1 for the first two steps: ax is
 * the mean of the weights after steps 2..k. η and μ are host numbers (no readback).
 */
import * as tf from '../../tensor/tf';
import type { TensorMap } from '../../tensor/layer';
import type { Params } from '../../optim/paramSlots';
import { decayedGradient, disposeSlots, zeroSlots } from '../../optim/paramSlots';

export interface AsgdOptions {
  readonly weightDecay: number;
  /** Decay term λ (train.py: 0). */
  readonly lambd: number;
  /** Averaging starts at step t0 (train.py: 0). */
  readonly t0: number;
  /** Power of the η decay (PyTorch's default 0.75; no effect at λ = 0). */
  readonly alpha: number;
}

export interface AsgdState {
  readonly options: AsgdOptions;
  /** The averaged weights, by parameter name. */
  readonly ax: Params;
  /** Steps taken. */
  step: number;
  /** The learning rate of the next step (null before the first). */
  eta: number | null;
  mu: number;
}

export function createAsgd(params: Params, options: AsgdOptions): AsgdState {
  return { options, ax: zeroSlots(params), step: 0, eta: null, mu: 1 };
}

export function asgdStep(state: AsgdState, params: Params, grads: TensorMap, lr: number): void {
  const { weightDecay, lambd, t0, alpha } = state.options;
  const eta = state.eta ?? lr;
  const mu = state.mu;
  state.step += 1;
  tf.tidy(() => {
    for (const [name, p] of Object.entries(params)) {
      const ax = state.ax[name];
      if (!ax) throw new Error(`no averaged weights for "${name}"`);
      const g = decayedGradient(grads, name, p, weightDecay);
      const decayed = lambd === 0 ? p : tf.mul(p, 1 - lambd * eta);
      const next = tf.sub(decayed, tf.mul(g, eta));
      p.assign(next);
      ax.assign(mu === 1 ? next : tf.add(ax, tf.mul(tf.sub(next, ax), mu)));
    }
  });
  state.eta = lr / Math.pow(1 + lambd * lr * state.step, alpha);
  state.mu = 1 / Math.max(1, state.step - t0);
}

export function disposeAsgd(state: AsgdState): void {
  disposeSlots(state.ax);
}
