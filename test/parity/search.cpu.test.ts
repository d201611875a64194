import { beforeAll } from 'vitest';
import * as tf from '../../src/nas/tensor/tf';
import { describeSearchParity } from './searchParity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describeSearchParity('cpu', 1e-4, 1e-3);
