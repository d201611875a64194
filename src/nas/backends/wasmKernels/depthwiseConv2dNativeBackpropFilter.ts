/**
 * DepthwiseConv2dNativeBackpropFilter on XNNPACK, in one of two forms (whichever runs faster
 * for the shape; both exact up to float round-off):
 *
 * - diagonal: the dense filter-gradient convolution ({@link tapCorrelations}) correlates every
 *   input channel with every dy channel; the depthwise gradient is its diagonal,
 *   dW[kh, kw, c, 0] = out[c, kh, kw, c]. Few channels, multiplier 1: the waste (C×) is
 *   cheaper than the alternative's slower kernel.
 * - packed: one depthwise convolution whose image is the padded input with the batch laid side
 *   by side along the width, [1, H′, N·P, C], and whose filter is dy laid out the same way,
 *   [OH, ·, C, M], dilated by the forward stride: out[kh, kw, c·M + m] sums x · dy over the
 *   batch and the output positions. Blocks of width P ≥ the padded input width keep the
 *   images apart.
 */
import * as tf from '../../tensor/tf';
import type { CompositeInputs } from './compositeKernel';
import { compositeKernel } from './compositeKernel';
import { tapCorrelations } from './conv2DBackpropFilter';
import { channelIdentity, gradientInputs } from './convGradientInputs';
import { placeSpatially } from './spatialLayout';
import type { Conv2DInfo } from './windowGeometry';

const NAME = 'DepthwiseConv2dNativeBackpropFilter';

/** Up to this many channels (multiplier 1), the diagonal form is the faster one. */
const DIAGONAL_MAX_CHANNELS = 16;

function diagonalGradient(x: tf.Tensor4D, dy: tf.Tensor4D, geometry: Conv2DInfo): tf.Tensor {
  const channels = x.shape[3];
  const taps = geometry.filterHeight * geometry.filterWidth;
  const all = tf.reshape(tapCorrelations(x, dy, geometry), [channels, taps, channels]);
  return tf.sum(tf.mul(all, channelIdentity(channels)), 0);
}

function packedGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  geometry: Conv2DInfo,
  multiplier: number,
): tf.Tensor {
  const { filterHeight: kh, filterWidth: kw, strideHeight, strideWidth, padInfo } = geometry;
  const [n, , , channels] = x.shape;
  const [, oh, ow, dyChannels] = dy.shape;
  const height = (oh - 1) * strideHeight + kh;
  // Image blocks of width P (a multiple of the stride), dy blocks of width P / stride.
  const dyBlock = Math.ceil(((ow - 1) * strideWidth + kw) / strideWidth);
  const block = dyBlock * strideWidth;
  const framed = placeSpatially(x, padInfo.top, height, padInfo.left, block);
  const image = tf.reshape(tf.transpose(framed, [1, 0, 2, 3]), [1, height, n * block, channels]);
  const dyFramed = placeSpatially(dy, 0, oh, 0, dyBlock);
  const rows = tf.reshape(tf.transpose(dyFramed, [1, 0, 2, 3]), [oh, n * dyBlock, dyChannels]);
  const filterWidth = (n - 1) * dyBlock + ow;
  const filter = tf.reshape(tf.slice(rows, [0, 0, 0], [oh, filterWidth, dyChannels]), [
    oh,
    filterWidth,
    channels,
    multiplier,
  ]);
  const out = tf.depthwiseConv2d(image as tf.Tensor4D, filter as tf.Tensor4D, 1, 'valid', 'NHWC', [
    strideHeight,
    strideWidth,
  ]);
  return tf.slice(out, [0, 0, 0, 0], [1, kh, kw, dyChannels]);
}

function depthwiseConv2dNativeBackpropFilter(
  inputs: CompositeInputs,
  attrs: tf.NamedAttrMap,
): tf.Tensor {
  const g = gradientInputs(NAME, inputs, attrs, true, 'x');
  const { given: x, dy, filterShape, geometry } = g;
  const [, , channels, multiplier] = filterShape;
  const gradient =
    multiplier === 1 && channels <= DIAGONAL_MAX_CHANNELS
      ? diagonalGradient(x, dy, geometry)
      : packedGradient(x, dy, geometry, multiplier);
  return tf.reshape(gradient, filterShape);
}

export const depthwiseConv2dNativeBackpropFilterConfig = (backendName: string): tf.KernelConfig =>
  compositeKernel(NAME, backendName, depthwiseConv2dNativeBackpropFilter);
