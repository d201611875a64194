import { beforeAll } from 'vitest';
import * as tf from '../../src/nas/tensor/tf';
import { describeEvalNetworkParity } from './evalNetworkParity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describeEvalNetworkParity('cpu', 1e-4);
