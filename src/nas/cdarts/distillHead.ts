/**
 * CDARTS's distillation head (`DistillHeadCIFAR`, `aux_head.py`): ReLU → AvgPool
 * (kernel 6, stride 2, no padding) → 1×1 conv (→ 128) → BN → ReLU → 2×2 conv (→ 768) → BN →
 * ReLU → global average pooling → Linear (with bias). Both BatchNorms are affine-free
 * (`bn_affine=False`). On CIFAR the heads see 16×16 and 8×8 maps (pooled to 6×6 and 2×2).
 *
 * Smaller maps (the lab's small images) shrink the pool: on an s-long axis the kernel is
 * min(6, s − 1) and the stride min(2, s − kernel), so the pooled map has at least 2 pixels, as
 * the 2×2 conv needs; for s ≥ 8 it is the official pool. A 1-pixel map is refused.
 */
import * as tf from '../tensor/tf';
import type { ForwardContext, ParamSpec, TensorMap } from '../tensor/layer';
import { defaultInit, lookup } from '../tensor/layer';
import { batchNorm } from '../ops/batchNorm';
import { conv2d } from '../ops/convolutions';

/** DistillHeadCIFAR's hidden widths. */
export const DISTILL_HEAD_WIDTHS: readonly [number, number] = [128, 768];

export interface DistillHeadSpec {
  readonly prefix: string;
  readonly inChannels: number;
  readonly numClasses: number;
  readonly widths: readonly [number, number];
}

export interface DistillHead {
  readonly params: readonly ParamSpec[];
  readonly buffers: readonly ParamSpec[];
  /** Logits [batch, classes] from the feature map the head is attached to. */
  apply(x: tf.Tensor4D, weights: TensorMap, ctx: ForwardContext): tf.Tensor2D;
}

/** The pool window on one axis of `size` pixels. */
export function distillPoolWindow(size: number): { kernel: number; stride: number } {
  if (!Number.isInteger(size) || size < 2) {
    throw new Error(
      `a distillation head needs a feature map of at least 2×2, got ${size} pixels: use larger images`,
    );
  }
  const kernel = Math.min(6, size - 1);
  return { kernel, stride: Math.min(2, size - kernel) };
}

export function distillHead(spec: DistillHeadSpec): DistillHead {
  const { prefix, inChannels, numClasses } = spec;
  const [w1, w2] = spec.widths;
  for (const [what, v] of [
    ['input channels', inChannels],
    ['first width', w1],
    ['second width', w2],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new Error(`distillation head ${what} must be a positive integer, got ${v}`);
    }
  }
  const conv1 = conv2d(`${prefix}.conv1`, inChannels, w1, 1, 1, 0);
  const bn1 = batchNorm(`${prefix}.bn1`, w1, false);
  const conv2 = conv2d(`${prefix}.conv2`, w1, w2, 2, 1, 0);
  const bn2 = batchNorm(`${prefix}.bn2`, w2, false);
  const weightName = `${prefix}.classifier.weight`;
  const biasName = `${prefix}.classifier.bias`;
  return {
    params: [
      ...conv1.params,
      ...conv2.params,
      { name: weightName, shape: [w2, numClasses], init: defaultInit(w2) },
      { name: biasName, shape: [numClasses], init: defaultInit(w2) },
    ],
    buffers: [...bn1.buffers, ...bn2.buffers],
    apply(x, weights, ctx) {
      const [, h, w] = x.shape;
      const rows = distillPoolWindow(h);
      const cols = distillPoolWindow(w);
      let y = tf.avgPool(
        tf.relu(x),
        [rows.kernel, cols.kernel],
        [rows.stride, cols.stride],
        'valid',
      );
      y = tf.relu(bn1.apply(conv1.apply(y, weights, ctx), weights, ctx));
      y = tf.relu(bn2.apply(conv2.apply(y, weights, ctx), weights, ctx));
      const features = tf.mean(y, [1, 2]) as tf.Tensor2D;
      return tf.add(
        tf.matMul(features, lookup(weights, weightName) as tf.Tensor2D),
        lookup(weights, biasName),
      ) as tf.Tensor2D;
    },
  };
}
