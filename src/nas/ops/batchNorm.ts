/**
 * BatchNorm2d with PyTorch semantics: eps 1e-5, running statistics with momentum 0.1 updated
 * with the unbiased batch variance, normalisation with the biased one.
 *
 * Written by hand rather than with tf.batchNorm: tfjs 4.22's batchNorm gradient fails when
 * scale/offset are absent, and DARTS's search BatchNorms have no affine parameters.
 */
import * as tf from '../tensor/tf';
import type { ForwardContext, Layer, TensorMap } from '../tensor/layer';
import { lookup } from '../tensor/layer';

export const BN_EPS = 1e-5;
const BN_MOMENTUM = 0.1;

export function batchNorm(prefix: string, channels: number, affine: boolean): Layer {
  const params = affine
    ? [
        { name: `${prefix}.gamma`, shape: [channels], init: { kind: 'ones' } as const },
        { name: `${prefix}.beta`, shape: [channels], init: { kind: 'zeros' } as const },
      ]
    : [];
  const buffers = [
    { name: `${prefix}.runningMean`, shape: [channels], init: { kind: 'zeros' } as const },
    { name: `${prefix}.runningVar`, shape: [channels], init: { kind: 'ones' } as const },
  ];
  return {
    params,
    buffers,
    apply(x: tf.Tensor4D, weights: TensorMap, ctx: ForwardContext): tf.Tensor4D {
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      if (ctx.training) {
        const m = tf.moments(x, [0, 1, 2]);
        mean = m.mean;
        variance = m.variance;
        if (ctx.onBatchStats) {
          const [n, h, w] = x.shape;
          ctx.onBatchStats({
            prefix,
            mean: mean as tf.Tensor1D,
            variance: variance as tf.Tensor1D,
            count: n * h * w,
          });
        }
      } else {
        mean = lookup(ctx.buffers, `${prefix}.runningMean`);
        variance = lookup(ctx.buffers, `${prefix}.runningVar`);
      }
      let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, BN_EPS)));
      if (affine) {
        y = tf.add(
          tf.mul(y, lookup(weights, `${prefix}.gamma`)),
          lookup(weights, `${prefix}.beta`),
        );
      }
      return y as tf.Tensor4D;
    },
  };
}

/** New running statistics after one training batch (PyTorch's update rule). */
export function updatedRunningStats(
  runningMean: tf.Tensor,
  runningVar: tf.Tensor,
  stats: { mean: tf.Tensor; variance: tf.Tensor; count: number },
): { mean: tf.Tensor; variance: tf.Tensor } {
  const unbias = stats.count > 1 ? stats.count / (stats.count - 1) : 1;
  return {
    mean: tf.add(tf.mul(runningMean, 1 - BN_MOMENTUM), tf.mul(stats.mean, BN_MOMENTUM)),
    variance: tf.add(
      tf.mul(runningVar, 1 - BN_MOMENTUM),
      tf.mul(stats.variance, BN_MOMENTUM * unbias),
    ),
  };
}
