/**
 * The DARTS recurrent search cell (`rnn/model_search.py` DARTSCellSearch). Per time
 * step, with p = softmax(α) [edges, ops] shared by all steps:
 *
 *   s₀ = BN(h_{t−1} + σ(c₀) ⊙ (tanh(h̃₀) − h_{t−1})),   [c₀ | h̃₀] = [x_t ⊙ m_x, h_{t−1} ⊙ m_h] · W₀
 *   node i (0-based), predecessors j = 0..i, W_i shared by the node's edges:
 *     [c_j | h̃_j] = (s_j ⊙ m_h) · W_i
 *     s_{i+1} = BN( Σ_j Σ_{op ≠ none} p_{(i,j),op} · (s_j + σ(c_j) ⊙ (op(h̃_j) − s_j)) )
 *   h_t = mean(s₁, …, s_steps)
 *
 * BN is one affine-free BatchNorm1d shared by s₀ and every node (batch statistics in training,
 * its running statistics updated at each of its steps+1 uses per time step). `none` takes
 * softmax mass and adds nothing. The predecessors of a node are computed together: the states
 * are kept stacked [(i+1)·B, nhid], one matmul gives every edge's gate and candidate, and one
 * matmul of the node's op weights [1, ops·(i+1)] with the stacked mixes sums the node.
 */
import * as tf from '../../tensor/tf';
import type { ForwardContext, ParamSpec } from '../../tensor/layer';
import { batchNorm } from '../../ops/batchNorm';
import { applyActivation } from './rnnActivations';
import type { RecurrentCell, RnnDropoutMasks, RnnStep } from './rnnCell';
import { cellParams, cellWeights, checkCellSizes, gateAndCandidate, initialState } from './rnnCell';
import type { RnnActivationName, RnnOpName } from './rnnPrimitives';
import { RNN_PRIMITIVES, RNN_STEPS, rnnEdgeCount } from './rnnPrimitives';

export interface RnnSearchCellSpec {
  readonly ninp: number;
  readonly nhid: number;
  /** Intermediate nodes (DARTS: 8); the output is their mean. */
  readonly steps?: number;
  /** The candidates, the alphas' columns (default: DARTS's `PRIMITIVES`). */
  readonly primitives?: readonly RnnOpName[];
  /** Parameter name prefix (default `cell`). */
  readonly prefix?: string;
}

export interface RnnSearchCell extends RecurrentCell {
  readonly steps: number;
  readonly primitives: readonly RnnOpName[];
  /** Shape of the alphas: [edges, candidates]. */
  readonly alphaShape: readonly [number, number];
}

function checkPrimitives(primitives: readonly RnnOpName[]): void {
  if (primitives.length === 0) throw new Error('the recurrent op set is empty');
  const seen = new Set<string>();
  for (const op of primitives) {
    if (!(RNN_PRIMITIVES as readonly string[]).includes(op)) {
      throw new Error(`unknown recurrent op "${op}"; known ops: ${RNN_PRIMITIVES.join(', ')}`);
    }
    if (seen.has(op)) throw new Error(`op "${op}" appears twice in the recurrent op set`);
    seen.add(op);
  }
  if (primitives.every((op) => op === 'none')) {
    throw new Error('the recurrent op set needs at least one op other than none');
  }
}

/** BatchNorm1d on [B, C] through the 4-D BatchNorm ([B, 1, 1, C]: statistics over the batch). */
function batchNorm1d(prefix: string, channels: number) {
  const bn = batchNorm(prefix, channels, false);
  return {
    buffers: bn.buffers,
    apply(x: tf.Tensor2D, ctx: ForwardContext): tf.Tensor2D {
      const [b, c] = x.shape;
      return tf.reshape(bn.apply(tf.reshape(x, [b, 1, 1, c]), {}, ctx), [b, c]);
    },
  };
}

