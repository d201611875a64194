/**
 * tfjs-backend-wasm 4.22's Identity copies its input, so every `clone` (every tensor the
 * gradient tape saves) doubles its memory on wasm; the core's Identity for wasm
 * (`backends/wasmKernels/sharedIdentity.ts`) shares the buffer, as the cpu backend does: a
 * clone adds no buffer, keeps the data when the original is disposed, frees it with the last
 * reference, and a variable's assign leaves a clone of its old value as it was.
 */
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../src/nas/backends/wasmKernels/index';
import * as tf from '../../src/nas/tensor/tf';

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

const buffers = () => tf.memory().numDataBuffers;

describe('Identity on wasm', () => {
  it('shares the buffer: a clone adds none and outlives its original', async () => {
    const x = tf.tensor1d([1, 2, 3]);
    const before = buffers();
    const y = tf.clone(x);
    expect(buffers()).toBe(before);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3]);
    expect(buffers()).toBe(before);
    y.dispose();
    expect(buffers()).toBe(before - 1);
  });

  it("keeps a clone of a variable's value when the variable is assigned", async () => {
    const v = tf.variable(tf.tensor1d([1, 2]));
    const old = tf.clone(v);
    v.assign(tf.tensor1d([5, 6]));
    expect(Array.from(await old.data())).toEqual([1, 2]);
    expect(Array.from(await v.data())).toEqual([5, 6]);
    tf.dispose([v, old]);
  });

  it('saves taped tensors without copying them', () => {
    const x = tf.randomNormal([64, 64]);
    const before = buffers();
    let forward = 0;
    const g = tf.grad((t: tf.Tensor) => {
      // relu saves its input, exp its output: clones that share their buffers.
      const s = tf.sum(tf.exp(tf.relu(t)));
      forward = buffers() - before;
      return s;
    })(x);
    expect(forward).toBe(3);
    expect(buffers()).toBe(before + 1);
    tf.dispose([x, g]);
  });
});
