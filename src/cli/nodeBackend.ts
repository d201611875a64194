/**
 * Backend setup for Node: tfjs's wasm backend (XNNPACK, SIMD; one thread in Node) with the
 * core's training kernels, the default and the fastest on a CPU; the plain-JavaScript cpu
 * backend; or tfjs's WebGPU backend on Dawn through the npm package `webgpu`. Without a GPU,
 * Dawn runs on SwiftShader: Debian's chromium package ships its Vulkan ICD, and the adapter
 * must be requested as a fallback adapter.
 */
import { existsSync } from 'node:fs';
import * as tf from '../nas/tensor/tf';
import { registerWasmTrainingKernels } from '../nas/backends/wasmKernels/index';

export type NodeBackendName = 'cpu' | 'wasm' | 'webgpu';

/** The default: on a CPU, the wasm backend trains a supernet 40 times faster than cpu. */
export const DEFAULT_NODE_BACKEND: NodeBackendName = 'wasm';

let wasmRegistered = false;

/** Imports the wasm backend (it registers itself and its kernels) and adds the training kernels. */
async function registerWasm(): Promise<void> {
  if (wasmRegistered) return;
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
  wasmRegistered = true;
}

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

interface GpuLike {
  requestAdapter(options?: Record<string, unknown>): Promise<unknown>;
}

let webgpuRegistered = false;
/**
 * What `releaseNodeBackend` takes away and a later `useNodeBackend('webgpu')` in the same process
 * (the next run of an experiment) puts back: the adapter source on `navigator.gpu` and the
 * backend's factory, which tfjs's backend registers only when its module is first imported.
 */
let webgpuGpu: GpuLike | null = null;
let webgpuFactory: ReturnType<typeof tf.findBackendFactory> | null = null;

function exposeGpu(gpu: GpuLike): void {
  const nav = (globalThis as unknown as { navigator?: object }).navigator;
  if (nav) {
    Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  }
}

async function registerWebgpu(): Promise<void> {
  if (webgpuRegistered) {
    if (webgpuGpu) exposeGpu(webgpuGpu);
    if (webgpuFactory && !tf.findBackendFactory('webgpu')) {
      tf.registerBackend('webgpu', webgpuFactory);
    }
    return;
  }
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  let webgpu: { create(flags: string[]): unknown; globals: Record<string, unknown> };
  try {
    webgpu = (await import('webgpu')) as unknown as typeof webgpu;
  } catch (e) {
    throw new Error(`the webgpu backend needs the npm package "webgpu" (${(e as Error).message})`);
  }
  Object.assign(globalThis, webgpu.globals);
  const gpu = webgpu.create([]) as GpuLike;
  const request = gpu.requestAdapter.bind(gpu);
  // SwiftShader is only offered as a fallback adapter; a real GPU is preferred when present.
  gpu.requestAdapter = async (options = {}) =>
    (await request(options)) ?? (await request({ ...options, forceFallbackAdapter: true }));
  exposeGpu(gpu);
  webgpuGpu = gpu;
  // The backend registers itself at import time only if navigator.gpu exists.
  await import('@tensorflow/tfjs-backend-webgpu');
  webgpuRegistered = true;
}

/** Selects the backend; throws a message saying why when it cannot be used. */
export async function useNodeBackend(name: NodeBackendName): Promise<void> {
  if (name === 'webgpu') await registerWebgpu();
  if (name === 'wasm') await registerWasm();
  const ok = await tf.setBackend(name);
  if (!ok) {
    throw new Error(
      name === 'webgpu'
        ? `WebGPU is not available: no adapter (on a machine without a GPU, install Debian's chromium for ${SWIFTSHADER_ICD})`
        : `backend "${name}" failed to initialise`,
    );
  }
  await tf.ready();
}

/** Releases the WebGPU device so that Node can exit. */
export function releaseNodeBackend(): void {
  if (tf.getBackend() === 'webgpu') {
    webgpuFactory = tf.findBackendFactory('webgpu') ?? webgpuFactory;
    tf.removeBackend('webgpu');
  }
  const nav = (globalThis as unknown as { navigator?: { gpu?: unknown } }).navigator;
  if (nav && 'gpu' in nav) delete nav.gpu;
}
