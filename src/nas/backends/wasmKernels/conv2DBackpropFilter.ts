/**
 * Conv2DBackpropFilter as one XNNPACK convolution. With x′ = the padded input transposed to
 * [inChannels, height, width, batch] and dy′ = dy transposed to [outHeight, outWidth, batch,
 * outChannels], the filter gradient dW[kh, kw, ci, co] = Σ x[n, oh·s + kh − top, ow·s + kw −
 * left, ci] · dy[n, oh, ow, co] is the stride-1 'valid' convolution of x′ with dy′ dilated by
 * the forward stride: out[ci, kh, kw, co], transposed to the filter's layout. A 1×1, stride-1,
 * unpadded convolution (the cells' pointwise convs) is the matrix product xᵀ·dy instead.
 */
import * as tf from '../../tensor/tf';
import type { CompositeInputs } from './compositeKernel';
import { compositeKernel } from './compositeKernel';
import { gradientInputs } from './convGradientInputs';
import { placeSpatially } from './spatialLayout';
import type { Conv2DInfo } from './windowGeometry';

const NAME = 'Conv2DBackpropFilter';

/**
 * The correlation of every input channel with every dy channel at each filter tap:
 * [inChannels, filterHeight, filterWidth, dyChannels].
 */
export function tapCorrelations(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  geometry: Conv2DInfo,
): tf.Tensor4D {
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = geometry;
  const [, outHeight, outWidth] = dy.shape;
  const framed = placeSpatially(
    x,
    padInfo.top,
    (outHeight - 1) * strideHeight + filterHeight,
    padInfo.left,
    (outWidth - 1) * strideWidth + filterWidth,
  );
  const images = tf.transpose(framed, [3, 1, 2, 0]) as tf.Tensor4D;
  const filters = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
  return tf.conv2d(images, filters, 1, 'valid', 'NHWC', [strideHeight, strideWidth]);
}

/** True for a 1×1, stride-1, unpadded convolution: the filter gradient is xᵀ·dy. */
function isPointwise(geometry: Conv2DInfo): boolean {
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = geometry;
  const { top, bottom, left, right } = padInfo;
  return (
    filterHeight === 1 &&
    filterWidth === 1 &&
    strideHeight === 1 &&
    strideWidth === 1 &&
    top + bottom + left + right === 0
  );
}

function conv2DBackpropFilter(inputs: CompositeInputs, attrs: tf.NamedAttrMap): tf.Tensor {
  const g = gradientInputs(NAME, inputs, attrs, false, 'x');
  const { given: x, dy, filterShape, geometry } = g;
  if (isPointwise(geometry)) {
    const [, , cIn, cOut] = filterShape;
    const pixels = x.size / cIn;
    // The wasm matMul is fast only untransposed: transpose x explicitly (a cheap copy).
    const xt = tf.transpose(tf.reshape(x, [pixels, cIn]));
    return tf.reshape(tf.matMul(xt, tf.reshape(dy, [pixels, cOut])), filterShape);
  }
  return tf.transpose(tapCorrelations(x, dy, geometry), [1, 2, 0, 3]);
}

export const conv2DBackpropFilterConfig = (backendName: string): tf.KernelConfig =>
  compositeKernel(NAME, backendName, conv2DBackpropFilter);
