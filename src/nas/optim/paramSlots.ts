/**
 * What every optimizer here (SGD, Adam, the recurrent retrain's averaged SGD) keeps and computes
 * per parameter, written once: a zero state tensor beside each weight (momentum, moments,
 * averages), the gradient with PyTorch's coupled weight decay, and freeing the states.
 */
import * as tf from '../tensor/tf';
import type { TensorMap } from '../tensor/layer';
import { lookup } from '../tensor/layer';

/** Parameters (or an optimizer's per-parameter states) by name. */
export type Params = Readonly<Record<string, tf.Variable>>;

/**
 * A zero variable beside each parameter, by name. Unnamed: tfjs names are global, and a search
 * and a retrain may live side by side.
 */
export function zeroSlots(params: Params): Record<string, tf.Variable> {
  const slots: Record<string, tf.Variable> = {};
  for (const [name, p] of Object.entries(params)) {
    const zeros = tf.zerosLike(p);
    slots[name] = tf.variable(zeros, false);
    zeros.dispose();
  }
  return slots;
}

/** g + λ·w for parameter `name`: PyTorch's `weight_decay`, coupled to the gradient. */
export function decayedGradient(
  grads: TensorMap,
  name: string,
  p: tf.Tensor,
  weightDecay: number,
): tf.Tensor {
  return tf.add(lookup(grads, name), tf.mul(p, weightDecay));
}

/** Frees every state of `slots`. */
export function disposeSlots(...slots: Params[]): void {
  for (const s of slots) for (const v of Object.values(s)) v.dispose();
}
