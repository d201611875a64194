/**
 * The kernel counting hook and the MAC count: real tfjs steps on the cpu backend whose kernels
 * and multiply-accumulates are known by hand.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelMacs } from '../../bench/macs';
import { profileStep } from '../../bench/stepProfile';
import * as tf from '../../src/nas/tensor/tf';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Sum of `f` at its inputs, differentiated with respect to all of them. */
function gradStep(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): () => tf.Tensor {
  return () =>
    tf.tidy(() => {
      const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => f(...xs).sum())(inputs);
      return tf.addN([value, ...grads.map((g) => g.sum())]);
    });
}

describe('profileStep', () => {
  it('counts the kernels of a step, the peak of live tensor bytes, and no GPU programs on cpu', async () => {
    const [a, b, c] = [1, 2, 3].map((k) => tf.fill([4], k));
    const before = tf.memory().numBytes;
    const profile = await profileStep(() => tf.tidy(() => tf.add(a!, b!).mul(c!).sum()));
    // Add, Multiply, Sum: 16 + 16 + 4 bytes on top of what was alive.
    expect(profile.kernels).toBe(3);
    expect(profile.peakBytes - before).toBe(36);
    expect(profile.gpuPrograms).toBeNull();
    expect(profile.macs).toBe(0);
    expect(tf.memory().numBytes).toBe(before);
    tf.dispose([a!, b!, c!]);
  });

  it('leaves tfjs profiling as it was, also when the step throws', async () => {
    const x = tf.ones([3]);
    await expect(
      profileStep(() => {
        tf.neg(x).dispose();
        throw new Error('step failed');
      }),
    ).rejects.toThrow('step failed');
    const info = await tf.profile(() => tf.tidy(() => tf.exp(x)));
    expect(info.kernels.map((k) => k.name)).toEqual(['Exp']);
    expect(typeof info.kernels[0]?.kernelTimeMs).toBe('number');
    (info.result as tf.Tensor).dispose();
    const again = await profileStep(() => tf.tidy(() => tf.sum(x)));
    expect(again.kernels).toBe(1);
    x.dispose();
  });

  it('counts a dense convolution and both its gradients: 3 × N·H·W·Cout·kh·kw·Cin MACs', async () => {
    const x = tf.randomNormal([2, 6, 6, 3]);
    const w = tf.randomNormal([3, 3, 3, 4]);
    const profile = await profileStep(
      gradStep((xi, wi) => tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, 1, 'same'), [x, w]),
    );
    expect(profile.macs).toBe(3 * 2 * 6 * 6 * 4 * (3 * 3 * 3));
    tf.dispose([x, w]);
  });

  it('counts a strided depthwise convolution and both its gradients: 3 × N·Ho·Wo·C·kh·kw', async () => {
    const x = tf.randomNormal([2, 8, 8, 3]);
    const w = tf.randomNormal([5, 5, 3, 1]);
    const profile = await profileStep(
      gradStep(
        (xi, wi) => tf.depthwiseConv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, 2, 'same'),
        [x, w],
      ),
    );
    expect(profile.macs).toBe(3 * 2 * 4 * 4 * 3 * 25);
    tf.dispose([x, w]);
  });

  it('counts a matrix product and both its (transposed) gradients: 3 × m·k·n', async () => {
    const a = tf.randomNormal([5, 7]);
    const b = tf.randomNormal([7, 3]);
    const profile = await profileStep(gradStep((ai, bi) => tf.matMul(ai!, bi!), [a, b]));
    expect(profile.macs).toBe(3 * 5 * 7 * 3);
    tf.dispose([a, b]);
  });
});

describe('kernelMacs', () => {
  it('counts nothing for elementwise kernels or records without shapes', () => {
    expect(kernelMacs({ name: 'Add', inputShapes: [[4], [4]], outputShapes: [[4]] })).toBe(0);
    expect(kernelMacs({ name: 'Conv2D', inputShapes: [null, null], outputShapes: [[1]] })).toBe(0);
  });
});
