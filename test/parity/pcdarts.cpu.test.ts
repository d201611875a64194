import { beforeAll } from 'vitest';
import * as tf from '../../src/nas/tensor/tf';
import { describePcDartsParity } from './pcdartsParity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describePcDartsParity('cpu', 1e-4, 1e-3);
