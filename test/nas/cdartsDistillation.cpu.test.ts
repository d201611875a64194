import { beforeAll } from 'vitest';
import * as tf from '../../src/nas/tf';
import { describeCdartsDistillationParity } from './cdartsDistillationParity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describeCdartsDistillationParity('cpu', 1e-5);
