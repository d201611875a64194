/**
 * Which tfjs 4.22 backends can train a DARTS network, and why the others cannot. Hosts (the
 * CLI, the worker) consult this before selecting a backend, so that a user asking for an
 * unsuitable one gets the reason rather than a kernel error mid-search.
 *
 * wasm trains only with the core's kernels registered (`registerWasmTrainingKernels` in
 * ./wasmKernels, after importing @tensorflow/tfjs-backend-wasm): tfjs's own wasm backend has
 * no convolution filter gradients and a wrong MaxPoolGrad.
 */
const TRAINING_BACKENDS = ['cpu', 'wasm', 'webgpu', 'webgl'] as const;

/** Null when `backend` can train; otherwise the reason it cannot. */
export function whyBackendCannotTrain(backend: string): string | null {
  if ((TRAINING_BACKENDS as readonly string[]).includes(backend)) return null;
  return `unknown backend "${backend}"; training backends: ${TRAINING_BACKENDS.join(', ')}`;
}
