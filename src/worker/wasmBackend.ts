/**
 * tfjs's wasm backend in the browser, set up to train: its three binaries (plain, SIMD,
 * threaded SIMD) are emitted by the Vite build and fetched from the page's own origin, and the
 * core's training kernels (src/nas/backends/wasmKernels) are registered over the backend's own. tfjs
 * picks the threaded SIMD binary only where SharedArrayBuffer is usable, that is in a
 * cross-origin isolated page (COOP same-origin + COEP require-corp, see README).
 */
import plainWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import * as tf from '../nas/tensor/tf';
import { registerWasmTrainingKernels } from '../nas/backends/wasmKernels/index';

let registered = false;

/** Imports the backend (it registers itself), points it at the binaries, adds the kernels. */
export async function registerBrowserWasm(): Promise<void> {
  if (registered) return;
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths({
    'tfjs-backend-wasm.wasm': plainWasm,
    'tfjs-backend-wasm-simd.wasm': simdWasm,
    'tfjs-backend-wasm-threaded-simd.wasm': threadedSimdWasm,
  });
  registerWasmTrainingKernels();
  registered = true;
}

/** How the running wasm backend runs, e.g. "SIMD, 2 threads (cross-origin isolated)". */
export async function describeWasmBackend(): Promise<string> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = wasm.getThreadsCount();
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  return (
    `${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'}` +
    (isolated ? ' (cross-origin isolated)' : ' (not cross-origin isolated: no threads)')
  );
}
