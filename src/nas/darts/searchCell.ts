/**
 * The DARTS search cell (`cnn/model_search.py` Cell): two inputs (outputs of cells k−2 and
 * k−1), `steps` intermediate nodes, a mixed op on every edge from an earlier state, output =
 * channel concat of the last `multiplier` states.
 */
import * as tf from '../tensor/tf';
import type { ForwardContext, Layer, TensorMap } from '../tensor/layer';
import type { MixedOp } from '../ops/mixedOp';
import { mixedOp } from '../ops/mixedOp';
import type { OpOptions } from '../ops/operations';
import { buildOp, factorizedReduce, reluConvBn } from '../ops/operations';
import type { OpName } from '../ops/primitives';
import { sumAll } from '../tensor/tensorSum';
import { edgeList } from '../genotype/cellTopology';
import { fusedCell } from './fused/fusedCell';
import { unfusableOps } from './fused/fusedPlan';
import { partialMixedOp } from '../pcdarts/partialMixedOp';

/**
 * How a search cell is computed. 'reference': one mixed op per edge, every candidate with its
 * own kernels, as DARTS writes it. 'fused': the same function with the edges that read one
 * state computed together (`fusedCell.ts`), several times fewer kernels per step.
 */
export type CellKernels = 'fused' | 'reference';

/**
 * The softmax of a cell type's alphas, [edges, ops]: one matrix (the fused cell's form), or one
 * scalar per (edge, op) as `edgeOpWeights` gives them (the reference cell's form). Every cell
 * takes both.
 */
export type EdgeOpWeights = tf.Tensor2D | readonly (readonly tf.Scalar[])[];

/** One scalar per (edge, op). */
function edgeOpScalars(opWeights: EdgeOpWeights): readonly (readonly tf.Scalar[])[] {
  if (!(opWeights instanceof tf.Tensor)) return opWeights;
  const [edges, ops] = opWeights.shape;
  const flat = tf.unstack(tf.reshape(opWeights, [edges * ops])) as tf.Scalar[];
  return Array.from({ length: edges }, (_, e) => flat.slice(e * ops, (e + 1) * ops));
}

/** The flat softmax [edges · ops]. */
function edgeOpVector(opWeights: EdgeOpWeights): tf.Tensor1D {
  if (opWeights instanceof tf.Tensor) return tf.reshape(opWeights, [opWeights.size]);
  return tf.stack(opWeights.flat()) as tf.Tensor1D;
}

export interface SearchCellSpec {
  readonly prefix: string;
  readonly steps: number;
  readonly multiplier: number;
  /** Channels of s0 (cell k−2's output) and s1 (cell k−1's output). */
  readonly cPrevPrev: number;
  readonly cPrev: number;
  /** Channels of the cell's nodes. */
  readonly c: number;
  readonly reduction: boolean;
  readonly reductionPrev: boolean;
  readonly primitives: readonly OpName[];
  readonly opOptions: OpOptions;
  /**
   * Default: 'fused' where the fused cell computes the spec (the search ops' affine-free
   * BatchNorms, every op but conv_7x1_1x7), 'reference' otherwise.
   */
  readonly kernels?: CellKernels;
  /**
   * PC-DARTS's K (`pcdarts/partialMixedOp.ts`): only C/K channels of an edge go through its
   * ops. Absent or 1: DARTS's mixed op. Computed by the reference cell only.
   */
  readonly partialChannels?: number;
}

export interface SearchCell {
  readonly spec: SearchCellSpec;
  readonly params: Layer['params'];
  readonly buffers: Layer['buffers'];
  readonly outChannels: number;
  /** The kernels this cell runs. */
  readonly kernels: CellKernels;
  /**
   * `opWeights` [e][k]: weight of op k on edge e (the softmax of this cell type's alphas), as
   * a matrix or one scalar each. `skip[e][k]` true: op k of edge e is not run (a cut choice,
   * whose weight is zero). `edgeWeights` [edges]: PC-DARTS's normalised β, each edge's mixed op
   * output scaled by its own (`pcdarts/edgeNormalization.ts`).
   */
  apply(
    s0: tf.Tensor4D,
    s1: tf.Tensor4D,
    opWeights: EdgeOpWeights,
    weights: TensorMap,
    ctx: ForwardContext,
    skip?: readonly (readonly boolean[])[],
    edgeWeights?: tf.Tensor1D,
  ): tf.Tensor4D;
}

