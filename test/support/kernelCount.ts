/**
 * Counts the kernels tfjs dispatches while a function runs: every registered-kernel invocation
 * the engine makes, forward and backward (gradient functions are ops too), on any backend.
 *
 * It wraps the engine's one dispatch point, `runKernelFunc` (private in tfjs 4.22, reached by
 * `runKernel` and by `customGrad`), instead of `tf.profile`: profiling times every kernel and
 * takes the peak memory with a spread over all kernels, which overflows the argument limit on
 * large steps (a few hundred thousand kernels). A `customGrad` wrapper is not a kernel and is not
 * counted (its inner ops are). Kernels a backend runs internally, without the engine, are not counted either; variable
 * assignment dispatches nothing.
 */
import * as tf from '../../src/nas/tensor/tf';

export interface KernelCount {
  readonly total: number;
  /** Dispatches per kernel name (Conv2D, Relu, …), most frequent first. */
  readonly byName: ReadonlyMap<string, number>;
}

interface KernelInvocation {
  readonly kernelName?: string;
}

interface DispatchingEngine {
  runKernelFunc(params: KernelInvocation): unknown;
}

/** Runs `f`, disposes the tensors it returns and counts the kernels dispatched meanwhile. */
export async function countKernels(
  f: () => tf.TensorContainer | Promise<tf.TensorContainer>,
): Promise<KernelCount> {
  const engine = tf.engine() as unknown as DispatchingEngine;
  if (Object.prototype.hasOwnProperty.call(engine, 'runKernelFunc')) {
    throw new Error('countKernels cannot be nested: the engine is already being counted');
  }
  const dispatch = engine.runKernelFunc;
  if (typeof dispatch !== 'function') {
    throw new Error('this tfjs engine has no runKernelFunc: countKernels needs tfjs 4.x');
  }
  const counts = new Map<string, number>();
  engine.runKernelFunc = function (this: DispatchingEngine, params: KernelInvocation) {
    if (params.kernelName !== undefined) {
      counts.set(params.kernelName, (counts.get(params.kernelName) ?? 0) + 1);
    }
    return dispatch.call(this, params);
  };
  try {
    tf.dispose(await f());
  } finally {
    delete (engine as Partial<DispatchingEngine>).runKernelFunc;
  }
  const byName = new Map([...counts].sort((a, b) => b[1] - a[1]));
  let total = 0;
  for (const n of byName.values()) total += n;
  return { total, byName };
}

/** `byName` as one line, e.g. `Conv2D 120, Relu 80`, for reports and failure messages. */
export function formatKernelCount(count: KernelCount, top = 12): string {
  const parts = [...count.byName].slice(0, top).map(([name, n]) => `${name} ${n}`);
  return `${count.total} kernels (${parts.join(', ')}${count.byName.size > top ? ', …' : ''})`;
}
