import '@tensorflow/tfjs-backend-wasm';
import { beforeAll } from 'vitest';
import * as tf from '../../src/nas/tensor/tf';
import { registerWasmTrainingKernels } from '../../src/nas/backends/wasmKernels/index';
import { describeBnRecalibrationParity } from './bnRecalibrationParity';

// tfjs's wasm backend (XNNPACK) with the core's training kernels (src/nas/backends/wasmKernels).
beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
});

describeBnRecalibrationParity('wasm', 1e-4);
