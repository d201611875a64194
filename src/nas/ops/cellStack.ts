/**
 * The skeleton every DARTS-style CNN shares around its cells, written once: the conv + BN stem,
 * the stack of `layers` cells with reduction cells at ⌊L/3⌋ and ⌊2L/3⌋ (channels double there),
 * the C_pp/C_p/reduction_prev bookkeeping and the `cells.{i}` naming, and the global-average-pool
 * + linear classifier. Each network (search supernet, evaluation network, CDARTS's two) says only
 * how it builds one cell; the forward pass that feeds each cell the two previous states is a
 * `RecomputableStack` (`recompute/cellCheckpoint.ts`), run plainly or with checkpointed cells.
 */
import * as tf from '../tensor/tf';
import type { Layer, ParamSpec, TensorMap } from '../tensor/layer';
import { sequence } from '../tensor/layer';
import { reductionIndices } from '../genotype/cellTopology';
import { batchNorm } from './batchNorm';
import { conv2d } from './convolutions';
import { linear, linearParams } from './linear';

/** Where a cell stands in the stack and the channels around it: all a network needs to build it. */
export interface CellSlot {
  /** Its parameters' name prefix, `cells.{i}` for the i-th cell. */
  readonly prefix: string;
  readonly cPrevPrev: number;
  readonly cPrev: number;
  /** The cell's own channel count C (doubled at and after each reduction). */
  readonly c: number;
  readonly reduction: boolean;
  /** Whether s0 has twice s1's spatial size (the cell before was a reduction, or the stem). */
  readonly reductionPrev: boolean;
}

/** What every network built on a cell stack exposes: its cells, parameters and buffers. */
export interface CellStackNetwork<Cell> {
  readonly cells: readonly Cell[];
  readonly params: readonly ParamSpec[];
  readonly buffers: readonly ParamSpec[];
}

/** What the stem hands the first cell. */
export interface StackStart {
  /** Initial channels C. */
  readonly c: number;
  /** Channels of s0 and s1. */
  readonly stemChannels: readonly [number, number];
  /** True when s0 is twice s1's size (the ImageNet stem). */
  readonly reductionPrev: boolean;
}

/** The `layers` cells of a network, built by `build` slot by slot. */
export function buildCellStack<Cell extends { readonly outChannels: number }>(
  layers: number,
  start: StackStart,
  build: (slot: CellSlot, index: number) => Cell,
): Cell[] {
  const reductions = reductionIndices(layers);
  const cells: Cell[] = [];
  let [cPrevPrev, cPrev] = start.stemChannels;
  let c = start.c;
  let reductionPrev = start.reductionPrev;
  for (let index = 0; index < layers; index++) {
    const reduction = reductions.has(index);
    if (reduction) c *= 2;
    const cell = build(
      { prefix: `cells.${index}`, cPrevPrev, cPrev, c, reduction, reductionPrev },
      index,
    );
    cells.push(cell);
    reductionPrev = reduction;
    cPrevPrev = cPrev;
    cPrev = cell.outChannels;
  }
  return cells;
}

/** The 3×3 conv + affine BatchNorm stem (`stem.conv`, `stem.bn.*`) of the CIFAR networks. */
export function convBnStem(imageChannels: number, channels: number, prefix = 'stem'): Layer {
  return sequence([
    conv2d(`${prefix}.conv`, imageChannels, channels, 3, 1, 1),
    batchNorm(`${prefix}.bn`, channels, true),
  ]);
}

/** The final classifier's parameters, `classifier.{weight,bias}`. */
export function classifierParams(channels: number, numClasses: number): ParamSpec[] {
  return linearParams('classifier', channels, numClasses);
}

/** Global average pooling, then the linear classifier: logits [batch, classes]. */
export function classify(features: tf.Tensor4D, weights: TensorMap): tf.Tensor2D {
  return linear(tf.mean(features, [1, 2]) as tf.Tensor2D, weights, 'classifier');
}
