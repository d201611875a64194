/** The alpha Hessian's eigenvalue against PyTorch on tfjs's cpu backend (alphaHessianParity.ts). */
import { beforeAll } from 'vitest';
import * as tf from '../../src/nas/tensor/tf';
import { describeAlphaHessianParity } from './alphaHessianParity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describeAlphaHessianParity('cpu');
