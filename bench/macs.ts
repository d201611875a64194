/**
 * Multiply-accumulates of one tfjs kernel invocation, from its name and its input and output
 * shapes (what the engine's profiling hook records). Convolutions (forward and both gradients,
 * dense and depthwise) and matrix products are counted; everything else (elementwise work,
 * pooling, BatchNorm) is not, as in the usual MAC figures of DARTS networks.
 */

export interface KernelShapes {
  readonly name: string;
  readonly inputShapes: readonly (readonly number[] | null)[];
  readonly outputShapes: readonly (readonly number[])[];
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** MACs of a dense convolution whose output (or output gradient) is `out`, filter `filter`. */
function denseConv(out: readonly number[], filter: readonly number[]): number {
  const outChannels = filter[3] ?? 1;
  return (product(out) * product(filter)) / outChannels;
}

/** MACs of a depthwise convolution: each output element takes kh·kw products. */
function depthwiseConv(out: readonly number[], filter: readonly number[]): number {
  return product(out) * (filter[0] ?? 1) * (filter[1] ?? 1);
}

/** MACs of [.., m, k] × [.., k, n] (either side possibly transposed) giving [.., m, n]. */
function matMul(a: readonly number[], out: readonly number[]): number {
  const n = out[out.length - 1] ?? 1;
  const k = (product(a) * n) / product(out);
  return product(out) * k;
}

export function kernelMacs(kernel: KernelShapes): number {
  const [first, second] = kernel.inputShapes;
  const out = kernel.outputShapes[0];
  if (!first || !out) return 0;
  switch (kernel.name) {
    case 'Conv2D':
    case 'FusedConv2D':
      return second ? denseConv(out, second) : 0;
    case 'Conv2DBackpropInput':
      // inputs: dy, filter; output: dx
      return second ? denseConv(first, second) : 0;
    case 'Conv2DBackpropFilter':
      // inputs: x, dy; output: the filter gradient
      return second ? denseConv(second, out) : 0;
    case 'DepthwiseConv2dNative':
    case 'FusedDepthwiseConv2D':
      return second ? depthwiseConv(out, second) : 0;
    case 'DepthwiseConv2dNativeBackpropInput':
      return second ? depthwiseConv(first, second) : 0;
    case 'DepthwiseConv2dNativeBackpropFilter':
      return second ? depthwiseConv(second, out) : 0;
    case 'BatchMatMul':
    case '_FusedMatMul':
      return matMul(first, out);
    default:
      return 0;
  }
}
