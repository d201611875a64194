/**
 * Affine-free BatchNorm of many candidate outputs at once. BatchNorm statistics are per
 * channel, so the outputs of several BatchNorms, held as blocks [blocks, pixels, channels] or
 * side by side along channels, are normalised together with the same numbers as one BatchNorm
 * each: the same mean, the same biased variance, (x − mean)·rsqrt(var + ε). Seven kernels for
 * all of them (the centred input is computed once) instead of ten per BatchNorm, and a
 * closed-form gradient of seven more.
 */
import * as tf from '../../tensor/tf';
import { BN_EPS } from '../../ops/batchNorm';
import type { ForwardContext } from '../../tensor/layer';
import { lookup } from '../../tensor/layer';
import { leanReshape } from '../../recompute/shapeOps';

/**
 * Normalises x [blocks, pixels, channels] over the pixels, per (block, channel). The
 * statistics, flattened in (block, channel) order, are split into `prefixes.length` equal
 * parts, part i belonging to the BatchNorms named `prefixes[i]`: in training each of them
 * receives the part's batch statistics (one part may stand for several BatchNorms with the
 * same input); in evaluation a part stands for exactly one, whose running statistics it uses.
 */
export function normalizeBlocks(
  x: tf.Tensor3D,
  prefixes: readonly (readonly string[])[],
  ctx: ForwardContext,
): tf.Tensor3D {
  const [blocks, pixels, channels] = x.shape;
  const size = blocks * channels;
  if (prefixes.length === 0 || size % prefixes.length !== 0) {
    throw new Error(`fused BatchNorm: ${prefixes.length} parts for ${blocks}×${channels} channels`);
  }
  if (!ctx.training) {
    const running = (name: 'runningMean' | 'runningVar'): tf.Tensor => {
      const parts = prefixes.map((p) => {
        if (p.length !== 1) {
          throw new Error(`fused BatchNorm: an evaluation part needs one name, got ${p.length}`);
        }
        return lookup(ctx.buffers, `${p[0]}.${name}`);
      });
      return tf.reshape(parts.length === 1 ? (parts[0] as tf.Tensor) : tf.concat(parts), [
        blocks,
        1,
        channels,
      ]);
    };
    const mean = running('runningMean');
    const variance = running('runningVar');
    return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, BN_EPS)));
  }
  const report = ctx.onBatchStats;
  const normalize = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor3D, tf.GradSaveFunc];
    const mean = tf.mean(input, 1, true);
    const centered = tf.sub(input, mean);
    const variance = tf.mean(tf.square(centered), 1, true);
    const scale = tf.rsqrt(tf.add(variance, BN_EPS));
    const y = tf.mul(centered, scale);
    if (report) reportStats(mean, variance, prefixes, pixels, report);
    save([y, scale]);
    return { value: y, gradFunc: backward };
  });
  return normalize(x) as tf.Tensor3D;
}

/**
 * The BatchNorm gradient in closed form, dx = r·(dy − mean(dy) − y·mean(dy·y)) with r =
 * rsqrt(var + ε) and the means over the pixels (the mean and variance are functions of x):
 * seven kernels, where tfjs's automatic gradient of the forward ops runs about twenty-five.
 */
function backward(dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor {
  const [y, scale] = saved as [tf.Tensor, tf.Tensor];
  const meanDy = tf.mean(dy, 1, true);
  const meanDyY = tf.mean(tf.mul(dy, y), 1, true);
  return tf.mul(tf.sub(tf.sub(dy, meanDy), tf.mul(y, meanDyY)), scale);
}

/**
 * Gives every BatchNorm its batch statistics (a part of the flattened (block, channel) ones).
 * Called inside the custom gradient's forward, where tfjs records nothing on the gradient
 * tape: the running-statistics updates the callback runs are constants to the gradient.
 */
function reportStats(
  mean: tf.Tensor,
  variance: tf.Tensor,
  prefixes: readonly (readonly string[])[],
  count: number,
  report: NonNullable<ForwardContext['onBatchStats']>,
): void {
  const means = split(mean, prefixes.length);
  const variances = split(variance, prefixes.length);
  prefixes.forEach((names, i) => {
    for (const prefix of names) {
      report({
        prefix,
        mean: means[i] as tf.Tensor1D,
        variance: variances[i] as tf.Tensor1D,
        count,
      });
    }
  });
}

/** Statistics [blocks, 1, channels], flattened and split into `parts` vectors. */
function split(stats: tf.Tensor, parts: number): tf.Tensor1D[] {
  const flat = tf.reshape(stats, [stats.size]) as tf.Tensor1D;
  return parts === 1 ? [flat] : tf.split(flat, parts);
}

/**
 * Affine-free BatchNorm of an NHWC tensor whose channels are `prefixes.length` BatchNorms'
 * inputs side by side (equal widths).
 */
export function normalizeChannels(
  x: tf.Tensor4D,
  prefixes: readonly string[],
  ctx: ForwardContext,
): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const blocks = leanReshape<tf.Tensor3D>(x, [1, n * h * w, c]);
  const parts = prefixes.map((p) => [p]);
  return leanReshape<tf.Tensor4D>(normalizeBlocks(blocks, parts, ctx), [n, h, w, c]);
}
