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
import type { ClassifierHead, PoolWindow } from '../../ops/classifierHead';
import { classifierHead } from '../../ops/classifierHead';

export interface DistillHeadSpec {
  readonly prefix: string;
  readonly inChannels: number;
  readonly numClasses: number;
  readonly widths: readonly [number, number];
}

export type DistillHead = ClassifierHead;

/** The pool window on one axis of `size` pixels. */
export function distillPoolWindow(size: number): PoolWindow {
  if (!Number.isInteger(size) || size < 2) {
    throw new Error(
      `a distillation head needs a feature map of at least 2×2, got ${size} pixels: use larger images`,
    );
  }
  const kernel = Math.min(6, size - 1);
  return { kernel, stride: Math.min(2, size - kernel) };
}

export function distillHead(spec: DistillHeadSpec): DistillHead {
  return classifierHead({
    ...spec,
    affine: false,
    bnAfterConv2: true,
    poolWindow: distillPoolWindow,
    title: 'distillation head',
  });
}
