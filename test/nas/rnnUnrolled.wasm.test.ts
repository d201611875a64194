import '@tensorflow/tfjs-backend-wasm';
import { beforeAll } from 'vitest';
import * as tf from '../../src/nas/tensor/tf';
import { registerWasmTrainingKernels } from '../../src/nas/backends/wasmKernels/index';
import { describeRnnUnrolledParity } from './rnnUnrolledParity';

// The PyTorch parity of rnnUnrolledParity.ts on tfjs's wasm backend with the core's training kernels
// (src/nas/backends/wasmKernels), at the cpu backend's tolerance.
beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
});

describeRnnUnrolledParity('wasm', 1e-4);
