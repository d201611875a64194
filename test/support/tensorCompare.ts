/**
 * Comparisons of named tensor lists for the checkpointed-cells tests: each tensor's difference to
 * the scale of the largest one (BatchNorm makes the gradients of the convs before it nearly
 * cancel, so some gradients are 1000× smaller than others with the same absolute float32
 * round-off), and the peak of tensor memory while a function runs.
 */
import * as tf from '../../src/nas/tensor/tf';

/** √Σx² of a tensor, read back. */
async function norm(t: tf.Tensor): Promise<number> {
  const n = tf.tidy(() => tf.sqrt(tf.sum(tf.square(t))));
  const value = (await n.data())[0] as number;
  n.dispose();
  return value;
}

/**
 * The names whose tensors differ by more than `tolerance` × the largest tensor's norm, with the
 * relative difference; throws on a shape mismatch or missing name. Empty when they agree.
 */
export async function differingTensors(
  actual: Readonly<Record<string, tf.Tensor>>,
  expected: Readonly<Record<string, tf.Tensor>>,
  tolerance: number,
): Promise<string[]> {
  const names = Object.keys(expected);
  const missing = names.filter((n) => !actual[n]);
  if (missing.length > 0 || Object.keys(actual).length !== names.length) {
    throw new Error(`different names: missing ${missing.join(', ')}`);
  }
  const norms = await Promise.all(names.map((n) => norm(expected[n] as tf.Tensor)));
  const scale = Math.max(...norms);
  if (!(scale > 0)) throw new Error('every expected tensor is zero: nothing is compared');
  const bad: string[] = [];
  for (const name of names) {
    const a = actual[name] as tf.Tensor;
    const b = expected[name] as tf.Tensor;
    if (a.shape.join(',') !== b.shape.join(',')) {
      bad.push(`${name}: shape ${a.shape.join('×')} vs ${b.shape.join('×')}`);
      continue;
    }
    const d = tf.sub(a, b);
    const diff = await norm(d);
    d.dispose();
    if (!(diff <= tolerance * scale)) bad.push(`${name}: ${(diff / scale).toExponential(2)}`);
  }
  return bad;
}

/** Tensor bytes alive at the peak while `f` runs, over what was alive before; and its result. */
export async function peakBytesOf<T>(f: () => T): Promise<{ peak: number; result: T }> {
  let result: T | undefined;
  const before = tf.memory().numBytes;
  const info = await tf.profile(() => {
    result = f();
  });
  return { peak: info.peakBytes - before, result: result as T };
}
