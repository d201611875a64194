/** The alpha Hessian's eigenvalue against PyTorch on tfjs's wasm backend (alphaHessianParity.ts). */
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll } from 'vitest';
import * as tf from '../../src/nas/tensor/tf';
import { registerWasmTrainingKernels } from '../../src/nas/backends/wasmKernels/index';
import { describeAlphaHessianParity } from './alphaHessianParity';

beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
});

describeAlphaHessianParity('wasm');
