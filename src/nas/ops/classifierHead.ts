/**
 * The small classifier that DARTS's auxiliary head and CDARTS's distillation heads both are,
 * written once: ReLU → AvgPool → 1×1 conv (→ w1) → BN → ReLU → 2×2 conv (→ w2) → [BN] → ReLU →
 * global average pooling → Linear. The two differ only in the pool window they pick for an input
 * size, whether the BatchNorms are affine, whether a BatchNorm follows the 2×2 conv, and names.
 *
 * Parameters, in this order: `{prefix}.conv1`, `{prefix}.bn1.*`, `{prefix}.conv2`,
 * `{prefix}.bn2.*`, `{prefix}.classifier.{weight,bias}`.
 */
import * as tf from '../tensor/tf';
import type { ForwardContext, ParamSpec, TensorMap } from '../tensor/layer';
import { batchNorm } from './batchNorm';
import { conv2d } from './convolutions';
import { linear, linearParams } from './linear';

/** An average-pooling window along one axis. */
export interface PoolWindow {
  readonly kernel: number;
  readonly stride: number;
}

export interface ClassifierHeadSpec {
  readonly prefix: string;
  readonly inChannels: number;
  readonly numClasses: number;
  /** Channels after the 1×1 conv and after the 2×2 conv. */
  readonly widths: readonly [number, number];
  /** Affine BatchNorms (DARTS) or affine-free ones (CDARTS's search, `bn_affine=False`). */
  readonly affine: boolean;
  /** Whether a BatchNorm follows the 2×2 conv (DARTS's ImageNet auxiliary head has none). */
  readonly bnAfterConv2: boolean;
  /** The pool window on an axis of `size` pixels; throws for sizes the head cannot take. */
  readonly poolWindow: (size: number) => PoolWindow;
  /** What the head is called in error messages ("auxiliary head"). */
  readonly title: string;
}

export interface ClassifierHead {
  readonly params: readonly ParamSpec[];
  readonly buffers: readonly ParamSpec[];
  /** Logits [batch, classes] from the feature map the head is attached to. */
  apply(x: tf.Tensor4D, weights: TensorMap, ctx: ForwardContext): tf.Tensor2D;
}

export function classifierHead(spec: ClassifierHeadSpec): ClassifierHead {
  const { prefix, inChannels, numClasses, affine } = spec;
  const [w1, w2] = spec.widths;
  for (const [what, v] of [
    ['input channels', inChannels],
    ['first width', w1],
    ['second width', w2],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new Error(`${spec.title} ${what} must be a positive integer, got ${v}`);
    }
  }
  const conv1 = conv2d(`${prefix}.conv1`, inChannels, w1, 1, 1, 0);
  const bn1 = batchNorm(`${prefix}.bn1`, w1, affine);
  const conv2 = conv2d(`${prefix}.conv2`, w1, w2, 2, 1, 0);
  const bn2 = spec.bnAfterConv2 ? batchNorm(`${prefix}.bn2`, w2, affine) : null;
  const classifier = `${prefix}.classifier`;
  return {
    params: [
      ...conv1.params,
      ...bn1.params,
      ...conv2.params,
      ...(bn2 ? bn2.params : []),
      ...linearParams(classifier, w2, numClasses),
    ],
    buffers: [...bn1.buffers, ...(bn2 ? bn2.buffers : [])],
    apply(x, weights, ctx) {
      const [, h, w] = x.shape;
      const rows = spec.poolWindow(h);
      const cols = spec.poolWindow(w);
      let y = tf.avgPool(
        tf.relu(x),
        [rows.kernel, cols.kernel],
        [rows.stride, cols.stride],
        'valid',
      );
      y = tf.relu(bn1.apply(conv1.apply(y, weights, ctx), weights, ctx));
      y = conv2.apply(y, weights, ctx);
      if (bn2) y = bn2.apply(y, weights, ctx);
      const features = tf.mean(tf.relu(y), [1, 2]) as tf.Tensor2D;
      return linear(features, weights, classifier);
    },
  };
}
