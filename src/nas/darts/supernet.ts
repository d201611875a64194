/**
 * The DARTS search network (`cnn/model_search.py` Network): stem conv + affine BN, `layers`
 * search cells with reduction cells at ⌊layers/3⌋ and ⌊2·layers/3⌋ (channels double there),
 * global average pooling and a linear classifier. All normal cells share α_normal, all
 * reduction cells share α_reduce.
 *
 * The forward is a cell stack (`recompute/cellCheckpoint.ts`): its start is the stem and the
 * softmax of both alpha tensors, which every cell of the type reads; a training step may run it
 * with its cells checkpointed.
 */
import * as tf from '../tensor/tf';
import type { ForwardContext, TensorMap } from '../tensor/layer';
import { buildCellStack, classifierParams, classify, convBnStem } from '../ops/cellStack';
import type { RecomputableStack } from '../recompute/cellCheckpoint';
import { lastState, passContext, runStack } from '../recompute/cellCheckpoint';
import { SEARCH_OP_OPTIONS } from '../ops/operations';
import type { OpName } from '../ops/primitives';
import type { CellKernels, SearchCell } from './searchCell';
import { searchCell } from './searchCell';
import { edgeCount } from '../genotype/cellTopology';
import type { CellStackNetwork } from '../ops/cellStack';
import { edgeWeights } from '../pcdarts/edgeNormalization';

export { checkInputSize } from '../genotype/cellTopology';

export interface SupernetSpec {
  readonly c: number;
  readonly layers: number;
  readonly steps: number;
  readonly multiplier: number;
  readonly stemMultiplier: number;
  readonly numClasses: number;
  readonly imageChannels: number;
  readonly primitives: readonly OpName[];
  /**
   * 'fused' (the default where every cell can be fused) or 'reference' (one mixed op per
   * edge, as DARTS writes it): the same function, the fused one in several times fewer kernels.
   */
  readonly kernels?: CellKernels;
  /** PC-DARTS's K (absent or 1: DARTS); above 1 the network needs β beside the alphas. */
  readonly partialChannels?: number;
}

/** PC-DARTS's β logits of both cell types, one per edge [edges]. */
export interface EdgeBetas {
  readonly normal: tf.Tensor1D;
  readonly reduce: tf.Tensor1D;
}

export interface Alphas {
  readonly normal: tf.Tensor2D;
  readonly reduce: tf.Tensor2D;
  /** PC-DARTS's edge normalization (`pcdarts/edgeNormalization.ts`); absent in DARTS. */
  readonly betas?: EdgeBetas;
}

export interface Supernet extends CellStackNetwork<SearchCell> {
  readonly spec: SupernetSpec;
  /** The kernels its cells run ('reference' if any cell does). */
  readonly kernels: CellKernels;
  /** Shape of each alpha tensor: [edges, candidates]. */
  readonly alphaShape: readonly [number, number];
  /** Logits [batch, classes]. */
  forward(x: tf.Tensor4D, weights: TensorMap, alphas: Alphas, ctx: ForwardContext): tf.Tensor2D;
  /** The forward's cells as a stack: the stem and both softmaxes, then one cell each. */
  stack(x: tf.Tensor4D, weights: TensorMap, alphas: Alphas, ctx: ForwardContext): RecomputableStack;
  /** Logits from the stack's states (the classifier on the last one). */
  logits(states: readonly tf.Tensor4D[], weights: TensorMap): tf.Tensor2D;
}

/** Softmax over each edge's row, split into one scalar per (edge, op). */
export function edgeOpWeights(alpha: tf.Tensor2D): tf.Scalar[][] {
  return splitEdgeRows(tf.softmax(alpha));
}

/** A [edges, ops] weight matrix as one scalar per (edge, op), row by row. */
export function splitEdgeRows(weights: tf.Tensor2D): tf.Scalar[][] {
  const [edges, ops] = weights.shape;
  const flat = tf.unstack(tf.reshape(weights, [edges * ops])) as tf.Scalar[];
  const rows: tf.Scalar[][] = [];
  for (let e = 0; e < edges; e++) rows.push(flat.slice(e * ops, (e + 1) * ops));
  return rows;
}

export function supernet(spec: SupernetSpec): Supernet {
  const { c, layers, steps, multiplier, stemMultiplier, numClasses, imageChannels } = spec;
  if (!Number.isInteger(layers) || layers < 1) {
    throw new Error(`a network needs at least 1 cell, got ${layers}`);
  }
  if (!Number.isInteger(c) || c < 1) throw new Error(`channels must be at least 1, got ${c}`);
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new Error(`a classifier needs at least 2 classes, got ${numClasses}`);
  }
  const cStem = stemMultiplier * c;
  const stem = convBnStem(imageChannels, cStem);
  const cells = buildCellStack(
    layers,
    { c, stemChannels: [cStem, cStem], reductionPrev: false },
    (slot) =>
      searchCell({
        ...slot,
        steps,
        multiplier,
        primitives: spec.primitives,
        opOptions: SEARCH_OP_OPTIONS,
        ...(spec.kernels === undefined ? {} : { kernels: spec.kernels }),
        ...(spec.partialChannels === undefined ? {} : { partialChannels: spec.partialChannels }),
      }),
  );
  const kernels: CellKernels = cells.some((cell) => cell.kernels === 'reference')
    ? 'reference'
    : 'fused';
  const stack = (
    x: tf.Tensor4D,
    weights: TensorMap,
    alphas: Alphas,
    ctx: ForwardContext,
  ): RecomputableStack => ({
    cellCount: cells.length,
    start(pass) {
      const s = stem.apply(x, weights, passContext(ctx, pass));
      const { betas } = alphas;
      if ((spec.partialChannels ?? 1) > 1 && !betas) {
        throw new Error('a PC-DARTS supernet needs its β beside the alphas');
      }
      // PC-DARTS: the normalised β of each cell type follow the two softmaxes.
      const edges = betas
        ? [edgeWeights(betas.normal, steps), edgeWeights(betas.reduce, steps)]
        : [];
      return {
        states: [s, s],
        shared: [tf.softmax(alphas.normal), tf.softmax(alphas.reduce), ...edges],
      };
    },
    cell(index, s0, s1, shared, pass) {
      const cell = cells[index] as SearchCell;
      const type = cell.spec.reduction ? 1 : 0;
      const opWeights = shared[type] as tf.Tensor2D;
      const edges = shared[2 + type] as tf.Tensor1D | undefined;
      return cell.apply(s0, s1, opWeights, weights, passContext(ctx, pass), undefined, edges);
    },
  });
  const cOut = (cells.at(-1) as SearchCell).outChannels;
  return {
    spec,
    cells,
    params: [
      ...stem.params,
      ...cells.flatMap((cell) => cell.params),
      ...classifierParams(cOut, numClasses),
    ],
    buffers: [...stem.buffers, ...cells.flatMap((cell) => cell.buffers)],
    alphaShape: [edgeCount(steps), spec.primitives.length],
    kernels,
    stack,
    logits: (states, weights) => classify(lastState(states), weights),
    forward(x, weights, alphas, ctx) {
      return classify(lastState(runStack(stack(x, weights, alphas, ctx), 'forward')), weights);
    },
  };
}
