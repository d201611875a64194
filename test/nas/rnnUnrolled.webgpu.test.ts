import { afterAll, beforeAll } from 'vitest';
import { releaseNodeBackend, useNodeBackend } from '../../src/cli/nodeBackend';
import { describeRnnUnrolledParity } from './rnnUnrolledParity';

// The PyTorch parity of rnnUnrolledParity.ts on tfjs's WebGPU backend on Dawn (npm `webgpu`);
// SwiftShader where there is no GPU.
beforeAll(async () => {
  await useNodeBackend('webgpu');
});
afterAll(() => releaseNodeBackend());

// The first-order / η = 0 relations are left to cpu and wasm: four more gradients on SwiftShader.
describeRnnUnrolledParity('webgpu', 1e-3, { relations: false });
