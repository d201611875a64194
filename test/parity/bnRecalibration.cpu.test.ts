import { beforeAll } from 'vitest';
import * as tf from '../../src/nas/tensor/tf';
import { describeBnRecalibrationParity } from './bnRecalibrationParity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describeBnRecalibrationParity('cpu', 1e-4);
