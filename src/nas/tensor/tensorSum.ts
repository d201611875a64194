/**
 * Sums a list of same-shaped tensors. tfjs-webgpu's AddN binds one storage buffer per input
 * and, with 8 or more inputs, exceeds the default limit of 8 per shader stage: the pipeline is
 * invalid and the result (and other work in the same submit) is silently garbage. Summing in
 * chunks of at most 7 stays within the limit on every backend.
 */
import * as tf from './tf';

const MAX_ADDN_INPUTS = 7;

export function sumAll<T extends tf.Tensor>(tensors: readonly T[]): T {
  if (tensors.length === 0) throw new Error('sumAll needs at least one tensor');
  let parts: tf.Tensor[] = [...tensors];
  while (parts.length > 1) {
    const next: tf.Tensor[] = [];
    for (let i = 0; i < parts.length; i += MAX_ADDN_INPUTS) {
      const chunk = parts.slice(i, i + MAX_ADDN_INPUTS);
      next.push(chunk.length === 1 ? (chunk[0] as tf.Tensor) : tf.addN(chunk));
    }
    parts = next;
  }
  return parts[0] as T;
}
