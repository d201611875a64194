import { afterAll, beforeAll } from 'vitest';
import { releaseNodeBackend, useNodeBackend } from '../../src/cli/nodeBackend';
import { describePcDartsParity } from './pcdartsParity';

// tfjs's WebGPU backend on Dawn (npm `webgpu`); SwiftShader where there is no GPU, where one
// network gradient takes minutes: the mixed ops, the forward and the first-order gradients only
// (`slow`), at 1e-3 as the other WebGPU parity tests.
beforeAll(async () => {
  await useNodeBackend('webgpu');
});
afterAll(() => releaseNodeBackend());

describePcDartsParity('webgpu', 1e-3, 3e-3, true);
