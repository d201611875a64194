import { beforeAll } from 'vitest';
import * as tf from '../../src/nas/tensor/tf';
import { describeOpsParity } from './opsParity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describeOpsParity('cpu', 1e-4);
