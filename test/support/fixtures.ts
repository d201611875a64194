/** Loading of the PyTorch fixtures (scripts/fixtures) and tensor comparison. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '../../src/nas/tensor/tf';

export interface TensorJson {
  readonly shape: number[];
  readonly data: number[];
}

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', name), 'utf8')) as T;
}

export function toTensor(t: TensorJson): tf.Tensor {
  return tf.tensor(t.data, t.shape, 'float32');
}

export function toTensorMap(
  map: Record<string, TensorJson>,
  prefix = '',
): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, t] of Object.entries(map)) out[`${prefix}${name}`] = toTensor(t);
  return out;
}

/** The actual values, after checking the shape against the expected tensor. */
async function valuesOfShape(actual: tf.Tensor, expected: TensorJson): Promise<ArrayLike<number>> {
  if (JSON.stringify(actual.shape) !== JSON.stringify(expected.shape)) {
    throw new Error(
      `shape ${JSON.stringify(actual.shape)} != expected ${JSON.stringify(expected.shape)}`,
    );
  }
  return actual.data();
}

/** max |actual − expected| / max |expected|: the error relative to the tensor's scale. */
export async function relativeError(actual: tf.Tensor, expected: TensorJson): Promise<number> {
  const a = await valuesOfShape(actual, expected);
  let maxDiff = 0;
  let scale = 0;
  expected.data.forEach((e, i) => {
    maxDiff = Math.max(maxDiff, Math.abs((a[i] as number) - e));
    scale = Math.max(scale, Math.abs(e));
  });
  return scale === 0 ? maxDiff : maxDiff / scale;
}

/**
 * ‖actual − expected‖₂ / ‖expected‖₂. Used for network-level gradients, where float32
 * round-off through many layers (and, for the unrolled gradient, its amplification by the
 * finite difference η/2ε) puts isolated elements near the max-norm bound.
 */
export async function relativeL2Error(actual: tf.Tensor, expected: TensorJson): Promise<number> {
  const a = await valuesOfShape(actual, expected);
  let diff = 0;
  let norm = 0;
  expected.data.forEach((e, i) => {
    diff += ((a[i] as number) - e) ** 2;
    norm += e * e;
  });
  return Math.sqrt(diff) / Math.sqrt(norm);
}
