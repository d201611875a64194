/**
 * Backend selection in the browser: WebGPU first; then tfjs's wasm backend with the core's
 * training kernels, then WebGL (the order measured in headless Chromium: docs/DECISIONS.md,
 * "Backends in the browser"); then the cpu backend. Reports which one runs and why the
 * better ones did not.
 */
import * as tf from '../nas/tensor/tf';
import type { BackendChoice } from './protocol';
import { describeWasmBackend, registerBrowserWasm } from './wasmBackend';

export interface BackendSelection {
  readonly backend: string;
  readonly reason: string;
}

export type BackendName = Exclude<BackendChoice, 'auto'>;

/** What 'auto' tries, best first. */
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'wasm', 'webgl', 'cpu'];

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

async function trySet(name: 'wasm' | 'webgl' | 'cpu'): Promise<string | null> {
  try {
    if (name === 'wasm') {
      if (typeof WebAssembly === 'undefined') return 'this browser has no WebAssembly';
      await registerBrowserWasm();
    }
    return (await tf.setBackend(name)) ? null : `the ${name} backend failed to initialise`;
  } catch (e) {
    return `the ${name} backend failed (${(e as Error).message})`;
  }
}

/** The backends after `name` in BACKEND_ORDER (all of them for an unknown name). */
export function backendsAfter(name: string): BackendName[] {
  const i = BACKEND_ORDER.indexOf(name as BackendName);
  return BACKEND_ORDER.slice(i + 1);
}

/** Tries `order` in turn; the first that starts runs. */
export async function selectFirst(
  order: readonly BackendName[],
  requested: boolean,
): Promise<BackendSelection> {
  const problems: string[] = [];
  for (const name of order) {
    const problem = name === 'webgpu' ? await webgpuProblem() : await trySet(name);
    if (problem === null) {
      await tf.ready();
      const detail = name === 'wasm' ? ` (${await describeWasmBackend()})` : '';
      const why =
        problems.length === 0
          ? requested
            ? `${name} was requested${detail}`
            : `${name} is the first choice and is available${detail}`
          : `fell back to ${name}${detail}: ${problems.join('; ')}`;
      return { backend: name, reason: why };
    }
    problems.push(problem);
  }
  throw new Error(`no backend could start: ${problems.join('; ')}`);
}

export async function selectBackend(choice: BackendChoice): Promise<BackendSelection> {
  return choice === 'auto' ? selectFirst(BACKEND_ORDER, false) : selectFirst([choice], true);
}
