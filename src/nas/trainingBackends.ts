/**
 * Which tfjs 4.22 backends can train a DARTS network, and why the others cannot. Hosts (the
 * CLI, the worker) consult this before selecting a backend, so that a user asking for an
 * unsuitable one gets the reason rather than a kernel error mid-search.
 */
export const TRAINING_BACKENDS = ['cpu', 'webgpu', 'webgl'] as const;

const REASONS: Readonly<Record<string, string>> = {
  wasm:
    'the wasm backend cannot train convolutions in tfjs 4.22: Conv2DBackpropFilter and the ' +
    'depthwise gradient kernels are not registered, and its MaxPoolGrad gives wrong values',
};

/** Null when `backend` can train; otherwise the reason it cannot. */
export function whyBackendCannotTrain(backend: string): string | null {
  if ((TRAINING_BACKENDS as readonly string[]).includes(backend)) return null;
  return (
    REASONS[backend] ??
    `unknown backend "${backend}"; training backends: ${TRAINING_BACKENDS.join(', ')}`
  );
}
