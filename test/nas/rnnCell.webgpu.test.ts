import { afterAll, beforeAll } from 'vitest';
import { releaseNodeBackend, useNodeBackend } from '../../src/cli/nodeBackend';
import { describeRnnParity } from './rnnParity';

// tfjs's WebGPU backend on Dawn (npm `webgpu`); SwiftShader where there is no GPU.
beforeAll(async () => {
  await useNodeBackend('webgpu');
});
afterAll(() => releaseNodeBackend());

describeRnnParity('webgpu', 1e-3);
