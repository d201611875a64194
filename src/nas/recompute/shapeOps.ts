/**
 * Reshape, concat and slice whose gradients keep no tensors. tfjs's own save their inputs on the
 * gradient tape although their gradients need only the inputs' shapes (`reshapeGradConfig`,
 * `concatGradConfig`, `sliceGradConfig` in tfjs-core 4.22): a concat's inputs stay alive beside
 * its output until the backward pass reaches it, and every saved input is one more tensor in
 * tfjs's memory count. These compute the same values with the same kernel, and their gradients
 * (reshape dy; split dy; pad dy with zeros) from the shapes alone. A cell's taped forward is
 * what a checkpointed backward holds at its peak, so the fused search cell uses them.
 */
import * as tf from '../tensor/tf';

type Save = tf.GradSaveFunc;

/** `tf.reshape`, its gradient keeping no tensor. */
export function leanReshape<T extends tf.Tensor>(x: tf.Tensor, shape: readonly number[]): T {
  const from = x.shape;
  const f = tf.customGrad((...args: (tf.Tensor | Save)[]) => ({
    value: tf.reshape(args[0] as tf.Tensor, [...shape]),
    gradFunc: (dy: tf.Tensor) => tf.reshape(dy, from),
  }));
  return f(x) as T;
}

/** `tf.concat`, its gradient keeping no tensor. */
export function leanConcat<T extends tf.Tensor>(xs: readonly tf.Tensor[], axis = 0): T {
  if (xs.length === 1) return xs[0] as T;
  const rank = (xs[0] as tf.Tensor).rank;
  const along = axis < 0 ? axis + rank : axis;
  const sizes = xs.map((x) => x.shape[along] as number);
  const f = tf.customGrad((...args: (tf.Tensor | Save)[]) => ({
    value: tf.concat(args.slice(0, xs.length) as tf.Tensor[], along),
    gradFunc: (dy: tf.Tensor) => tf.split(dy, sizes, along),
  }));
  return f(...xs) as T;
}

/** `tf.slice` with explicit sizes (−1: to the end), its gradient keeping no tensor. */
export function leanSlice<T extends tf.Tensor>(
  x: tf.Tensor,
  begin: readonly number[],
  size: readonly number[],
): T {
  const ends = size.map((s, i) => (s === -1 ? (x.shape[i] as number) : (begin[i] as number) + s));
  const paddings = x.shape.map((d, i) => [begin[i] as number, d - (ends[i] as number)]) as [
    number,
    number,
  ][];
  const f = tf.customGrad((...args: (tf.Tensor | Save)[]) => ({
    value: tf.slice(args[0] as tf.Tensor, [...begin], [...size]),
    gradFunc: (dy: tf.Tensor) => tf.pad(dy, paddings),
  }));
  return f(x) as T;
}
