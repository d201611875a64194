/**
 * The training kernels tfjs 4.22's wasm backend lacks or gets wrong, registered for 'wasm':
 * the filter and depthwise gradients it does not have, a correct MaxPoolGrad, the gather
 * gradient (UnsortedSegmentSum) and a Conv2DBackpropInput on XNNPACK in place of its slow
 * loop. Each is a composition of kernels the backend runs fast (see the files beside this).
 * And an Identity that shares its input's buffer instead of copying it (`sharedIdentity.ts`):
 * every tensor the gradient tape saves is a clone.
 *
 * Call {@link registerWasmTrainingKernels} after importing `@tensorflow/tfjs-backend-wasm`
 * (which registers the backend's own kernels on import), before training on wasm.
 */
import * as tf from '../../tensor/tf';
import { conv2DBackpropFilterConfig } from './conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from './conv2DBackpropInput';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwiseConv2dNativeBackpropFilter';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwiseConv2dNativeBackpropInput';
import { maxPoolGradConfig } from './maxPoolGrad';
import { unsortedSegmentSumConfig } from './unsortedSegmentSum';
import { sharedIdentityConfig } from './sharedIdentity';

const BACKEND = 'wasm';

const CONFIGS: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterConfig(BACKEND),
  conv2DBackpropInputConfig(BACKEND),
  depthwiseConv2dNativeBackpropFilterConfig(BACKEND),
  depthwiseConv2dNativeBackpropInputConfig(BACKEND),
  maxPoolGradConfig(BACKEND),
  unsortedSegmentSumConfig(BACKEND),
  sharedIdentityConfig(BACKEND),
];

/** The kernel names registered (or replaced) for wasm. */
export const WASM_TRAINING_KERNELS: readonly string[] = CONFIGS.map((c) => c.kernelName);

/**
 * Registers the kernels for 'wasm', replacing the backend's own MaxPoolGrad,
 * Conv2DBackpropInput and Identity. Idempotent. Throws if the wasm backend's kernels are not registered
 * yet: they would replace these when its module is imported afterwards.
 */
export function registerWasmTrainingKernels(): void {
  if (!tf.getKernel('Conv2D', BACKEND)) {
    throw new Error(
      'register the wasm training kernels after importing @tensorflow/tfjs-backend-wasm',
    );
  }
  for (const config of CONFIGS) {
    const current = tf.getKernel(config.kernelName, BACKEND);
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current) tf.unregisterKernel(config.kernelName, BACKEND);
    tf.registerKernel(config);
  }
}
