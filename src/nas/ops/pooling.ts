/**
 * 3×3 pooling with PyTorch semantics: symmetric padding of 1, max pooling treats padding as −∞,
 * average pooling excludes padding from the divisor (count_include_pad=False).
 */
import * as tf from '../tensor/tf';
import type { Layer } from '../tensor/layer';

export function maxPool3x3(stride: number): Layer {
  return { params: [], buffers: [], apply: (x) => tf.maxPool(x, 3, stride, 1) };
}

const countCache = new Map<string, Float32Array>();

/** 9 / (number of in-bounds pixels) for every output position of a 3×3, pad-1 window. */
function avgPoolRescale(h: number, w: number, stride: number): Float32Array {
  const key = `${h}:${w}:${stride}`;
  const cached = countCache.get(key);
  if (cached) return cached;
  const oh = Math.floor((h + 2 - 3) / stride) + 1;
  const ow = Math.floor((w + 2 - 3) / stride) + 1;
  const out = new Float32Array(oh * ow);
  const span = (start: number, size: number): number =>
    Math.min(start + 3, size + 1) - Math.max(start, 1);
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      out[i * ow + j] = 9 / (span(i * stride, h) * span(j * stride, w));
    }
  }
  countCache.set(key, out);
  return out;
}

/**
 * tfjs's avgPool forward already excludes padding, but its gradient divides by 9 everywhere,
 * so the gradient is wrong at the borders. Here the input is zero-padded explicitly, pooled
 * without padding (forward and gradient agree: sum / 9), then rescaled by a constant map of
 * 9 / count. Same forward values, correct gradient.
 */
export function avgPool3x3(stride: number): Layer {
  return {
    params: [],
    buffers: [],
    apply(x) {
      const [, h, w] = x.shape;
      const padded = tf.pad(x, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ]);
      const pooled = tf.avgPool(padded, 3, stride, 'valid');
      const [, oh, ow] = pooled.shape;
      const rescale = tf.tensor4d(avgPoolRescale(h, w, stride), [1, oh, ow, 1]);
      return tf.mul(pooled, rescale);
    },
  };
}
