/**
 * The DARTS search network (`cnn/model_search.py` Network): stem conv + affine BN, `layers`
 * search cells with reduction cells at ⌊layers/3⌋ and ⌊2·layers/3⌋ (channels double there),
 * global average pooling and a linear classifier. All normal cells share α_normal, all
 * reduction cells share α_reduce.
 */
import * as tf from '../tensor/tf';
import type { ForwardContext, TensorMap } from '../tensor/layer';
import {
  buildCellStack,
  classifierParams,
  classify,
  convBnStem,
  runCellStack,
} from '../ops/cellStack';
import { SEARCH_OP_OPTIONS } from '../ops/operations';
import type { OpName } from '../ops/primitives';
import type { CellKernels, EdgeOpWeights, SearchCell } from './searchCell';
import { searchCell } from './searchCell';
import { edgeCount } from '../genotype/cellTopology';
import type { CellStackNetwork } from '../ops/cellStack';

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
}

export interface Alphas {
  readonly normal: tf.Tensor2D;
  readonly reduce: tf.Tensor2D;
}

export interface Supernet extends CellStackNetwork<SearchCell> {
  readonly spec: SupernetSpec;
  /** The kernels its cells run ('reference' if any cell does). */
  readonly kernels: CellKernels;
  /** Shape of each alpha tensor: [edges, candidates]. */
  readonly alphaShape: readonly [number, number];
  /** Logits [batch, classes]. */
  forward(x: tf.Tensor4D, weights: TensorMap, alphas: Alphas, ctx: ForwardContext): tf.Tensor2D;
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
      }),
  );
  const kernels: CellKernels = cells.some((cell) => cell.kernels === 'reference')
    ? 'reference'
    : 'fused';
  // The fused cells read the softmax as one matrix; the reference ones one scalar each.
  const opWeights = (alpha: tf.Tensor2D): EdgeOpWeights =>
    kernels === 'fused' ? tf.softmax(alpha) : edgeOpWeights(alpha);
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
    forward(x, weights, alphas, ctx) {
      const normal = opWeights(alphas.normal);
      const reduce = opWeights(alphas.reduce);
      const s = stem.apply(x, weights, ctx);
      const out = runCellStack(cells, [s, s], (cell, s0, s1) =>
        cell.apply(s0, s1, cell.spec.reduction ? reduce : normal, weights, ctx),
      );
      return classify(out, weights);
    },
  };
}
