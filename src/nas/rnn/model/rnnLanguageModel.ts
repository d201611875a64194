/**
 * The language model around a recurrent cell (`rnn/model.py` RNNModel): embedding
 * (with row dropout), locked dropout on the embeddings, the cell over the T time steps of a
 * segment from a given hidden state, locked dropout on the outputs, and a decoder whose weight is
 * the embedding (tied) plus its own bias. Tokens are time-major [T, B] (DARTS's `batchify`
 * layout). The hidden state a forward returns is what the next segment starts from: truncated
 * backpropagation through time holds it as a plain tensor (the gradient is never taken w.r.t.
 * it), which detaches it.
 */
import * as tf from '../../tensor/tf';
import type { ForwardContext, ParamSet, ParamSpec, TensorMap } from '../../tensor/layer';
import { lookup } from '../../tensor/layer';
import type { RecurrentCell, RnnDropoutMasks } from './rnnCell';
import { RNN_INIT_RANGE } from './rnnPrimitives';
import { embeddingLookup } from './rnnEmbeddingLookup';

export interface RnnLanguageModelSpec {
  /** Vocabulary size. */
  readonly ntoken: number;
  readonly cell: RecurrentCell;
}

export interface RnnForwardResult {
  /** Decoder logits [T·B, ntoken], row t·B + b for step t, sequence b. */
  readonly logits: tf.Tensor2D;
  /** The cell's raw outputs [T·B, nhid] (before output dropout; TAR reads these). */
  readonly hiddens: tf.Tensor2D;
  /** h_T [B, nhid]: the next segment's starting state. */
  readonly hidden: tf.Tensor2D;
  /** The outputs after the output dropout [T·B, nhid], what the decoder reads (AR reads these). */
  readonly dropped: tf.Tensor2D;
}

export interface RnnLanguageModel extends ParamSet {
  readonly ntoken: number;
  readonly ninp: number;
  readonly nhid: number;
  readonly cell: RecurrentCell;
  /** Zeros [batch, nhid] (`init_hidden`). */
  initHidden(batch: number): tf.Tensor2D;
  /**
   * One segment: tokens [T, B] (int32), hidden [B, nhid]. `alpha` is the search cell's
   * architecture logits, null for a genotype's cell.
   */
  forward(
    tokens: tf.Tensor2D,
    hidden: tf.Tensor2D,
    weights: TensorMap,
    alpha: tf.Tensor2D | null,
    ctx: ForwardContext,
    masks?: RnnDropoutMasks,
  ): RnnForwardResult;
}

export function rnnLanguageModel(spec: RnnLanguageModelSpec): RnnLanguageModel {
  const { ntoken, cell } = spec;
  const { ninp, nhid } = cell;
  if (!Number.isInteger(ntoken) || ntoken < 2) {
    throw new Error(`a language model needs a vocabulary of at least 2 tokens, got ${ntoken}`);
  }
  if (ninp !== nhid) {
    // The decoder is tied to the embedding: it reads nhid-wide outputs with an ninp-wide table.
    throw new Error(
      `the tied decoder needs ninp = nhid (DARTS asserts it), got ${ninp} and ${nhid}`,
    );
  }
  const params: ParamSpec[] = [
    {
      name: 'encoder.weight',
      shape: [ntoken, ninp],
      init: { kind: 'uniform', bound: RNN_INIT_RANGE },
    },
    ...cell.params,
    { name: 'decoder.bias', shape: [ntoken], init: { kind: 'zeros' } },
  ];
  return {
    ntoken,
    ninp,
    nhid,
    cell,
    params,
    buffers: cell.buffers,
    initHidden: (batch) => tf.zeros([batch, nhid]),
    forward(tokens, hidden, weights, alpha, ctx, masks = {}) {
      if (tokens.rank !== 2) throw new Error(`tokens must be [T, B], got rank ${tokens.rank}`);
      const [steps, batch] = tokens.shape;
      if (steps < 1 || batch < 1) throw new Error(`tokens [${steps}, ${batch}] hold no sequence`);
      if (hidden.shape[0] !== batch || hidden.shape[1] !== nhid) {
        throw new Error(
          `the hidden state must be [${batch}, ${nhid}], got [${hidden.shape.join(', ')}]`,
        );
      }
      if (cell.searchable !== (alpha !== null)) {
        throw new Error(
          cell.searchable
            ? 'the search cell needs its alphas'
            : "a genotype's cell takes no alphas",
        );
      }
      const encoder = lookup(weights, 'encoder.weight') as tf.Tensor2D;
      const table = masks.embedding
        ? tf.mul(encoder, tf.reshape(masks.embedding, [ntoken, 1]))
        : encoder;
      let emb: tf.Tensor2D = embeddingLookup(
        table as tf.Tensor2D,
        tf.reshape(tokens, [steps * batch]) as tf.Tensor1D,
      );
      if (masks.input) {
        emb = tf.reshape(tf.mul(tf.reshape(emb, [steps, batch, ninp]), masks.input), [
          steps * batch,
          ninp,
        ]);
      }
      const step = cell.bind(weights, alpha, ctx, masks);
      const outputs: tf.Tensor2D[] = [];
      let h = hidden;
      for (let t = 0; t < steps; t++) {
        h = step(tf.slice(emb, [t * batch, 0], [batch, ninp]), h);
        outputs.push(h);
      }
      const hiddens = outputs.length === 1 ? h : tf.concat(outputs, 0);
      const out = masks.output
        ? tf.reshape(tf.mul(tf.reshape(hiddens, [steps, batch, nhid]), masks.output), [
            steps * batch,
            nhid,
          ])
        : hiddens;
      const logits = tf.add(
        tf.matMul(out, encoder, false, true),
        lookup(weights, 'decoder.bias'),
      ) as tf.Tensor2D;
      return { logits, hiddens, hidden: h, dropped: out as tf.Tensor2D };
    },
  };
}
