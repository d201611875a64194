/**
 * Conv2DBackpropInput: the stride-1 'valid' convolution of the spread and placed dy with the
 * filter flipped in space and with its channel axes swapped, on XNNPACK. The wasm backend has
 * this kernel, but its own loop is 10–40 times slower than the convolution.
 */
import * as tf from '../../tensor/tf';
import type { CompositeInputs } from './compositeKernel';
import { compositeKernel } from './compositeKernel';
import { gradientInputs } from './convGradientInputs';
import { transposedConvInput } from './spatialLayout';

const NAME = 'Conv2DBackpropInput';

function conv2DBackpropInput(inputs: CompositeInputs, attrs: tf.NamedAttrMap): tf.Tensor {
  const { given: filter, dy, geometry } = gradientInputs(NAME, inputs, attrs, false, 'filter');
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  const spread = transposedConvInput(dy, geometry.inHeight, geometry.inWidth, geometry);
  return tf.conv2d(spread, flipped, 1, 'valid');
}

export const conv2DBackpropInputConfig = (backendName: string): tf.KernelConfig =>
  compositeKernel(NAME, backendName, conv2DBackpropInput);
