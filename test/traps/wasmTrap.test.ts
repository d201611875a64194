/**
 * tfjs 4.22's wasm backend cannot train convolutions. The workaround is not to train on it:
 * the CLI refuses it with the reason (issue 10 will register the missing kernels).
 */
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { parseSearchArgs } from '../../src/cli/args';
import * as tf from '../../src/nas/tf';
import { whyBackendCannotTrain } from '../../src/nas/trainingBackends';

describe('wasm backend trap', () => {
  it('has no convolution filter gradient, so the CLI refuses to train on it and says why', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const x = tf.randomNormal([1, 4, 4, 2]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 2, 2]) as tf.Tensor4D;
    expect(() =>
      tf.grad((ww: tf.Tensor) => tf.sum(tf.conv2d(x, ww as tf.Tensor4D, 1, 1)))(w),
    ).toThrow(/Conv2DBackpropFilter' not registered for backend 'wasm'/);
    expect(whyBackendCannotTrain('wasm')).toMatch(/Conv2DBackpropFilter/);
    expect(whyBackendCannotTrain('webgpu')).toBeNull();
    expect(() => parseSearchArgs(['--backend', 'wasm'])).toThrow(
      /--backend wasm: the wasm backend cannot train/,
    );
  });
});
