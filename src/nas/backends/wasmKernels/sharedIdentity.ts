/**
 * Identity sharing its input's buffer, as the cpu, WebGL and WebGPU backends' Identity does
 * (one more reference to the same data). The wasm backend's own Identity copies the data, and
 * tfjs runs Identity for every `clone`, above all for every tensor the gradient tape saves: on
 * wasm a taped forward held each saved tensor twice (measured on a fused search cell at C 8,
 * batch 16, 32×32: 474 MiB of buffers saved instead of 281; docs/BENCHMARKS.md, issue 16).
 * Sharing is safe because tfjs tensors never change in place (a variable's `assign` points it at
 * other data).
 */
import type * as tf from '../../tensor/tf';

/** The wasm backend's reference count on a buffer (its Reshape kernel uses it the same way). */
interface SharingBackend {
  incRef(dataId: tf.DataId): void;
}

export function sharedIdentityConfig(backendName: string): tf.KernelConfig {
  return {
    kernelName: 'Identity',
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      (backend as unknown as SharingBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  };
}
