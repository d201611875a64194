/**
 * Convolution building blocks with PyTorch semantics: no bias, symmetric numeric padding
 * (TF's 'same' pads asymmetrically at stride 2), and dilated depthwise convolutions that work
 * with stride 2 and have gradients.
 */
import * as tf from '../tensor/tf';
import type { Layer, TensorMap } from '../tensor/layer';
import { defaultInit, lookup } from '../tensor/layer';

export const relu: Layer = {
  params: [],
  buffers: [],
  apply: (x) => tf.relu(x),
};

/** Dense conv, filter [k, k, cIn, cOut]. */
export function conv2d(
  name: string,
  cIn: number,
  cOut: number,
  k: number,
  stride: number,
  pad: number,
): Layer {
  return {
    params: [{ name, shape: [k, k, cIn, cOut], init: defaultInit(cIn * k * k) }],
    buffers: [],
    apply: (x, w: TensorMap) => tf.conv2d(x, lookup(w, name) as tf.Tensor4D, stride, pad),
  };
}

/**
 * Depthwise conv with filter [k, k, c, 1]; dilation > 1 goes through {@link dilatedDepthwise}.
 */
export function depthwiseConv2d(
  name: string,
  channels: number,
  k: number,
  stride: number,
  pad: number,
  dilation = 1,
): Layer {
  return {
    params: [{ name, shape: [k, k, channels, 1], init: defaultInit(k * k) }],
    buffers: [],
    apply: (x, w: TensorMap) =>
      dilatedDepthwise(x, lookup(w, name) as tf.Tensor4D, stride, pad, dilation),
  };
}

const selectionCache = new Map<string, Float32Array>();

/**
 * The 0/1 matrix [K·K, k·k] (K = d(k−1)+1) that places a k×k kernel's taps on the dilated grid.
 */
function dilationSelection(k: number, dilation: number): Float32Array {
  const key = `${k}:${dilation}`;
  const cached = selectionCache.get(key);
  if (cached) return cached;
  const big = dilation * (k - 1) + 1;
  const s = new Float32Array(big * big * k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const row = i * dilation * big + j * dilation;
      s[row * k * k + i * k + j] = 1;
    }
  }
  selectionCache.set(key, s);
  return s;
}

/**
 * Depthwise conv with any stride and dilation, differentiable. tfjs 4.22 rejects dilation > 1
 * in the depthwise gradient and rejects stride 2 with dilation 2 in the forward pass, so the
 * k×k kernel is expanded to the equivalent (d(k−1)+1)² kernel with zeros between the taps
 * (a matrix product with a constant selection matrix) and run as an ordinary depthwise conv.
 * Numerically identical to the dilated conv.
 */
export function dilatedDepthwise(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  stride: number,
  pad: number,
  dilation: number,
): tf.Tensor4D {
  if (dilation === 1) return tf.depthwiseConv2d(x, filter, stride, pad);
  const [k, k2, channels] = filter.shape;
  if (k !== k2) throw new Error(`dilated depthwise conv needs a square kernel, got ${k}x${k2}`);
  const big = dilation * (k - 1) + 1;
  const selection = tf.tensor2d(dilationSelection(k, dilation), [big * big, k * k]);
  const expanded = tf.reshape(tf.matMul(selection, tf.reshape(filter, [k * k, channels])), [
    big,
    big,
    channels,
    1,
  ]) as tf.Tensor4D;
  return tf.depthwiseConv2d(x, expanded, stride, pad);
}
