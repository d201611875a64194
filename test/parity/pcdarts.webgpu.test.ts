import { afterAll, beforeAll } from 'vitest';
import { releaseNodeBackend, useNodeBackend } from '../../src/cli/nodeBackend';
import { describePcDartsParity } from './pcdartsParity';

// tfjs's WebGPU backend on Dawn (npm `webgpu`); SwiftShader where there is no GPU. 1e-3 as the
// other WebGPU parity tests; the unrolled gradient at the float32 bound of search.wasm.test.ts.
beforeAll(async () => {
  await useNodeBackend('webgpu');
});
afterAll(() => releaseNodeBackend());

describePcDartsParity('webgpu', 1e-3, 3e-3);
