/**
 * Stems of the DARTS evaluation networks (`cnn/model.py` NetworkCIFAR and NetworkImageNet).
 *
 * - `cifar` (NetworkCIFAR): 3×3 conv (image channels → 3C) + affine BN; s0 = s1 = its output.
 * - `imagenet` (NetworkImageNet): stem0 = 3×3 conv stride 2 (→ C/2) → BN → ReLU → 3×3 conv
 *   stride 2 (→ C) → BN; stem1 = ReLU → 3×3 conv stride 2 (C → C) → BN. s0 = stem0(x),
 *   s1 = stem1(s0), and the first cell treats s0 as coming from a reduction (FactorizedReduce).
 */
import type * as tf from '../tensor/tf';
import type { ForwardContext, ParamSpec, TensorMap } from '../tensor/layer';
import { sequence } from '../tensor/layer';
import { batchNorm } from '../ops/batchNorm';
import { conv2d, relu } from '../ops/convolutions';

export type StemKind = 'cifar' | 'imagenet';

/** NetworkCIFAR's fixed stem multiplier. */
export const EVAL_STEM_MULTIPLIER = 3;

export interface EvalStem {
  readonly kind: StemKind;
  readonly params: readonly ParamSpec[];
  readonly buffers: readonly ParamSpec[];
  /** Channels of s0 and s1. */
  readonly outChannels: readonly [number, number];
  /** True when s0 has twice s1's spatial size, so the first cell reduces s0 (FactorizedReduce). */
  readonly reductionPrev: boolean;
  /** Spatial sizes of s0 and s1 along an axis of `size` input pixels. */
  outputSizes(size: number): readonly [number, number];
  apply(x: tf.Tensor4D, weights: TensorMap, ctx: ForwardContext): [tf.Tensor4D, tf.Tensor4D];
}

/** Output length of a 3×3 conv with stride 2 and padding 1. */
function halved(size: number): number {
  return Math.floor((size - 1) / 2) + 1;
}

function cifarStem(imageChannels: number, c: number): EvalStem {
  const cStem = EVAL_STEM_MULTIPLIER * c;
  const stem = sequence([
    conv2d('stem.conv', imageChannels, cStem, 3, 1, 1),
    batchNorm('stem.bn', cStem, true),
  ]);
  return {
    kind: 'cifar',
    params: stem.params,
    buffers: stem.buffers,
    outChannels: [cStem, cStem],
    reductionPrev: false,
    outputSizes: (size) => [size, size],
    apply(x, weights, ctx) {
      const s = stem.apply(x, weights, ctx);
      return [s, s];
    },
  };
}

function imagenetStem(imageChannels: number, c: number): EvalStem {
  if (c < 2) throw new Error(`the ImageNet stem needs at least 2 channels (C/2 ≥ 1), got ${c}`);
  const half = Math.floor(c / 2);
  const stem0 = sequence([
    conv2d('stem0.conv1', imageChannels, half, 3, 2, 1),
    batchNorm('stem0.bn1', half, true),
    relu,
    conv2d('stem0.conv2', half, c, 3, 2, 1),
    batchNorm('stem0.bn2', c, true),
  ]);
  const stem1 = sequence([
    relu,
    conv2d('stem1.conv', c, c, 3, 2, 1),
    batchNorm('stem1.bn', c, true),
  ]);
  return {
    kind: 'imagenet',
    params: [...stem0.params, ...stem1.params],
    buffers: [...stem0.buffers, ...stem1.buffers],
    outChannels: [c, c],
    reductionPrev: true,
    outputSizes(size) {
      const s0 = halved(halved(size));
      return [s0, halved(s0)];
    },
    apply(x, weights, ctx) {
      const s0 = stem0.apply(x, weights, ctx);
      return [s0, stem1.apply(s0, weights, ctx)];
    },
  };
}

export function evalStem(kind: StemKind, imageChannels: number, c: number): EvalStem {
  if (!Number.isInteger(imageChannels) || imageChannels < 1) {
    throw new Error(`image channels must be a positive integer, got ${imageChannels}`);
  }
  switch (kind) {
    case 'cifar':
      return cifarStem(imageChannels, c);
    case 'imagenet':
      return imagenetStem(imageChannels, c);
    default:
      throw new Error(`unknown stem "${String(kind)}"; known stems: cifar, imagenet`);
  }
}
