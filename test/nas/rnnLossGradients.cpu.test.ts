/** The recurrent loss's hand-written gradients (rnnLossGradients.ts) on the cpu backend. */
import { beforeAll } from 'vitest';
import * as tf from '../../src/nas/tensor/tf';
import { describeRnnLossGradients } from './rnnLossGradients';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describeRnnLossGradients('cpu', 1e-5);
