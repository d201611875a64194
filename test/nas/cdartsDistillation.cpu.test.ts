import { beforeAll } from 'vitest';
import * as tf from '../../src/nas/tensor/tf';
import { describeCdartsDistillationParity } from './cdartsDistillationParity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describeCdartsDistillationParity('cpu', 1e-5);
