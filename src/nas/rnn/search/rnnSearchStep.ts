/**
 * One recurrent search iteration (`rnn/train_search.py` train()): the alpha step on a segment of
 * the alpha text from its carried hidden state (Adam on ∇_α of the NLL; first order, or unrolled
 * as `rnn/architect.py` with η = the step's scaled learning rate), then the weight step on the train segment from its carried hidden state: NLL + β·TAR, gradients clipped
 * to the global norm `clip`, SGD with the learning rate scaled by the segment's length / bptt.
 * Each forward draws its own dropout masks from the state's generator. The hidden states each
 * step returns are the next segments' starting states (truncated BPTT); the caller owns them.
 */
import * as tf from '../../tensor/tf';
import { adamStep } from '../../optim/adam';
import { clipByGlobalNorm } from '../../optim/clipGradNorm';
import type { ForwardContext, TensorMap } from '../../tensor/layer';
import { updatingContext } from '../../ops/runningStats';
import { sgdStep } from '../../optim/sgd';
import { zipMap } from '../../tensor/tensorMaps';
import type { RnnLossAt } from './rnnArchGradient';
import { rnnUnrolledArchGrad } from './rnnArchGradient';
import type { RnnDropoutMasks } from '../model/rnnCell';
import { meanTokenNll } from '../model/rnnEvaluate';
import { disposeDropoutMasks, drawDropoutMasks } from '../model/rnnDropout';
import { temporalActivationPenalty, tokenCrossEntropy } from '../model/rnnLoss';
import type { RnnSearchState } from './rnnSearchState';
import type { TokenColumns, TokenSegment } from '../model/rnnTokenData';

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
function rnnArchStep(
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

/** The weight step's learning rate: lr · seqLen / bptt, seqLen as drawn (`train_search.py`). */
function scaledLearningRate(state: RnnSearchState, seqLen: number): number {
  return (state.config.lr * seqLen) / state.config.bptt;
}

/**
 * The weight step; returns the NLL (without TAR) and the next hidden state. `seqLen` is the
 * drawn segment length the learning rate scales with (DARTS scales with it also where the last
 * segment of the text is cut shorter); default the segment's length.
 */
function rnnWeightStep(
  state: RnnSearchState,
  segment: TokenSegment,
  hidden: tf.Tensor2D,
  seqLen: number = segment.length,
): { loss: tf.Scalar; hidden: tf.Tensor2D } {
  const batch = hidden.shape[0];
  const masks = masksFor(state, batch);
  const { clip, tarBeta } = state.config;
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
      sgdStep(
        state.weightOptimizer,
        state.weights,
        clipped.grads,
        scaledLearningRate(state, seqLen),
      );
      if (next === null || nll === null) throw new Error('the weight step computed no loss');
      return { loss: nll, hidden: next };
    });
  } finally {
    disposeDropoutMasks(masks);
  }
}

/** A forward's NLL and last state at explicit weights and alphas, with the given masks. */
function lossAt(
  state: RnnSearchState,
  segment: TokenSegment,
  hidden: tf.Tensor2D,
  masks: RnnDropoutMasks,
): RnnLossAt {
  const ctx = trainingContext(state);
  return (weights, alpha) => {
    const out = state.model.forward(segment.tokens, hidden, weights, alpha, ctx, masks);
    return { loss: tokenCrossEntropy(out.logits, segment.targets), hidden: out.hidden };
  };
}

/**
 * The unrolled alpha step (`rnn/architect.py` with `--unrolled`): the virtual step and the
 * finite difference on the train segment from the carried train state (which it does not
 * advance), the validation loss at w' from the carried validation state. Four forwards draw
 * their masks in DARTS's order: virtual step, validation, w' + εv, w' − εv. Returns L_val(w')
 * and the unrolled model's next validation state.
 */
function rnnUnrolledArchStep(
  state: RnnSearchState,
  train: TokenSegment,
  hiddenTrain: tf.Tensor2D,
  val: TokenSegment,
  hiddenVal: tf.Tensor2D,
  seqLen: number = train.length,
): { loss: tf.Scalar; hidden: tf.Tensor2D } {
  const virtualMasks = masksFor(state, hiddenTrain.shape[0]);
  const valMasks = masksFor(state, hiddenVal.shape[0]);
  const plusMasks = masksFor(state, hiddenTrain.shape[0]);
  const minusMasks = masksFor(state, hiddenTrain.shape[0]);
  try {
    return tf.tidy(() => {
      const r = rnnUnrolledArchGrad({
        trainLoss: lossAt(state, train, hiddenTrain, virtualMasks),
        valLoss: lossAt(state, val, hiddenVal, valMasks),
        plusLoss: lossAt(state, train, hiddenTrain, plusMasks),
        minusLoss: lossAt(state, train, hiddenTrain, minusMasks),
        weights: state.weights,
        weightNames: Object.keys(state.weights),
        alpha: state.alpha,
        lr: scaledLearningRate(state, seqLen),
        weightDecay: state.config.weightDecay,
        clip: state.config.clip,
      });
      adamStep(
        state.alphaOptimizer,
        { alpha: state.alpha },
        { alpha: r.grad },
        state.config.alphaLr,
      );
      return { loss: r.loss, hidden: r.hidden };
    });
  } finally {
    for (const m of [virtualMasks, valMasks, plusMasks, minusMasks]) disposeDropoutMasks(m);
  }
}

/**
 * Alpha step (first order or unrolled, as `config.order`), then weight step; disposes the hidden
 * states it was given. `seqLen`: the drawn train segment length (default its length).
 */
export function rnnSearchStep(
  state: RnnSearchState,
  train: TokenSegment,
  val: TokenSegment,
  hiddenTrain: tf.Tensor2D,
  hiddenVal: tf.Tensor2D,
  seqLen: number = train.length,
): RnnStepResult {
  const arch =
    state.config.order === 2
      ? rnnUnrolledArchStep(state, train, hiddenTrain, val, hiddenVal, seqLen)
      : rnnArchStep(state, val, hiddenVal);
  hiddenVal.dispose();
  const weight = rnnWeightStep(state, train, hiddenTrain, seqLen);
  hiddenTrain.dispose();
  return {
    trainLoss: weight.loss,
    valLoss: arch.loss,
    hiddenTrain: weight.hidden,
    hiddenVal: arch.hidden,
  };
}

/** Mean NLL per token over a whole token split in evaluation mode (`rnnEvaluate.ts`). */
export async function evaluateRnnTokens(
  state: RnnSearchState,
  cols: TokenColumns,
  bptt: number,
): Promise<number> {
  return meanTokenNll(
    { model: state.model, weights: state.weights, alpha: state.alpha, buffers: state.buffers },
    cols,
    bptt,
  );
}
