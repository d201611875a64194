/**
 * Moving a tensor between this project's layouts and PyTorch's (docs/CONVENTIONS.md "Layouts"):
 * a pure axis permutation, so the values are copied bit for bit and an export read back gives the
 * very same numbers.
 */
import type { TensorLayout } from './dartsStateDict';

/** For each PyTorch axis, the project axis it is (PyTorch = project.permute(...this)). */
const TO_TORCH: Record<TensorLayout, readonly number[] | null> = {
  conv: [3, 2, 0, 1],
  depthwise: [2, 3, 0, 1],
  linear: [1, 0],
  vector: null,
};

/** For each project axis, the PyTorch axis it is (the inverse permutation). */
const FROM_TORCH: Record<TensorLayout, readonly number[] | null> = {
  conv: [2, 3, 1, 0],
  depthwise: [2, 3, 0, 1],
  linear: [1, 0],
  vector: null,
};

function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--)
    out[i] = (out[i + 1] as number) * (shape[i + 1] as number);
  return out;
}

/** `values` of row-major `shape` with its axes reordered: output axis i is input axis perm[i]. */
export function permute(
  values: Float32Array,
  shape: readonly number[],
  perm: readonly number[] | null,
): Float32Array {
  if (perm === null) return values.slice();
  if (perm.length !== shape.length) {
    throw new Error(
      `cannot permute a tensor of shape [${shape.join(', ')}] by [${perm.join(', ')}]`,
    );
  }
  const inStrides = strides(shape);
  const outShape = perm.map((p) => shape[p] as number);
  // The input stride of each output axis, walked in output order.
  const walk = perm.map((p) => inStrides[p] as number);
  const out = new Float32Array(values.length);
  const index = new Array<number>(outShape.length).fill(0);
  let source = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = values[source] as number;
    for (let axis = outShape.length - 1; axis >= 0; axis--) {
      index[axis] = (index[axis] as number) + 1;
      source += walk[axis] as number;
      if ((index[axis] as number) < (outShape[axis] as number)) break;
      source -= (walk[axis] as number) * (outShape[axis] as number);
      index[axis] = 0;
    }
  }
  return out;
}

/** A project tensor (of `shape`, in `layout`) in PyTorch's layout. */
export function toTorch(
  values: Float32Array,
  shape: readonly number[],
  layout: TensorLayout,
): Float32Array {
  return permute(values, shape, TO_TORCH[layout]);
}

/** A PyTorch tensor (of PyTorch `shape`) in the project's `layout`. */
export function fromTorch(
  values: Float32Array,
  shape: readonly number[],
  layout: TensorLayout,
): Float32Array {
  return permute(values, shape, FROM_TORCH[layout]);
}
