/**
 * What the DARTS recurrent cells share (`rnn/model.py` DARTSCell,
 * `rnn/model_search.py` DARTSCellSearch): the time-step
 * interface the language model drives, the dropout masks, and the highway-style first state
 *   [c₀ | h̃₀] = [x_t ⊙ m_x, h_{t−1} ⊙ m_h] · W₀,   s₀ = h_{t−1} + σ(c₀) ⊙ (tanh(h̃₀) − h_{t−1}).
 */
import * as tf from '../../tensor/tf';
import type { ForwardContext, ParamSpec, TensorMap } from '../../tensor/layer';
import { lookup } from '../../tensor/layer';
import { RNN_INIT_RANGE } from './rnnPrimitives';

/**
 * Dropout masks of one forward (values 0 or 1/keep), each absent when its rate is 0 or in
 * evaluation mode. The cell's masks are DARTS's variational `mask2d`, fixed for the sequence.
 */
export interface RnnDropoutMasks {
  /** The cell's input mask [B, ninp] (`dropoutx`). */
  readonly x?: tf.Tensor2D;
  /** The cell's hidden mask [B, nhid] (`dropouth`), on every state a node's W_i reads. */
  readonly h?: tf.Tensor2D;
  /** Embedding row dropout [ntoken] (`dropoute`): whole words dropped from the lookup table. */
  readonly embedding?: tf.Tensor1D;
  /** Locked dropout on the embeddings [B, ninp] (`dropouti`), shared over time. */
  readonly input?: tf.Tensor2D;
  /** Locked dropout on the cell's outputs [B, nhid] (`dropout`), shared over time. */
  readonly output?: tf.Tensor2D;
}

/** One time step: x_t [B, ninp] and h_{t−1} [B, nhid] to h_t [B, nhid]. */
export type RnnStep = (x: tf.Tensor2D, h: tf.Tensor2D) => tf.Tensor2D;

export interface RecurrentCell {
  readonly ninp: number;
  readonly nhid: number;
  readonly params: readonly ParamSpec[];
  readonly buffers: readonly ParamSpec[];
  /** Whether the cell reads architecture weights (the search cell) or not (a genotype's cell). */
  readonly searchable: boolean;
  /**
   * The time step with this forward's constants bound: the op weights softmax(alpha) (search
   * cell only; null for a genotype's cell), the masks and the weights.
   */
  bind(
    weights: TensorMap,
    alpha: tf.Tensor2D | null,
    ctx: ForwardContext,
    masks: RnnDropoutMasks,
  ): RnnStep;
}

const cellInit = { kind: 'uniform', bound: RNN_INIT_RANGE } as const;

/** W₀ [ninp + nhid, 2·nhid] and one W_i [nhid, 2·nhid] per node, all U(−0.04, 0.04). */
export function cellParams(prefix: string, ninp: number, nhid: number, nodes: number): ParamSpec[] {
  return [
    { name: `${prefix}.w0`, shape: [ninp + nhid, 2 * nhid], init: cellInit },
    ...Array.from({ length: nodes }, (_, i) => ({
      name: `${prefix}.ws.${i}`,
      shape: [nhid, 2 * nhid],
      init: cellInit,
    })),
  ];
}

export function checkCellSizes(ninp: number, nhid: number): void {
  for (const [name, v] of [
    ['ninp', ninp],
    ['nhid', nhid],
  ] as const) {
    if (!Number.isInteger(v) || v < 1)
      throw new Error(`${name} must be a positive integer, got ${v}`);
  }
}

/** [c | h̃] = a · W split into its two halves of width nhid. */
export function gateAndCandidate(
  a: tf.Tensor2D,
  w: tf.Tensor2D,
  nhid: number,
): { c: tf.Tensor2D; h: tf.Tensor2D } {
  const ch = tf.matMul(a, w);
  const rows = ch.shape[0];
  return {
    c: tf.sigmoid(tf.slice(ch, [0, 0], [rows, nhid])) as tf.Tensor2D,
    h: tf.slice(ch, [0, nhid], [rows, nhid]) as tf.Tensor2D,
  };
}

/** s₀ of DARTSCell `_compute_init_state` (init op tanh), before any BatchNorm. */
export function initialState(
  x: tf.Tensor2D,
  hPrev: tf.Tensor2D,
  w0: tf.Tensor2D,
  nhid: number,
  masks: RnnDropoutMasks,
): tf.Tensor2D {
  const xm = masks.x ? tf.mul(x, masks.x) : x;
  const hm = masks.h ? tf.mul(hPrev, masks.h) : hPrev;
  const { c, h } = gateAndCandidate(tf.concat([xm, hm], 1) as tf.Tensor2D, w0, nhid);
  return tf.add(hPrev, tf.mul(c, tf.sub(tf.tanh(h), hPrev)));
}

/** The cell's weight W₀ and the node weights W_i from the map. */
export function cellWeights(
  weights: TensorMap,
  prefix: string,
  nodes: number,
): { w0: tf.Tensor2D; ws: tf.Tensor2D[] } {
  return {
    w0: lookup(weights, `${prefix}.w0`) as tf.Tensor2D,
    ws: Array.from(
      { length: nodes },
      (_, i) => lookup(weights, `${prefix}.ws.${i}`) as tf.Tensor2D,
    ),
  };
}
