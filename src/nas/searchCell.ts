/**
 * The DARTS search cell (`cnn/model_search.py` Cell): two inputs (outputs of cells k−2 and
 * k−1), `steps` intermediate nodes, a mixed op on every edge from an earlier state, output =
 * channel concat of the last `multiplier` states.
 */
import * as tf from './tf';
import type { ForwardContext, Layer, TensorMap } from './layer';
import type { MixedOp } from './mixedOp';
import { mixedOp } from './mixedOp';
import type { OpOptions } from './operations';
import { buildOp, factorizedReduce, reluConvBn } from './operations';
import type { OpName } from './primitives';
import { sumAll } from './tensorSum';
import { edgeList } from './cellTopology';

export { edgeCount, edgeList } from './cellTopology';

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
}

export interface SearchCell {
  readonly spec: SearchCellSpec;
  readonly params: Layer['params'];
  readonly buffers: Layer['buffers'];
  readonly outChannels: number;
  /** `opWeights[e][k]`: weight of op k on edge e (the softmax of this cell type's alphas). */
  apply(
    s0: tf.Tensor4D,
    s1: tf.Tensor4D,
    opWeights: readonly (readonly tf.Scalar[])[],
    weights: TensorMap,
    ctx: ForwardContext,
  ): tf.Tensor4D;
}

export function searchCell(spec: SearchCellSpec): SearchCell {
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
  const ops: MixedOp[] = edges.map(({ from }, e) => {
    const stride = spec.reduction && from < 2 ? 2 : 1;
    return mixedOp(
      spec.primitives.map((name) =>
        buildOp(name, `${prefix}.edges.${e}.${name}`, c, stride, spec.opOptions),
      ),
    );
  });
  return {
    spec,
    params: [...pre0.params, ...pre1.params, ...ops.flatMap((o) => o.params)],
    buffers: [...pre0.buffers, ...pre1.buffers, ...ops.flatMap((o) => o.buffers)],
    outChannels: multiplier * c,
    apply(s0, s1, opWeights, weights, ctx) {
      const states: tf.Tensor4D[] = [pre0.apply(s0, weights, ctx), pre1.apply(s1, weights, ctx)];
      let e = 0;
      for (let node = 0; node < steps; node++) {
        const terms: tf.Tensor4D[] = [];
        for (let from = 0; from < node + 2; from++, e++) {
          const edgeWeights = opWeights[e];
          const op = ops[e];
          const input = states[from];
          if (!edgeWeights || !op || !input) throw new Error(`cell edge ${e} is not wired`);
          const out = op.apply(input, edgeWeights, weights, ctx);
          if (out) terms.push(out);
        }
        if (terms.length === 0) throw new Error(`node ${node} has no non-zero incoming op`);
        states.push(sumAll(terms));
      }
      return tf.concat(states.slice(-multiplier), 3);
    },
  };
}