/** Why the fused cell cannot compute `spec`, or null when it can. */
function unfusableReason(spec: SearchCellSpec): string | null {
  if ((spec.partialChannels ?? 1) > 1) {
    return 'the fused cell does not compute PC-DARTS partial channels';
  }
  const { affine, bnAfterPool } = spec.opOptions;
  if (affine || !bnAfterPool) {
    return 'the fused cell computes DARTS search cells only (affine-free BatchNorm after every op)';
  }
  const ops = unfusableOps(spec.primitives);
  return ops.length > 0 ? `the fused cell cannot compute ${ops.join(', ')}` : null;
}

export function searchCell(spec: SearchCellSpec): SearchCell {
  const reference = referenceSearchCell(spec);
  const reason = unfusableReason(spec);
  const kernels = spec.kernels ?? (reason === null ? 'fused' : 'reference');
  if (kernels === 'reference') return reference;
  if (kernels !== 'fused') {
    throw new Error(`kernels must be 'fused' or 'reference', got ${String(kernels)}`);
  }
  if (reason !== null) throw new Error(`${reason}; use kernels: 'reference'`);
  const fused = fusedCell(spec);
  return {
    ...reference,
    kernels,
    apply(s0, s1, opWeights, weights, ctx, skip, edgeWeights) {
      if (edgeWeights) throw new Error('the fused cell takes no edge weights (PC-DARTS)');
      // Cut choices are not run at all (no output, no BatchNorm statistics): the reference
      // cell does exactly that.
      if (skip?.some((row) => row.includes(true))) {
        return reference.apply(s0, s1, opWeights, weights, ctx, skip);
      }
      return fused.apply(s0, s1, edgeOpVector(opWeights), weights, ctx);
    },
  };
}

/** The straightforward cell: one mixed op per edge, every candidate with its own kernels. */
function referenceSearchCell(spec: SearchCellSpec): SearchCell {
  const { prefix, steps, multiplier, c } = spec;
  if (!Number.isInteger(steps) || steps < 1) {
    throw new Error(`a cell needs at least 1 intermediate node, got ${steps}`);
  }
  if (!Number.isInteger(multiplier) || multiplier < 1 || multiplier > steps) {
    throw new Error(`multiplier must be between 1 and the node count ${steps}, got ${multiplier}`);
  }
  const affine = spec.opOptions.affine;
  const pre0 = spec.reductionPrev
    ? factorizedReduce(`${prefix}.pre0`, spec.cPrevPrev, c, affine)
    : reluConvBn(`${prefix}.pre0`, spec.cPrevPrev, c, 1, 1, 0, affine);
  const pre1 = reluConvBn(`${prefix}.pre1`, spec.cPrev, c, 1, 1, 0, affine);
  const edges = edgeList(steps);
  const k = spec.partialChannels ?? 1;
  const ops: MixedOp[] = edges.map(({ from }, e) => {
    const stride = spec.reduction && from < 2 ? 2 : 1;
    const candidates = (channels: number) =>
      spec.primitives.map((name) =>
        buildOp(name, `${prefix}.edges.${e}.${name}`, channels, stride, spec.opOptions),
      );
    return k > 1 ? partialMixedOp(k, c, stride, candidates) : mixedOp(candidates(c));
  });
  return {
    spec,
    params: [...pre0.params, ...pre1.params, ...ops.flatMap((o) => o.params)],
    buffers: [...pre0.buffers, ...pre1.buffers, ...ops.flatMap((o) => o.buffers)],
    outChannels: multiplier * c,
    kernels: 'reference',
    apply(s0, s1, opWeightsIn, weights, ctx, skip, edgeWeightsIn) {
      const opWeights = edgeOpScalars(opWeightsIn);
      const edgeScales = edgeWeightsIn ? (tf.unstack(edgeWeightsIn) as tf.Scalar[]) : null;
      const states: tf.Tensor4D[] = [pre0.apply(s0, weights, ctx), pre1.apply(s1, weights, ctx)];
      let e = 0;
      for (let node = 0; node < steps; node++) {
        const terms: tf.Tensor4D[] = [];
        for (let from = 0; from < node + 2; from++, e++) {
          const edgeWeights = opWeights[e];
          const op = ops[e];
          const input = states[from];
          if (!edgeWeights || !op || !input) throw new Error(`cell edge ${e} is not wired`);
          const out = op.apply(input, edgeWeights, weights, ctx, skip?.[e]);
          const scale = edgeScales?.[e];
          if (out) terms.push(scale ? tf.mul(out, scale) : out);
        }
        if (terms.length === 0) throw new Error(`node ${node} has no non-zero incoming op`);
        states.push(sumAll(terms));
      }
      return tf.concat(states.slice(-multiplier), 3);
    },
  };
}
