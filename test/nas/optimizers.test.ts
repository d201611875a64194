import { beforeAll, describe, expect, it } from 'vitest';
import { createAdam, disposeAdam } from '../../src/nas/optim/adam';
import { createSgd, disposeSgd } from '../../src/nas/optim/sgd';
import * as tf from '../../src/nas/tensor/tf';
import { describeOptimizerParity } from './optimizerParity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describeOptimizerParity('cpu');

describe('optimizer state of two networks side by side', () => {
  it('lets two SGD and Adam states over the same parameter names live at once', () => {
    const a = { w: tf.variable(tf.zeros([2])) };
    const b = { w: tf.variable(tf.zeros([2])) };
    const sgdA = createSgd(a, { momentum: 0.9, weightDecay: 0 });
    const sgdB = createSgd(b, { momentum: 0.9, weightDecay: 0 });
    const adamA = createAdam(a, { beta1: 0.5, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    const adamB = createAdam(b, { beta1: 0.5, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    expect(sgdA.buffers.w).not.toBe(sgdB.buffers.w);
    disposeSgd(sgdA);
    disposeSgd(sgdB);
    disposeAdam(adamA);
    disposeAdam(adamB);
    tf.dispose([a.w, b.w]);
  });
});
