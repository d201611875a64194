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
import * as tf from '../../tensor/tf';
import type { ForwardContext, TensorMap } from '../../tensor/layer';
import type { CdartsBodyShape, NetworkOutput } from './cdartsBody';
import { cdartsBody } from './cdartsBody';
import type { CdartsModules } from './cdartsModules';
import { edgeCount, edgeList } from '../../genotype/cellTopology';
import type { OpOptions } from '../../ops/operations';
import type { OpName } from '../../ops/primitives';
import type { SearchCell } from '../../darts/searchCell';
import { searchCell } from '../../darts/searchCell';
import { splitEdgeRows } from '../../darts/supernet';
import type { CellStackNetwork } from '../../ops/cellStack';

/** CDARTS search ops: affine-free BatchNorm, no BatchNorm after pooling. */
const CDARTS_SEARCH_OP_OPTIONS: OpOptions = { affine: false, bnAfterPool: false };

export interface CdartsNetworkShape extends CdartsBodyShape {
  readonly steps: number;
  readonly multiplier: number;
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

export interface CdartsSearchNetwork extends CellStackNetwork<SearchCell> {
  readonly spec: CdartsSearchNetworkSpec;
  readonly modules: CdartsModules;
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
  const edges = mixture.weights.shape[0];
  if (edges !== edgeCount(steps)) {
    throw new Error(`mixed-op weights have ${edges} rows; the cell has ${edgeCount(steps)} edges`);
  }
  return splitEdgeRows(tf.mul(mixture.weights, tf.tensor2d(edgeScales(steps), [edges, 1])));
}

export function cdartsSearchNetwork(spec: CdartsSearchNetworkSpec): CdartsSearchNetwork {
  const { layers, steps, multiplier } = spec;
  if (!Number.isInteger(layers) || layers < 3) {
    throw new Error(`the search network needs at least 3 cells, got ${layers}`);
  }
  const body = cdartsBody(spec, (slot) =>
    searchCell({
      ...slot,
      steps,
      multiplier,
      primitives: spec.primitives,
      opOptions: CDARTS_SEARCH_OP_OPTIONS,
    }),
  );
  return {
    spec,
    modules: body.modules,
    cells: body.cells,
    params: body.params,
    buffers: body.buffers,
    alphaShape: [edgeCount(steps), spec.primitives.length],
    forward(x, weights, mixtures, ctx, withEnsemble) {
      const normal = scaledEdgeWeights(mixtures.normal, steps);
      const reduce = scaledEdgeWeights(mixtures.reduce, steps);
      return body.forward(x, weights, ctx, withEnsemble, (cell, s0, s1) => {
        const mixture = cell.spec.reduction ? mixtures.reduce : mixtures.normal;
        const edgeWeights = cell.spec.reduction ? reduce : normal;
        return cell.apply(s0, s1, edgeWeights, weights, ctx, mixture.skip);
      });
    },
  };
}
