/**
 * DepthwiseConv2dNativeBackpropInput: a stride-1 'valid' convolution of the spread and placed
 * dy with the spatially flipped filter, on XNNPACK. Usually a depthwise convolution over the
 * C·M dy channels, then (multiplier M > 1) a sum of each input channel's M outputs. XNNPACK has
 * no fast depthwise kernel above 25 taps: there, with M ≥ {@link BLOCK_MIN_MULTIPLIER}, a dense
 * convolution with a block-diagonal filter [kh, kw, g·M, g] per group of g channels is faster
 * although it does g times the work (measured on 9×9 filters: 1.2–1.8× faster for M = 16, the
 * fused cell's; slower for M = 4 and for 3×3 and 5×5 filters).
 */
import * as tf from '../../tensor/tf';
import type { CompositeInputs } from './compositeKernel';
import { compositeKernel } from './compositeKernel';
import { channelIdentity, gradientInputs } from './convGradientInputs';
import { transposedConvInput } from './spatialLayout';
import type { Conv2DInfo } from './windowGeometry';

const NAME = 'DepthwiseConv2dNativeBackpropInput';

/** Channels per block-diagonal convolution (the waste factor). */
const BLOCK_CHANNELS = 8;

/** The block-diagonal form is used above this many filter taps (XNNPACK's unipass limit)… */
const BLOCK_MIN_TAPS = 26;

/** …and from this channel multiplier up. */
const BLOCK_MIN_MULTIPLIER = 8;

/** Channels [first, first + g) of the flipped filter as a dense block-diagonal filter. */
function blockDiagonal(flipped: tf.Tensor4D, first: number, g: number): tf.Tensor4D {
  const [kh, kw, channels, multiplier] = flipped.shape;
  const part =
    g === channels ? flipped : tf.slice(flipped, [0, 0, first, 0], [kh, kw, g, multiplier]);
  const blocks = tf.mul(tf.reshape(part, [kh * kw, g, multiplier, 1]), channelIdentity(g));
  return tf.reshape(blocks, [kh, kw, g * multiplier, g]);
}

/** The input gradient of a depthwise convolution with `filter` [kh, kw, C, M] given its geometry. */
export function depthwiseInputGradient(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  geometry: Conv2DInfo,
): tf.Tensor4D {
  const [kh, kw, channels, multiplier] = filter.shape;
  const flipped = tf.reverse(filter, [0, 1]);
  const spread = transposedConvInput(dy, geometry.inHeight, geometry.inWidth, geometry);
  const [n, h, w] = spread.shape;
  if (kh * kw < BLOCK_MIN_TAPS || multiplier < BLOCK_MIN_MULTIPLIER) {
    const flat = tf.reshape(flipped, [kh, kw, channels * multiplier, 1]) as tf.Tensor4D;
    const perOutput = tf.depthwiseConv2d(spread, flat, 1, 'valid');
    if (multiplier === 1) return perOutput;
    const [, inHeight, inWidth] = perOutput.shape;
    return tf.sum(tf.reshape(perOutput, [n, inHeight, inWidth, channels, multiplier]), 4);
  }
  const parts: tf.Tensor4D[] = [];
  for (let first = 0; first < channels; first += BLOCK_CHANNELS) {
    const g = Math.min(BLOCK_CHANNELS, channels - first);
    const dyPart =
      g === channels
        ? spread
        : tf.slice(spread, [0, 0, 0, first * multiplier], [n, h, w, g * multiplier]);
    parts.push(tf.conv2d(dyPart, blockDiagonal(flipped, first, g), 1, 'valid'));
  }
  return parts.length === 1 ? (parts[0] as tf.Tensor4D) : tf.concat(parts, 3);
}

function depthwiseConv2dNativeBackpropInput(
  inputs: CompositeInputs,
  attrs: tf.NamedAttrMap,
): tf.Tensor {
  const { given: filter, dy, geometry } = gradientInputs(NAME, inputs, attrs, true, 'filter');
  return depthwiseInputGradient(dy, filter, geometry);
}

export const depthwiseConv2dNativeBackpropInputConfig = (backendName: string): tf.KernelConfig =>
  compositeKernel(NAME, backendName, depthwiseConv2dNativeBackpropInput);
