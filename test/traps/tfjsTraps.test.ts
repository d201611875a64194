/**
 * The tfjs 4.22 traps the core works around. Each test shows the trap is real on the cpu
 * backend and that the core's formulation gives the right answer (its exact values are checked
 * against PyTorch in test/parity).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNorm } from '../../src/nas/ops/batchNorm';
import { dilatedDepthwise } from '../../src/nas/ops/convolutions';
import type { ForwardContext } from '../../src/nas/tensor/layer';
import { factorizedReduce } from '../../src/nas/ops/operations';
import { avgPool3x3 } from '../../src/nas/ops/pooling';
import * as tf from '../../src/nas/tensor/tf';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const ctx: ForwardContext = { training: true, buffers: {} };
const sumOf = (t: tf.Tensor) => tf.sum(t);

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  return (await tf.max(tf.abs(tf.sub(a, b))).data())[0] as number;
}

describe('tfjs traps and their workarounds', () => {
  it('dilation > 1: tfjs rejects the depthwise gradient; the expanded kernel is exact and differentiable', async () => {
    const x = tf.randomNormal([2, 9, 9, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
    expect(() =>
      tf.grad((xx: tf.Tensor) => sumOf(tf.depthwiseConv2d(xx as tf.Tensor4D, w, 1, 2, 'NHWC', 2)))(
        x,
      ),
    ).toThrow(/dilation rates greater than 1/);
    const native = tf.depthwiseConv2d(x, w, 1, 2, 'NHWC', 2);
    expect(await maxDiff(dilatedDepthwise(x, w, 1, 2, 2), native)).toBeLessThan(1e-5);
    // Stride 2 with dilation 2 (reduction cells) equals the stride-1 result subsampled.
    const strided = dilatedDepthwise(x, w, 2, 2, 2);
    const subsampled = tf.stridedSlice(native, [0, 0, 0, 0], native.shape, [1, 2, 2, 1]);
    expect(await maxDiff(strided, subsampled)).toBeLessThan(1e-5);
    const g = tf.grad((ww: tf.Tensor) => sumOf(dilatedDepthwise(x, ww as tf.Tensor4D, 2, 2, 2)))(w);
    expect(g.shape).toEqual([3, 3, 3, 1]);
  });

  it('stridedSlice has no gradient; FactorizedReduce shifts with slice and trains', () => {
    const x = tf.randomNormal([1, 4, 4, 2]);
    expect(() =>
      tf.grad((xx: tf.Tensor) =>
        sumOf(tf.stridedSlice(xx, [0, 1, 1, 0], [1, 4, 4, 2], [1, 1, 1, 1])),
      )(x),
    ).toThrow(/gradient function not found for StridedSlice/);
    const fr = factorizedReduce('fr', 2, 4, false);
    const w = {
      'fr.conv1': tf.randomNormal([1, 1, 2, 2]),
      'fr.conv2': tf.randomNormal([1, 1, 2, 2]),
    };
    const g = tf.grad((xx: tf.Tensor) => sumOf(tf.square(fr.apply(xx as tf.Tensor4D, w, ctx))))(x);
    expect(g.shape).toEqual([1, 4, 4, 2]);
  });

  it('tf.batchNorm without scale and offset fails in backprop; the hand-written BatchNorm trains', () => {
    const x = tf.randomNormal([2, 3, 3, 4]);
    expect(() =>
      tf.grad((xx: tf.Tensor) => {
        const m = tf.moments(xx, [0, 1, 2]);
        return sumOf(tf.square(tf.batchNorm(xx, m.mean, m.variance, undefined, undefined, 1e-5)));
      })(x),
    ).toThrow();
    const bn = batchNorm('bn', 4, false);
    const g = tf.grad((xx: tf.Tensor) => sumOf(tf.mul(bn.apply(xx as tf.Tensor4D, {}, ctx), xx)))(
      x,
    );
    expect(g.shape).toEqual([2, 3, 3, 4]);
  });

  it("avgPool's gradient ignores count_include_pad=False at borders; the rescaled pool's does not", async () => {
    const x = tf.randomNormal([1, 4, 4, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const pool = avgPool3x3(1);
    // Same forward values.
    expect(await maxDiff(pool.apply(x, {}, ctx), tf.avgPool(x, 3, 1, 1))).toBeLessThan(1e-6);
    // The derivative of sum(pool(x)) with respect to the corner pixel is Σ 1/count over the
    // four windows that contain it: 1/4 + 1/6 + 1/6 + 1/9.
    const expectedCorner = 1 / 4 + 1 / 6 + 1 / 6 + 1 / 9;
    const tfjsCorner = (
      await tf
        .grad((xx: tf.Tensor) => sumOf(tf.avgPool(xx as tf.Tensor4D, 3, 1, 1)))(x)
        .data()
    )[0] as number;
    const ours = (
      await tf
        .grad((xx: tf.Tensor) => sumOf(pool.apply(xx as tf.Tensor4D, {}, ctx)))(x)
        .data()
    )[0] as number;
    expect(Math.abs(tfjsCorner - expectedCorner)).toBeGreaterThan(0.2);
    expect(ours).toBeCloseTo(expectedCorner, 6);
  });
});
