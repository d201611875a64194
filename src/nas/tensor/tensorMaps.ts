/** Helpers to move between named tensor maps and the positional lists tf.grads works on. */
import type * as tf from './tf';
import type { TensorMap } from './layer';
import { lookup } from './layer';

export function zipMap(
  names: readonly string[],
  tensors: readonly tf.Tensor[],
): Record<string, tf.Tensor> {
  if (names.length !== tensors.length) {
    throw new Error(`zipMap: ${names.length} names for ${tensors.length} tensors`);
  }
  const out: Record<string, tf.Tensor> = {};
  names.forEach((name, i) => {
    out[name] = tensors[i] as tf.Tensor;
  });
  return out;
}

export function pick(map: TensorMap, names: readonly string[]): tf.Tensor[] {
  return names.map((name) => lookup(map, name));
}
