/** The recurrent loss's hand-written gradients (rnnLossGradients.ts) on tfjs's wasm backend. */
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll } from 'vitest';
import * as tf from '../../src/nas/tensor/tf';
import { registerWasmTrainingKernels } from '../../src/nas/backends/wasmKernels/index';
import { describeRnnLossGradients } from './rnnLossGradients';

beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
});

describeRnnLossGradients('wasm', 1e-5);
