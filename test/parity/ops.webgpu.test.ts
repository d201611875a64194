import { afterAll, beforeAll } from 'vitest';
import { releaseNodeBackend, useNodeBackend } from '../../src/cli/nodeBackend';
import { describeOpsParity } from './opsParity';

// tfjs's WebGPU backend on Dawn (npm `webgpu`); SwiftShader where there is no GPU.
beforeAll(async () => {
  await useNodeBackend('webgpu');
});
afterAll(() => releaseNodeBackend());

describeOpsParity('webgpu', 1e-3);
