/**
 * What the four convolution gradient kernels (dense and depthwise; filter and input gradient)
 * read before they compute, written once: their named inputs, the forward pass's geometry from
 * the attributes, the check of dy against it, and the cached identity over channels that the
 * depthwise forms multiply by to keep one channel's block.
 */
import * as tf from '../../tensor/tf';
import type { CompositeInputs } from './compositeKernel';
import { input } from './compositeKernel';
import type { Conv2DInfo } from './windowGeometry';
import { convGeometry, expectShape, shapeAttr } from './windowGeometry';

type Shape4 = [number, number, number, number];

/** A convolution gradient kernel's inputs, whichever of the two it is. */
export interface GradientInputs {
  /** The forward tensor the kernel is given: `x` (filter gradient) or `filter` (input gradient). */
  readonly given: tf.Tensor4D;
  readonly dy: tf.Tensor4D;
  /** The filter's shape: the given filter's, or an attribute of the filter gradient. */
  readonly filterShape: Shape4;
  readonly geometry: Conv2DInfo;
}

/**
 * The inputs of kernel `name`, the gradient of a (dense or depthwise) convolution: with respect
 * to the filter, given `x` (the filter's shape an attribute); with respect to the input, given
 * `filter` (the input's shape an attribute).
 */
export function gradientInputs(
  name: string,
  inputs: CompositeInputs,
  attrs: tf.NamedAttrMap,
  depthwise: boolean,
  given: 'x' | 'filter',
): GradientInputs {
  const forward = input(inputs, given, name) as tf.Tensor4D;
  const dy = input(inputs, 'dy', name) as tf.Tensor4D;
  const other = shapeAttr(attrs, given === 'x' ? 'filterShape' : 'inputShape', name);
  const [inShape, filterShape] = given === 'x' ? [forward.shape, other] : [other, forward.shape];
  const geometry = convGeometry(name, inShape, filterShape, attrs, depthwise);
  expectShape(dy, geometry.outShape, `${name}: dy`);
  return { given: forward, dy, filterShape, geometry };
}

const identityCache = new Map<number, Float32Array>();

/** The identity [n, 1, n] over channels: multiplied in, it keeps out[c, ·, c]. */
export function channelIdentity(n: number): tf.Tensor3D {
  let values = identityCache.get(n);
  if (!values) {
    values = new Float32Array(n * n);
    for (let i = 0; i < n; i++) values[i * n + i] = 1;
    identityCache.set(n, values);
  }
  return tf.tensor3d(values, [n, 1, n]);
}
