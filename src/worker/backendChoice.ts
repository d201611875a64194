/**
 * Backend selection in the browser: WebGPU first; without an adapter, WebGL; then the cpu
 * backend. Reports which one runs and why the better ones did not.
 */
import * as tf from '../nas/tf';
import type { BackendChoice } from './protocol';

export interface BackendSelection {
  readonly backend: string;
  readonly reason: string;
}

interface GpuNavigator {
  readonly gpu?: { requestAdapter(): Promise<unknown> };
}

async function webgpuProblem(): Promise<string | null> {
  const gpu = (globalThis.navigator as GpuNavigator | undefined)?.gpu;
  if (!gpu) return 'this browser exposes no WebGPU (navigator.gpu is missing)';
  try {
    if (!(await gpu.requestAdapter())) return 'WebGPU found no adapter';
  } catch (e) {
    return `WebGPU adapter request failed (${(e as Error).message})`;
  }
  // The backend registers itself at import time, and only where navigator.gpu exists.
  await import('@tensorflow/tfjs-backend-webgpu');
  return (await tf.setBackend('webgpu')) ? null : 'the tfjs WebGPU backend failed to initialise';
}

async function trySet(name: 'webgl' | 'cpu'): Promise<string | null> {
  try {
    return (await tf.setBackend(name)) ? null : `the ${name} backend failed to initialise`;
  } catch (e) {
    return `the ${name} backend failed (${(e as Error).message})`;
  }
}

export async function selectBackend(choice: BackendChoice): Promise<BackendSelection> {
  const problems: string[] = [];
  const order: ('webgpu' | 'webgl' | 'cpu')[] =
    choice === 'auto' ? ['webgpu', 'webgl', 'cpu'] : [choice];
  for (const name of order) {
    const problem = name === 'webgpu' ? await webgpuProblem() : await trySet(name);
    if (problem === null) {
      await tf.ready();
      const why =
        problems.length === 0
          ? choice === 'auto'
            ? `${name} is the first choice and is available`
            : `${name} was requested`
          : `fell back to ${name}: ${problems.join('; ')}`;
      return { backend: name, reason: why };
    }
    problems.push(problem);
  }
  throw new Error(`no backend could start: ${problems.join('; ')}`);
}
