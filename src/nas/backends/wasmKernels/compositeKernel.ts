/**
 * A kernel for tfjs's registry written as a composition of tfjs ops. Kernels run with the
 * gradient tape off (the engine's kernel depth is above zero), so the ops inside record
 * nothing; the engine accepts a Tensor as a kernel's output and uses it as it is. The ops run
 * on the backend the kernel was dispatched to, inside a tidy that frees every intermediate.
 */
import * as tf from '../../tensor/tf';

export type CompositeInputs = Readonly<Record<string, tf.Tensor>>;

/** The body of a composite kernel: named input tensors and the kernel's attributes. */
export type CompositeBody = (inputs: CompositeInputs, attrs: tf.NamedAttrMap) => tf.Tensor;

/**
 * The input as a Tensor. Ops hand kernels their Tensors; a bare TensorInfo (a backend calling
 * the kernel directly) gets a wrapper that holds its own reference to the data, released when
 * the surrounding tidy disposes the wrapper.
 */
function asTensor(info: tf.TensorInfo): tf.Tensor {
  if (info instanceof tf.Tensor) return info;
  const engine = tf.engine();
  engine.backend.incRef(info.dataId);
  return engine.makeTensorFromTensorInfo(info);
}

export function compositeKernel(
  kernelName: string,
  backendName: string,
  body: CompositeBody,
): tf.KernelConfig {
  return {
    kernelName,
    backendName,
    kernelFunc: ({ inputs, attrs }) =>
      tf.tidy(() => {
        const tensors: Record<string, tf.Tensor> = {};
        for (const [name, info] of Object.entries(inputs)) {
          if (info === undefined) throw new Error(`${kernelName}: input "${name}" is missing`);
          tensors[name] = asTensor(info);
        }
        return body(tensors, attrs ?? {});
      }),
  };
}

/** The named input; throws naming the kernel when it is absent. */
export function input(inputs: CompositeInputs, name: string, kernelName: string): tf.Tensor {
  const t = inputs[name];
  if (!t) throw new Error(`${kernelName}: input "${name}" is missing`);
  return t;
}
