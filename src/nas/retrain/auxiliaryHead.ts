/**
 * The auxiliary classifier of the DARTS evaluation network (`cnn/model.py`):
 * ReLU → AvgPool to 2×2 → 1×1 conv (→ 128) → BN → ReLU → 2×2 conv (→ 768) → BN → ReLU → Linear.
 * The ImageNet head has no BatchNorm after the 2×2 conv, as DARTS's AuxiliaryHeadImageNet.
 *
 * DARTS pools with a fixed 5×5 window, stride 3 (CIFAR head, 8×8 input) or stride 2 (ImageNet
 * head, 7×7 input). Here the window follows the input: on an s-long axis, kernel min(5, s − 1)
 * and stride s − kernel, two windows anchored at the corners, so the pooled map is 2×2 for any
 * s ≥ 2. That is DARTS's pool on both its inputs and NNI's AvgPool(5, stride s − 5) for s ≥ 6;
 * smaller maps (the lab's small images) shrink the window. A 1-pixel map is refused.
 */
import * as tf from '../tensor/tf';
import type { ForwardContext, ParamSpec, TensorMap } from '../tensor/layer';
import { defaultInit, lookup } from '../tensor/layer';
import { batchNorm } from '../ops/batchNorm';
import { conv2d } from '../ops/convolutions';

export type AuxiliaryHeadKind = 'cifar' | 'imagenet';

/** DARTS's hidden widths: 128 channels after the 1×1 conv, 768 after the 2×2 conv. */
export const DARTS_AUXILIARY_WIDTHS: readonly [number, number] = [128, 768];

export interface AuxiliaryHeadSpec {
  readonly prefix: string;
  readonly inChannels: number;
  readonly numClasses: number;
  readonly kind: AuxiliaryHeadKind;
  /** Hidden widths; DARTS's unless given (tests use small ones to keep fixtures small). */
  readonly widths?: readonly [number, number];
}

export interface AuxiliaryHead {
  readonly params: readonly ParamSpec[];
  readonly buffers: readonly ParamSpec[];
  /** Logits [batch, classes] from the feature map the head is attached to. */
  apply(x: tf.Tensor4D, weights: TensorMap, ctx: ForwardContext): tf.Tensor2D;
}

/** Pool window on one axis of length `size`: two windows, at the start and at the end. */
export function auxiliaryPoolWindow(size: number): { kernel: number; stride: number } {
  if (!Number.isInteger(size) || size < 2) {
    throw new Error(
      `the auxiliary head needs a feature map of at least 2×2 at its cell, got ${size} pixels: use larger images or turn the auxiliary head off`,
    );
  }
  const kernel = Math.min(5, size - 1);
  return { kernel, stride: size - kernel };
}

export function auxiliaryHead(spec: AuxiliaryHeadSpec): AuxiliaryHead {
  const { prefix, inChannels, numClasses, kind } = spec;
  const [w1, w2] = spec.widths ?? DARTS_AUXILIARY_WIDTHS;
  for (const [what, v] of [
    ['input channels', inChannels],
    ['first width', w1],
    ['second width', w2],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new Error(`auxiliary head ${what} must be a positive integer, got ${v}`);
    }
  }
  const conv1 = conv2d(`${prefix}.conv1`, inChannels, w1, 1, 1, 0);
  const bn1 = batchNorm(`${prefix}.bn1`, w1, true);
  const conv2 = conv2d(`${prefix}.conv2`, w1, w2, 2, 1, 0);
  const bn2 = kind === 'cifar' ? batchNorm(`${prefix}.bn2`, w2, true) : null;
  const weightName = `${prefix}.classifier.weight`;
  const biasName = `${prefix}.classifier.bias`;
  const classifier: ParamSpec[] = [
    { name: weightName, shape: [w2, numClasses], init: defaultInit(w2) },
    { name: biasName, shape: [numClasses], init: defaultInit(w2) },
  ];
  return {
    params: [
      ...conv1.params,
      ...bn1.params,
      ...conv2.params,
      ...(bn2 ? bn2.params : []),
      ...classifier,
    ],
    buffers: [...bn1.buffers, ...(bn2 ? bn2.buffers : [])],
    apply(x, weights, ctx) {
      const [n, h, w] = x.shape;
      const rows = auxiliaryPoolWindow(h);
      const cols = auxiliaryPoolWindow(w);
      let y = tf.avgPool(
        tf.relu(x),
        [rows.kernel, cols.kernel],
        [rows.stride, cols.stride],
        'valid',
      );
      y = tf.relu(bn1.apply(conv1.apply(y, weights, ctx), weights, ctx));
      y = conv2.apply(y, weights, ctx);
      if (bn2) y = bn2.apply(y, weights, ctx);
      const features = tf.reshape(tf.relu(y), [n, w2]) as tf.Tensor2D;
      return tf.add(
        tf.matMul(features, lookup(weights, weightName) as tf.Tensor2D),
        lookup(weights, biasName),
      ) as tf.Tensor2D;
    },
  };
}
