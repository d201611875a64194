/**
 * tfjs 4.22's wasm backend cannot train convolutions as shipped: it has no convolution filter
 * gradient, and its MaxPoolGrad takes the last maximum of a window and starts from the
 * smallest positive float, so all-negative windows send their gradient to the wrong pixel.
 * The workaround registers the core's kernels (src/nas/backends/wasmKernels); the CLI then trains on
 * wasm by default.
 */
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../src/cli/runArgs';
import * as tf from '../../src/nas/tensor/tf';
import { whyBackendCannotTrain } from '../../src/nas/backends/trainingBackends';
import { registerWasmTrainingKernels } from '../../src/nas/backends/wasmKernels/index';

/** Max pooling 2×2/2 of one all-negative window with a tie: [[-3, -1], [-1, -2]]. */
async function maxPoolGradient(backend: string): Promise<number[]> {
  await tf.setBackend(backend);
  const x = tf.tensor4d([-3, -1, -1, -2], [1, 2, 2, 1]);
  const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.maxPool(xx as tf.Tensor4D, 2, 2, 'valid')))(x);
  const values = Array.from(await g.data());
  tf.dispose([x, g]);
  return values;
}

function backendFlag(args: string[]): string {
  const command = parseRunArgs('search', args, []);
  if ('help' in command) throw new Error('parsed as a request for help');
  return command.host.backend;
}

function filterGradient(): tf.Tensor {
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]);
  const w = tf.tensor4d([1, -1, 0.5, 2], [1, 1, 2, 2]);
  return tf.grad((ww: tf.Tensor) => tf.sum(tf.conv2d(x, ww as tf.Tensor4D, 1, 'valid')))(w);
}

describe('wasm backend trap', () => {
  it('as shipped: no convolution filter gradient, and the max-pool gradient goes to the wrong pixel', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(filterGradient).toThrow(/Conv2DBackpropFilter' not registered for backend 'wasm'/);
    // The first maximum (-1 at index 1) gets the gradient; tfjs's wasm kernel picks another.
    expect(await maxPoolGradient('cpu')).toEqual([0, 1, 0, 0]);
    expect(await maxPoolGradient('wasm')).not.toEqual([0, 1, 0, 0]);
  });

  it('with the core kernels registered: both gradients right, and wasm is a training backend', async () => {
    registerWasmTrainingKernels();
    expect(await maxPoolGradient('wasm')).toEqual([0, 1, 0, 0]);
    await tf.setBackend('wasm');
    const g = filterGradient();
    // dW[0, 0, ci, co] = Σ over the 4 pixels of x[ci]: (1 + 3 + 5 + 7, 2 + 4 + 6 + 8) per column.
    expect(Array.from(await g.data())).toEqual([16, 16, 20, 20]);
    g.dispose();
    expect(whyBackendCannotTrain('wasm')).toBeNull();
    expect(backendFlag([])).toBe('wasm');
    expect(backendFlag(['--backend', 'cpu'])).toBe('cpu');
    expect(() => backendFlag(['--backend', 'tpu'])).toThrow(
      /--backend tpu: unknown backend "tpu"; training backends: cpu, wasm, webgpu, webgl/,
    );
  });
});
