import { beforeAll } from 'vitest';
import * as tf from '../../src/nas/tensor/tf';
import { describeRetrainStepParity } from './retrainStepParity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describeRetrainStepParity('cpu', 1e-4);
