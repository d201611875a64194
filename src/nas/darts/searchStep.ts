/**
 * One DARTS search iteration (`cnn/train_search.py` train()): the alpha step on a validation
 * batch first, then the weight step on the train batch with the updated alphas. Every gradient
 * (weights, alphas, the unrolled step's four) is taken with the supernet's cells checkpointed
 * (`recompute/cellCheckpoint.ts`) unless the configuration turns it off: the same numbers with
 * one cell's intermediates alive at a time.
 */
import * as tf from '../tensor/tf';
import type { ForwardContext, TensorMap } from '../tensor/layer';
import { adamStep } from '../optim/adam';
import type { GradsAt } from './archGradient';
import { firstOrderArchGrad, unrolledArchGrad } from './archGradient';
import { updatingContext } from '../ops/runningStats';
import { clipByGlobalNorm } from '../optim/clipGradNorm';
import { accuracy, crossEntropy } from '../ops/loss';
import type { SearchState } from './searchState';
import { sgdStep } from '../optim/sgd';
import type { Alphas } from './supernet';
import { zipMap } from '../tensor/tensorMaps';
import { requireGrads, valueAndGradsOf } from '../recompute/cellCheckpoint';
import { betaOptimizerParams } from '../pcdarts/betaVariables';

export interface Batch {
  readonly x: tf.Tensor4D;
  readonly y: tf.Tensor1D;
}

/** Device-side scalars of one step; the caller reads them back (or not) and disposes them. */
export interface StepScalars {
  readonly trainLoss: tf.Scalar;
  readonly trainAccuracy: tf.Scalar;
  /** The alpha objective: L_val(w, α) (first order) or L_val(w', α) (unrolled). */
  readonly valLoss: tf.Scalar;
}

export interface StepRates {
  /** Weight learning rate of the current epoch (also the unrolled step's η). */
  readonly weightLr: number;
  readonly alphaLr: number;
}

/** Training-mode context that does not touch the running statistics. */
function trainingContext(state: SearchState): ForwardContext {
  return { training: true, buffers: state.buffers };
}

/** Whether the steps checkpoint the supernet's cells: unless the configuration says not to. */
function checkpointsCells(state: SearchState): boolean {
  return state.config.checkpointCells ?? true;
}

/**
 * The cross-entropy on `batch` as the steps differentiate it; `onLogits` sees the logits (it
 * may `tf.keep` what it computes from them).
 */
function lossOn(
  state: SearchState,
  batch: Batch,
  ctx: ForwardContext,
  onLogits?: (logits: tf.Tensor2D) => void,
): GradsAt {
  return {
    valueAndGrads(weights: TensorMap, alphas: Alphas, wrt: readonly tf.Tensor[]) {
      const objective = {
        stacks: [state.net.stack(batch.x, weights, alphas, ctx)],
        objective(states: readonly (readonly tf.Tensor4D[])[]) {
          const logits = state.net.logits(states[0] ?? [], weights);
          onLogits?.(logits);
          return crossEntropy(logits, batch.y);
        },
      };
      return valueAndGradsOf(objective, wrt, checkpointsCells(state));
    },
  };
}

/** The alpha step; returns the alpha objective's loss. */
export function archStep(
  state: SearchState,
  train: Batch,
  val: Batch,
  rates: StepRates,
): tf.Scalar {
  return tf.tidy(() => {
    const ctx = trainingContext(state);
    const alphas: Alphas = state.alphas;
    const result =
      state.config.order === 1
        ? firstOrderArchGrad(lossOn(state, val, ctx), state.weights, alphas)
        : unrolledArchGrad({
            lossTrain: lossOn(state, train, ctx),
            lossVal: lossOn(state, val, ctx),
            weights: state.weights,
            weightNames: Object.keys(state.weights),
            alphas,
            momentumBuffers: state.weightOptimizer.buffers,
            lr: rates.weightLr,
            momentum: state.config.momentum,
            weightDecay: state.config.weightDecay,
          });
    const { normal, reduce, betas } = state.alphas;
    const grads = result.grads;
    adamStep(
      state.alphaOptimizer,
      { normal, reduce, ...betaOptimizerParams(betas) },
      { normal: grads.normal, reduce: grads.reduce, ...betaOptimizerParams(grads.betas) },
      rates.alphaLr,
    );
    return result.loss;
  });
}

/** The weight step: CE on the train batch, clip to the global norm, SGD. */
export function weightStep(
  state: SearchState,
  train: Batch,
  weightLr: number,
): { loss: tf.Scalar; accuracy: tf.Scalar } {
  return tf.tidy(() => {
    const names = Object.keys(state.weights);
    const ctx = updatingContext(state.buffers);
    let acc: tf.Scalar | null = null;
    const loss = lossOn(state, train, ctx, (logits) => {
      acc = tf.keep(accuracy(logits, train.y));
    });
    const { value, grads } = loss.valueAndGrads(
      state.weights,
      state.alphas,
      names.map((n) => state.weights[n] as tf.Variable),
    );
    const clipped = clipByGlobalNorm(
      zipMap(names, requireGrads(grads, names)),
      state.config.gradClip,
    );
    sgdStep(state.weightOptimizer, state.weights, clipped.grads, weightLr);
    if (acc === null) throw new Error('weight step computed no accuracy');
    return { loss: value, accuracy: acc };
  });
}

export function searchStep(
  state: SearchState,
  train: Batch,
  val: Batch,
  rates: StepRates,
): StepScalars {
  const valLoss = archStep(state, train, val, rates);
  const { loss, accuracy: trainAccuracy } = weightStep(state, train, rates.weightLr);
  return { trainLoss: loss, trainAccuracy, valLoss };
}

/** Loss and accuracy in evaluation mode (the state's BatchNorm statistics: running or recalibrated). */
export function evaluate(
  state: Pick<SearchState, 'net' | 'weights' | 'alphas'> & { readonly buffers: TensorMap },
  batch: Batch,
): { loss: tf.Scalar; accuracy: tf.Scalar } {
  return tf.tidy(() => {
    const logits = state.net.forward(batch.x, state.weights, state.alphas, {
      training: false,
      buffers: state.buffers,
    });
    return { loss: crossEntropy(logits, batch.y), accuracy: accuracy(logits, batch.y) };
  });
}
