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
 * The cells are DARTS's search cells (`searchCell`, through its public API). The forward is a
 * cell stack whose start makes the scaled mixing weights from the mixtures, so that a training
 * step can run it with its cells checkpointed.
 */
import * as tf from '../../tensor/tf';
import type { ForwardContext, TensorMap } from '../../tensor/layer';
import type { CdartsBodyShape, NetworkHead, NetworkOutput } from './cdartsBody';
import { cdartsBody, runBody } from './cdartsBody';
import type { RecomputableStack } from '../../recompute/cellCheckpoint';
import type { CdartsModules } from './cdartsModules';
import { edgeCount, edgeList } from '../../genotype/cellTopology';
import type { OpOptions } from '../../ops/operations';
import type { OpName } from '../../ops/primitives';
import type { SearchCell } from '../../darts/searchCell';
import { searchCell } from '../../darts/searchCell';
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
  /**
   * The forward's cells as a stack: the stem and both cell types' scaled mixing weights (from
   * `mixturesOf`, called in each pass: a function of the alphas), then one cell each.
   */
  stack(
    x: tf.Tensor4D,
    weights: TensorMap,
    mixturesOf: () => Mixtures,
    ctx: ForwardContext,
  ): RecomputableStack;
  /** The logits and, when asked for, the ensemble logits from the stack's states. */
  readonly output: NetworkHead;
}

/** 1/(node + 2) for every edge, as a column [edges, 1]. */
export function edgeScales(steps: number): Float32Array {
  return Float32Array.from(edgeList(steps), ({ node }) => 1 / (node + 2));
}

function scaledEdgeWeights(mixture: CellMixture, steps: number): tf.Tensor2D {
  const edges = mixture.weights.shape[0];
  if (edges !== edgeCount(steps)) {
    throw new Error(`mixed-op weights have ${edges} rows; the cell has ${edgeCount(steps)} edges`);
  }
  return tf.mul(mixture.weights, tf.tensor2d(edgeScales(steps), [edges, 1]));
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
  const stack = (
    x: tf.Tensor4D,
    weights: TensorMap,
    mixturesOf: () => Mixtures,
    ctx: ForwardContext,
  ): RecomputableStack => {
    // The cut choices are host data, the same in every pass: the forward pass's are kept.
    let skips: Mixtures | null = null;
    return body.stack(
      x,
      weights,
      ctx,
      (pass) => {
        const mixtures = mixturesOf();
        if (pass === 'forward' || skips === null) skips = mixtures;
        return [
          scaledEdgeWeights(mixtures.normal, steps),
          scaledEdgeWeights(mixtures.reduce, steps),
        ];
      },
      (cell, s0, s1, shared, cellCtx) => {
        const reduction = cell.spec.reduction;
        const skip = (skips as Mixtures)[reduction ? 'reduce' : 'normal'].skip;
        const edgeWeights = shared[reduction ? 1 : 0] as tf.Tensor2D;
        return cell.apply(s0, s1, edgeWeights, weights, cellCtx, skip);
      },
    );
  };
  return {
    spec,
    modules: body.modules,
    cells: body.cells,
    params: body.params,
    buffers: body.buffers,
    alphaShape: [edgeCount(steps), spec.primitives.length],
    stack,
    output: body.output,
    forward(x, weights, mixtures, ctx, withEnsemble) {
      return runBody(
        body,
        stack(x, weights, () => mixtures, ctx),
        weights,
        ctx,
        withEnsemble,
      );
    },
  };
}