export function rnnSearchCell(spec: RnnSearchCellSpec): RnnSearchCell {
  const { ninp, nhid } = spec;
  const steps = spec.steps ?? RNN_STEPS;
  const primitives = spec.primitives ?? RNN_PRIMITIVES;
  const prefix = spec.prefix ?? 'cell';
  checkCellSizes(ninp, nhid);
  if (!Number.isInteger(steps) || steps < 1) {
    throw new Error(`a recurrent cell needs at least 1 node, got ${steps}`);
  }
  checkPrimitives(primitives);
  const bn = batchNorm1d(`${prefix}.bn`, nhid);
  const params: ParamSpec[] = cellParams(prefix, ninp, nhid, steps);
  const edges = rnnEdgeCount(steps);
  // The ops that contribute (every candidate but none), with their alpha columns.
  const active = primitives.flatMap((op, k) =>
    op === 'none' ? [] : [{ op: op as RnnActivationName, column: k }],
  );
  const activeColumns = active.map((a) => a.column);

  /** Per node, the op weights [1, active·(i+1)], op-major: p[(i, 0), op₀], p[(i, 1), op₀], … */
  function nodeOpWeights(alpha: tf.Tensor2D): tf.Tensor2D[] {
    if (alpha.shape[0] !== edges || alpha.shape[1] !== primitives.length) {
      throw new Error(
        `recurrent alphas must be [${edges}, ${primitives.length}], got [${alpha.shape.join(', ')}]`,
      );
    }
    const probs = tf.gather(tf.softmax(alpha), activeColumns, 1) as tf.Tensor2D;
    const out: tf.Tensor2D[] = [];
    let offset = 0;
    for (let i = 0; i < steps; i++) {
      const rows = tf.slice(probs, [offset, 0], [i + 1, active.length]);
      out.push(tf.reshape(tf.transpose(rows), [1, active.length * (i + 1)]));
      offset += i + 1;
    }
    return out;
  }

  return {
    ninp,
    nhid,
    steps,
    primitives,
    params,
    buffers: bn.buffers,
    searchable: true,
    alphaShape: [edges, primitives.length],
    bind(weights, alpha, ctx, masks: RnnDropoutMasks): RnnStep {
      if (alpha === null) throw new Error('the recurrent search cell needs its alphas');
      const { w0, ws } = cellWeights(weights, prefix, steps);
      const opWeights = nodeOpWeights(alpha);
      return (x, hPrev) => {
        const batch = x.shape[0];
        if (ctx.training && batch < 2) {
          throw new Error(
            'the recurrent search cell normalises over the batch in training mode: it needs a batch of at least 2',
          );
        }
        const s0 = bn.apply(initialState(x, hPrev, w0, nhid, masks), ctx);
        const hMask = masks.h;
        let states: tf.Tensor2D = s0; // [(i+1)·B, nhid]: s₀ … s_i
        // What W_i reads: the states under the hidden mask (the same stack without one).
        let readStates: tf.Tensor2D = hMask ? tf.mul(s0, hMask) : s0;
        for (let i = 0; i < steps; i++) {
          const { c, h } = gateAndCandidate(
            hMask ? readStates : states,
            ws[i] as tf.Tensor2D,
            nhid,
          );
          const mixes = active.map(({ op }) =>
            tf.reshape(tf.add(states, tf.mul(c, tf.sub(applyActivation(op, h), states))), [
              i + 1,
              batch * nhid,
            ]),
          );
          const mixed = mixes.length === 1 ? (mixes[0] as tf.Tensor2D) : tf.concat(mixes, 0);
          const sum = tf.reshape(tf.matMul(opWeights[i] as tf.Tensor2D, mixed), [
            batch,
            nhid,
          ]) as tf.Tensor2D;
          const s = bn.apply(sum, ctx);
          states = tf.concat([states, s], 0);
          if (hMask && i < steps - 1) {
            readStates = tf.concat([readStates, tf.mul(s, hMask) as tf.Tensor2D], 0);
          }
        }
        const nodes = tf.slice(states, [batch, 0], [steps * batch, nhid]);
        return tf.reshape(tf.mean(tf.reshape(nodes, [steps, batch * nhid]), 0), [batch, nhid]);
      };
    },
  };
}
