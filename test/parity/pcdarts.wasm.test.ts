import '@tensorflow/tfjs-backend-wasm';
import { beforeAll } from 'vitest';
import * as tf from '../../src/nas/tensor/tf';
import { registerWasmTrainingKernels } from '../../src/nas/backends/wasmKernels/index';
import { describePcDartsParity } from './pcdartsParity';

// tfjs's wasm backend with the core's training kernels, as search.wasm.test.ts; the unrolled
// gradient's finite difference amplifies float32 round-off (see there): 3e-3.
beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
});

describePcDartsParity('wasm', 1e-4, 3e-3);
