/**
 * Conv2DBackpropInput: the stride-1 'valid' convolution of the spread and placed dy with the
 * filter flipped in space and with its channel axes swapped, on XNNPACK. The wasm backend has
 * this kernel, but its own loop is 10–40 times slower than the convolution.
 */
import * as tf from '../../tensor/tf';
import type { CompositeInputs } from './compositeKernel';
import { compositeKernel, input } from './compositeKernel';
import { transposedConvInput } from './spatialLayout';
import { convGeometry, expectShape, shapeAttr } from './windowGeometry';

const NAME = 'Conv2DBackpropInput';

function conv2DBackpropInput(inputs: CompositeInputs, attrs: tf.NamedAttrMap): tf.Tensor {
  const dy = input(inputs, 'dy', NAME) as tf.Tensor4D;
  const filter = input(inputs, 'filter', NAME) as tf.Tensor4D;
  const inShape = shapeAttr(attrs, 'inputShape', NAME);
  const geometry = convGeometry(NAME, inShape, filter.shape, attrs, false);
  expectShape(dy, geometry.outShape, `${NAME}: dy`);
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  const spread = transposedConvInput(dy, geometry.inHeight, geometry.inWidth, geometry);
  return tf.conv2d(spread, flipped, 1, 'valid');
}

export const conv2DBackpropInputConfig = (backendName: string): tf.KernelConfig =>
  compositeKernel(NAME, backendName, conv2DBackpropInput);
