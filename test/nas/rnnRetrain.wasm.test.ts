import '@tensorflow/tfjs-backend-wasm';
import { beforeAll } from 'vitest';
import * as tf from '../../src/nas/tensor/tf';
import { registerWasmTrainingKernels } from '../../src/nas/backends/wasmKernels/index';
import { describeRnnRetrainParity } from './rnnRetrainParity';

// The PyTorch parity of rnnRetrainParity.ts on tfjs's wasm backend with the core's training kernels
// (src/nas/backends/wasmKernels), at the cpu backend's tolerance.
beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
});

describeRnnRetrainParity('wasm', 1e-4);
