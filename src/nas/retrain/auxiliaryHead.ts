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
import type { ClassifierHead, PoolWindow } from '../ops/classifierHead';
import { classifierHead } from '../ops/classifierHead';

export type AuxiliaryHeadKind = 'cifar' | 'imagenet';

/** DARTS's hidden widths: 128 channels after the 1×1 conv, 768 after the 2×2 conv. */
const DARTS_AUXILIARY_WIDTHS: readonly [number, number] = [128, 768];

export interface AuxiliaryHeadSpec {
  readonly prefix: string;
  readonly inChannels: number;
  readonly numClasses: number;
  readonly kind: AuxiliaryHeadKind;
  /** Hidden widths; DARTS's unless given (tests use small ones to keep fixtures small). */
  readonly widths?: readonly [number, number];
}

export type AuxiliaryHead = ClassifierHead;

/** Pool window on one axis of length `size`: two windows, at the start and at the end. */
export function auxiliaryPoolWindow(size: number): PoolWindow {
  if (!Number.isInteger(size) || size < 2) {
    throw new Error(
      `the auxiliary head needs a feature map of at least 2×2 at its cell, got ${size} pixels: use larger images or turn the auxiliary head off`,
    );
  }
  const kernel = Math.min(5, size - 1);
  return { kernel, stride: size - kernel };
}

export function auxiliaryHead(spec: AuxiliaryHeadSpec): AuxiliaryHead {
  return classifierHead({
    prefix: spec.prefix,
    inChannels: spec.inChannels,
    numClasses: spec.numClasses,
    widths: spec.widths ?? DARTS_AUXILIARY_WIDTHS,
    affine: true,
    bnAfterConv2: spec.kind === 'cifar',
    poolWindow: auxiliaryPoolWindow,
    title: 'auxiliary head',
  });
}
