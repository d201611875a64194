/**
 * CDARTS's search network (NNI's `examples/nas/cdarts/model.py`, Cream's
 * `lib/models/cdarts_controller.py`): the DARTS supernet's stem and search cells
 * (reduction cells at ⌊L/3⌋ and ⌊2L/3⌋), with CDARTS's differences:
 *
 * - pooling ops without BatchNorm (`PoolWithoutBN`, Cream's `Pool`);
 * - every incoming edge of node i weighted by 1/(i + 2): the official softmax of the fixed edge
 *   weights β = 0.1 (`use_beta` off);
 * - the mixed-op weights are the regularized mutator's masked softmax, and cut ops are not run;
 * - a distillation head after each reduction cell and the ensemble of the heads' and the final
 *   logits, computed when asked for (only the alpha step uses it).
 *
 * The cells are DARTS's search cells (`searchCell`, through its public API).
 */
import * as tf from '../tensor/tf';
import type { ForwardContext, ParamSpec, TensorMap } from '../tensor/layer';
import { defaultInit, lookup } from '../tensor/layer';
import type { CdartsModules } from './cdartsModules';
import { cdartsModules } from './cdartsModules';
import { edgeCount, edgeList, reductionIndices } from '../genotype/cellTopology';
import type { OpOptions } from '../ops/operations';
import type { OpName } from '../ops/primitives';
import type { SearchCell } from '../darts/searchCell';
import { searchCell } from '../darts/searchCell';

/** CDARTS search ops: affine-free BatchNorm, no BatchNorm after pooling. */
export const CDARTS_SEARCH_OP_OPTIONS: OpOptions = { affine: false, bnAfterPool: false };

export interface CdartsNetworkShape {
  readonly c: number;
  readonly layers: number;
  readonly steps: number;
  readonly multiplier: number;
  readonly stemMultiplier: number;
  readonly numClasses: number;
  readonly imageChannels: number;
  readonly headWidths: readonly [number, number];
}

export interface CdartsSearchNetworkSpec extends CdartsNetworkShape {
  readonly primitives: readonly OpName[];
}

/** Per cell type: mixed-op weights [edges, ops] and the ops not to run (cut choices). */
export interface CellMixture {
  readonly weights: tf.Tensor2D;
  readonly skip: readonly (readonly boolean[])[];
}

export interface Mixtures {
  readonly normal: CellMixture;
  readonly reduce: CellMixture;
}

export interface NetworkOutput {
  readonly logits: tf.Tensor2D;
  /** The ensemble logits [3N, classes] when asked for, else null. */
  readonly ensemble: tf.Tensor2D | null;
}

export interface CdartsSearchNetwork {
  readonly spec: CdartsSearchNetworkSpec;
  readonly modules: CdartsModules;
  readonly cells: readonly SearchCell[];
  readonly params: readonly ParamSpec[];
  readonly buffers: readonly ParamSpec[];
  /** Shape of each alpha tensor: [edges, candidates]. */
  readonly alphaShape: readonly [number, number];
  forward(
    x: tf.Tensor4D,
    weights: TensorMap,
    mixtures: Mixtures,
    ctx: ForwardContext,
    withEnsemble: boolean,
  ): NetworkOutput;
}

/** 1/(node + 2) for every edge, as a column [edges, 1]. */
export function edgeScales(steps: number): Float32Array {
  return Float32Array.from(edgeList(steps), ({ node }) => 1 / (node + 2));
}

function scaledEdgeWeights(mixture: CellMixture, steps: number): tf.Scalar[][] {
  const [edges, ops] = mixture.weights.shape;
  if (edges !== edgeCount(steps)) {
    throw new Error(`mixed-op weights have ${edges} rows; the cell has ${edgeCount(steps)} edges`);
  }
  const scaled = tf.mul(mixture.weights, tf.tensor2d(edgeScales(steps), [edges, 1]));
  const flat = tf.unstack(tf.reshape(scaled, [edges * ops])) as tf.Scalar[];
  const rows: tf.Scalar[][] = [];
  for (let e = 0; e < edges; e++) rows.push(flat.slice(e * ops, (e + 1) * ops));
  return rows;
}

export function classifierParams(channels: number, numClasses: number): ParamSpec[] {
  return [
    { name: 'classifier.weight', shape: [channels, numClasses], init: defaultInit(channels) },
    { name: 'classifier.bias', shape: [numClasses], init: defaultInit(channels) },
  ];
}

export function classify(features: tf.Tensor4D, weights: TensorMap): tf.Tensor2D {
  const pooled = tf.mean(features, [1, 2]) as tf.Tensor2D;
  return tf.add(
    tf.matMul(pooled, lookup(weights, 'classifier.weight') as tf.Tensor2D),
    lookup(weights, 'classifier.bias'),
  ) as tf.Tensor2D;
}

export function cdartsSearchNetwork(spec: CdartsSearchNetworkSpec): CdartsSearchNetwork {
  const { c, layers, steps, multiplier } = spec;
  if (!Number.isInteger(layers) || layers < 3) {
    throw new Error(`the search network needs at least 3 cells, got ${layers}`);
  }
  const reductions = reductionIndices(layers);
  const cells: SearchCell[] = [];
  const cStem = spec.stemMultiplier * c;
  let cPrevPrev = cStem;
  let cPrev = cStem;
  let cCurr = c;
  let reductionPrev = false;
  const headChannels: number[] = [];
  for (let i = 0; i < layers; i++) {
    const reduction = reductions.has(i);
    if (reduction) cCurr *= 2;
    const cell = searchCell({
      prefix: `cells.${i}`,
      steps,
      multiplier,
      cPrevPrev,
      cPrev,
      c: cCurr,
      reduction,
      reductionPrev,
      primitives: spec.primitives,
      opOptions: CDARTS_SEARCH_OP_OPTIONS,
    });
    cells.push(cell);
    reductionPrev = reduction;
    cPrevPrev = cPrev;
    cPrev = cell.outChannels;
    if (reduction) headChannels.push(cPrev);
  }
  const modules = cdartsModules({
    imageChannels: spec.imageChannels,
    c,
    stemMultiplier: spec.stemMultiplier,
    headChannels: headChannels as [number, number],
    headWidths: spec.headWidths,
    numClasses: spec.numClasses,
  });
  return {
    spec,
    modules,
    cells,
    params: [
      ...modules.params,
      ...cells.flatMap((cell) => cell.params),
      ...classifierParams(cPrev, spec.numClasses),
    ],
    buffers: [...modules.buffers, ...cells.flatMap((cell) => cell.buffers)],
    alphaShape: [edgeCount(steps), spec.primitives.length],
    forward(x, weights, mixtures, ctx, withEnsemble) {
      const normal = scaledEdgeWeights(mixtures.normal, steps);
      const reduce = scaledEdgeWeights(mixtures.reduce, steps);
      const stem = modules.stem.apply(x, weights, ctx);
      let s0 = stem;
      let s1 = stem;
      const reductionOutputs: tf.Tensor4D[] = [];
      for (const cell of cells) {
        const reduction = cell.spec.reduction;
        const mixture = reduction ? mixtures.reduce : mixtures.normal;
        const next = cell.apply(s0, s1, reduction ? reduce : normal, weights, ctx, mixture.skip);
        s0 = s1;
        s1 = next;
        if (reduction) reductionOutputs.push(next);
      }
      const logits = classify(s1, weights);
      const ensemble = withEnsemble
        ? modules.ensemble(reductionOutputs as [tf.Tensor4D, tf.Tensor4D], logits, weights, ctx)
        : null;
      return { logits, ensemble };
    },
  };
}
