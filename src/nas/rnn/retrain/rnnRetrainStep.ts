/**
 * One retraining step of a recurrent genotype (`rnn/train.py` train()): the segment's forward
 * from the carried hidden state with fresh dropout masks, loss = NLL + α·mean(dropped output²) +
 * β·mean((h_{t+1} − h_t)²), gradients clipped to the global norm `clip`, then SGD (or ASGD after
 * the switch) at lr · seqLen / bptt, seqLen the drawn length.
 */
import * as tf from '../../tensor/tf';
import { clipByGlobalNorm } from '../../optim/clipGradNorm';
import type { TensorMap } from '../../tensor/layer';
import { sgdStep } from '../../optim/sgd';
import { zipMap } from '../../tensor/tensorMaps';
import { asgdStep } from './rnnAsgd';
import type { RnnDropoutMasks } from '../model/rnnCell';
import { disposeDropoutMasks, drawDropoutMasks } from '../model/rnnDropout';
import { temporalActivationPenalty, tokenCrossEntropy } from '../model/rnnLoss';
import type { RnnRetrainState } from './rnnRetrainState';
import type { TokenSegment } from '../model/rnnTokenData';

export interface RnnRetrainStepResult {
  /** The NLL per token of the segment (what train.py logs). */
  readonly nll: tf.Scalar;
  /** The objective: NLL + AR + TAR. */
  readonly loss: tf.Scalar;
  /** h_T: the next segment's starting state. */
  readonly hidden: tf.Tensor2D;
}

/** Training mode, no running statistics (a genotype's cell has none). */
const TRAINING = { training: true, buffers: {} } as const;

/**
 * `masks` replaces the drawn dropout masks (parity tests); the caller then owns them. The hidden
 * state given stays the caller's.
 */
export function rnnRetrainStep(
  state: RnnRetrainState,
  segment: TokenSegment,
  hidden: tf.Tensor2D,
  seqLen: number,
  masks?: RnnDropoutMasks,
): RnnRetrainStepResult {
  const { config } = state;
  const batch = hidden.shape[0];
  const used =
    masks ??
    drawDropoutMasks(state.rng, config.dropout, {
      batch,
      ntoken: state.ntoken,
      ninp: config.nhid,
      nhid: config.nhid,
    });
  try {
    return tf.tidy(() => {
      const names = Object.keys(state.weights);
      let next: tf.Tensor2D | null = null;
      let nll: tf.Scalar | null = null;
      const { value, grads } = tf.valueAndGrads((...ws: tf.Tensor[]) => {
        const weights: TensorMap = zipMap(names, ws);
        const out = state.model.forward(segment.tokens, hidden, weights, null, TRAINING, used);
        next = tf.keep(out.hidden);
        const raw = tokenCrossEntropy(out.logits, segment.targets);
        nll = tf.keep(raw);
        let loss: tf.Scalar = raw;
        if (config.arAlpha > 0) {
          loss = tf.add(loss, tf.mul(tf.mean(tf.square(out.dropped)), config.arAlpha));
        }
        if (config.tarBeta > 0) {
          const tar = temporalActivationPenalty(out.hiddens, batch);
          loss = tf.add(loss, tf.mul(tar, config.tarBeta));
        }
        return loss;
      })(names.map((n) => state.weights[n] as tf.Variable));
      const clipped = clipByGlobalNorm(zipMap(names, grads), config.clip).grads;
      const lr = (config.lr * seqLen) / config.bptt;
      if (state.asgd) asgdStep(state.asgd, state.weights, clipped, lr);
      else sgdStep(state.sgd, state.weights, clipped, lr);
      if (next === null || nll === null) throw new Error('the retrain step computed no loss');
      return { nll, loss: value, hidden: next };
    });
  } finally {
    if (!masks) disposeDropoutMasks(used);
  }
}
