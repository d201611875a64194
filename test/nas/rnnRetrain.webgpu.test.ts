import { afterAll, beforeAll } from 'vitest';
import { releaseNodeBackend, useNodeBackend } from '../../src/cli/nodeBackend';
import { describeRnnRetrainParity } from './rnnRetrainParity';

// The PyTorch parity of rnnRetrainParity.ts on tfjs's WebGPU backend on Dawn (npm `webgpu`);
// SwiftShader where there is no GPU.
beforeAll(async () => {
  await useNodeBackend('webgpu');
});
afterAll(() => releaseNodeBackend());

describeRnnRetrainParity('webgpu', 1e-3);
