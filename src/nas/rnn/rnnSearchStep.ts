/**
 * One recurrent search iteration (`rnn/train_search.py` train(), first order): the alpha step on
 * a segment of the alpha text from its carried hidden state (Adam on ∇_α of the NLL), then the
 * weight step on the train segment from its carried hidden state: NLL + β·TAR, gradients clipped
 * to the global norm `clip`, SGD with the learning rate scaled by the segment's length / bptt.
 * Each forward draws its own dropout masks from the state's generator. The hidden states each
 * step returns are the next segments' starting states (truncated BPTT); the caller owns them.
 */
import * as tf from '../tf';
import { adamStep } from '../adam';
import { clipByGlobalNorm } from '../clipGradNorm';
import type { ForwardContext, TensorMap } from '../layer';
import { updatingContext } from '../runningStats';
import { sgdStep } from '../sgd';
import { zipMap } from '../tensorMaps';
import { sumAll } from '../tensorSum';
import type { RnnDropoutMasks } from './rnnCell';
import { disposeDropoutMasks, drawDropoutMasks } from './rnnDropout';
import { temporalActivationPenalty, tokenCrossEntropy } from './rnnLoss';
import type { RnnSearchState } from './rnnSearchState';
import type { TokenColumns, TokenSegment } from './rnnTokenData';
import { disposeSegment, tokenSegment } from './rnnTokenData';

export interface RnnStepResult {
  /** The weight step's NLL (without TAR) on the train segment. */
  readonly trainLoss: tf.Scalar;
  /** The alpha objective: the NLL on the alpha segment. */
  readonly valLoss: tf.Scalar;
  readonly hiddenTrain: tf.Tensor2D;
  readonly hiddenVal: tf.Tensor2D;
}

function masksFor(state: RnnSearchState, batch: number): RnnDropoutMasks {
  const { nhid } = state.config;
  return drawDropoutMasks(state.rng, state.config.dropout, {
    batch,
    ntoken: state.ntoken,
    ninp: nhid,
    nhid,
  });
}

/** Training mode without running-statistics updates (the alpha step's forward). */
function trainingContext(state: RnnSearchState): ForwardContext {
  return { training: true, buffers: state.buffers };
}

/** The first-order alpha step; returns the loss at the old alphas and the next hidden state. */
export function rnnArchStep(
  state: RnnSearchState,
  segment: TokenSegment,
  hidden: tf.Tensor2D,
): { loss: tf.Scalar; hidden: tf.Tensor2D } {
  const masks = masksFor(state, hidden.shape[0]);
  try {
    return tf.tidy(() => {
      const ctx = trainingContext(state);
      let next: tf.Tensor2D | null = null;
      const { value, grad } = tf.valueAndGrad((alpha: tf.Tensor) => {
        const out = state.model.forward(
          segment.tokens,
          hidden,
          state.weights,
          alpha as tf.Tensor2D,
          ctx,
          masks,
        );
        next = tf.keep(out.hidden);
        return tokenCrossEntropy(out.logits, segment.targets);
      })(state.alpha);
      adamStep(state.alphaOptimizer, { alpha: state.alpha }, { alpha: grad }, state.config.alphaLr);
      if (next === null) throw new Error('the alpha step computed no hidden state');
      return { loss: value, hidden: next };
    });
  } finally {
    disposeDropoutMasks(masks);
  }
}

/** The weight step; returns the NLL (without TAR) and the next hidden state. */
export function rnnWeightStep(
  state: RnnSearchState,
  segment: TokenSegment,
  hidden: tf.Tensor2D,
): { loss: tf.Scalar; hidden: tf.Tensor2D } {
  const batch = hidden.shape[0];
  const masks = masksFor(state, batch);
  const { bptt, lr, clip, tarBeta } = state.config;
  try {
    return tf.tidy(() => {
      const names = Object.keys(state.weights);
      const ctx = updatingContext(state.buffers);
      let next: tf.Tensor2D | null = null;
      let nll: tf.Scalar | null = null;
      const { grads } = tf.valueAndGrads((...ws: tf.Tensor[]) => {
        const weights: TensorMap = zipMap(names, ws);
        const out = state.model.forward(segment.tokens, hidden, weights, state.alpha, ctx, masks);
        next = tf.keep(out.hidden);
        const raw = tokenCrossEntropy(out.logits, segment.targets);
        nll = tf.keep(raw);
        if (tarBeta === 0) return raw;
        return tf.add(raw, tf.mul(temporalActivationPenalty(out.hiddens, batch), tarBeta));
      })(names.map((n) => state.weights[n] as tf.Variable));
      const clipped = clipByGlobalNorm(zipMap(names, grads), clip);
      sgdStep(state.weightOptimizer, state.weights, clipped.grads, (lr * segment.length) / bptt);
      if (next === null || nll === null) throw new Error('the weight step computed no loss');
      return { loss: nll, hidden: next };
    });
  } finally {
    disposeDropoutMasks(masks);
  }
}

/** Alpha step, then weight step; disposes the hidden states it was given. */
export function rnnSearchStep(
  state: RnnSearchState,
  train: TokenSegment,
  val: TokenSegment,
  hiddenTrain: tf.Tensor2D,
  hiddenVal: tf.Tensor2D,
): RnnStepResult {
  const arch = rnnArchStep(state, val, hiddenVal);
  hiddenVal.dispose();
  const weight = rnnWeightStep(state, train, hiddenTrain);
  hiddenTrain.dispose();
  return {
    trainLoss: weight.loss,
    valLoss: arch.loss,
    hiddenTrain: weight.hidden,
    hiddenVal: arch.hidden,
  };
}

/**
 * Mean NLL per token over a whole token split in evaluation mode (running statistics, no
 * dropout), segment by segment of `bptt` rows from a zero state, the hidden state carried.
 */
export async function evaluateRnnTokens(
  state: RnnSearchState,
  cols: TokenColumns,
  bptt: number,
): Promise<number> {
  const ctx: ForwardContext = { training: false, buffers: state.buffers };
  let hidden = state.model.initHidden(cols.batch);
  const sums: tf.Scalar[] = [];
  let rows = 0;
  for (let start = 0; start < cols.rows - 1; start += bptt) {
    const segment = tokenSegment(cols, start, bptt);
    const out = tf.tidy(() => {
      const r = state.model.forward(segment.tokens, hidden, state.weights, state.alpha, ctx);
      return {
        hidden: r.hidden,
        sum: tf.mul(tokenCrossEntropy(r.logits, segment.targets), segment.length) as tf.Scalar,
      };
    });
    hidden.dispose();
    hidden = out.hidden;
    sums.push(out.sum);
    rows += segment.length;
    disposeSegment(segment);
  }
  hidden.dispose();
  const total = tf.tidy(() => tf.div(sumAll(sums), rows));
  const value = (await total.data())[0] as number;
  tf.dispose([total, ...sums]);
  return value;
}
