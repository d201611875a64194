/**
 * The steps of a CDARTS search (NNI `CdartsTrainer` in `cdarts/trainer.py`; the
 * official `search()` of `lib/core/search_function.py`):
 *
 * - search warm-up: CE of the search network on a weight batch, its weights only (α frozen);
 * - evaluation warm-up: CE of the evaluation network, its weights only;
 * - joint step: (1) on an alpha batch, the objective
 *     (CE(search) + CE(eval)) / loss_alpha + distill(search ensemble, eval ensemble) · loss_alpha
 *     + reg_decay · Σ|α_penalized|
 *   updates the evaluation network's weights (SGD at nasnet_lr, gradients clipped over that
 *   network's parameters) and the alphas (Adam, unclipped); the search network's own weights get
 *   no update from it. (2) on a weight batch, CE of the search network with the updated alphas
 *   updates the search network's weights (SGD at w_lr, clipped).
 *
 * The teacher (evaluation ensemble) is not detached. Parameters a loss does not reach (the heads
 * and the ensemble weight in a CE-only step, frozen heads always) get no gradient and no update,
 * as PyTorch's optimizers skip parameters without one. Running statistics are updated by each
 * network's weight-training forwards, not by the search network's forward in the alpha step.
 *
 * Every gradient is taken with both networks' cells checkpointed (`recompute/cellCheckpoint.ts`)
 * unless the configuration turns it off: the same numbers, one cell's intermediates at a time.
 */
import * as tf from '../tensor/tf';
import { adamStep } from '../optim/adam';
import { clipByGlobalNorm } from '../optim/clipGradNorm';
import type { CdartsState } from './cdartsState';
import {
  evalBuffers,
  evalOptimizer,
  evalWeights,
  searchBuffers,
  searchWeights,
  trainable,
} from './cdartsState';
import { distillationLoss } from './distillation';
import type { NetworkOutput } from './network/cdartsBody';
import type { ForwardContext, TensorMap } from '../tensor/layer';
import { accuracy, crossEntropy } from '../ops/loss';
import { mutatorMixtures, regularizationPenalty } from './regularizedMutator';
import { updatingContext } from '../ops/runningStats';
import type { Batch } from '../darts/searchStep';
import type { SgdState } from '../optim/sgd';
import { sgdStep } from '../optim/sgd';
import type { StackedObjective } from '../recompute/cellCheckpoint';
import { valueAndGradsOf } from '../recompute/cellCheckpoint';

export interface CdartsRates {
  /** `w_lr`. */
  readonly weightLr: number;
  /** `nasnet_lr`. */
  readonly nasnetLr: number;
  readonly alphaLr: number;
}

// Type aliases, not interfaces: tf.tidy returns them as tensor containers.
export type LossAndAccuracy = {
  readonly loss: tf.Scalar;
  readonly accuracy: tf.Scalar;
};

/** Device-side scalars of a joint step; the caller reads them back and disposes them. */
export type JointScalars = {
  /** CE and accuracy of each network on the alpha batch (training mode). */
  readonly searchVal: LossAndAccuracy;
  readonly evalVal: LossAndAccuracy;
  /** The distillation term, including T² and loss_alpha. */
  readonly distillation: tf.Scalar;
  /** Σ|α| over the penalized, uncut entries (before reg_decay). */
  readonly penalty: tf.Scalar;
  /** The whole alpha-step objective. */
  readonly alphaObjective: tf.Scalar;
  /** CE and accuracy of the search network on the weight batch, before its update. */
  readonly searchTrain: LossAndAccuracy;
};

type VariableMap = Readonly<Record<string, tf.Variable>>;

/**
 * Gradients of the objective w.r.t. `params`, by parameter name; unreached parameters are
 * absent. The cells are checkpointed unless the configuration says not to.
 */
function namedGrads(
  state: CdartsState,
  objective: StackedObjective,
  params: VariableMap,
): { value: tf.Scalar; grads: Record<string, tf.Tensor> } {
  // In name order: the checkpointed backward sums a shared tensor's gradient in the order of
  // the parameters, and a resumed run's maps (its pool restored) list them in another order.
  const names = Object.keys(params).sort();
  const { value, grads } = valueAndGradsOf(
    objective,
    names.map((n) => params[n] as tf.Variable),
    state.config.checkpointCells ?? true,
  );
  const named: Record<string, tf.Tensor> = {};
  names.forEach((name, i) => {
    const grad = grads[i];
    if (grad) named[name] = grad;
  });
  return { value, grads: named };
}

/** A network's forward in parts: its cell stack, and its output from the stack's states. */
interface NetworkParts {
  readonly stack: StackedObjective['stacks'][number];
  output(states: readonly tf.Tensor4D[]): NetworkOutput;
}

function searchNetworkParts(
  state: CdartsState,
  x: tf.Tensor4D,
  weights: VariableMap,
  ctx: ForwardContext,
  withEnsemble: boolean,
): NetworkParts {
  const net = state.searchNet;
  return {
    stack: net.stack(x, weights, () => mutatorMixtures(state.mutator, state.alphas), ctx),
    output: (states) => net.output(states, weights, ctx, withEnsemble),
  };
}

function evalNetworkParts(
  state: CdartsState,
  x: tf.Tensor4D,
  weights: VariableMap,
  ctx: ForwardContext,
  withEnsemble: boolean,
): NetworkParts {
  const net = state.evalNet.net;
  return {
    stack: net.stack(x, weights, ctx),
    output: (states) => net.output(states, weights, ctx, withEnsemble),
  };
}

/** Clips `grads` to the global norm and takes an SGD step on the parameters that have one. */
function clippedSgd(
  optimizer: SgdState,
  params: VariableMap,
  grads: Record<string, tf.Tensor>,
  clip: number,
  lr: number,
): void {
  const updated: Record<string, tf.Variable> = {};
  for (const name of Object.keys(grads)) updated[name] = params[name] as tf.Variable;
  if (Object.keys(updated).length === 0) return;
  sgdStep(optimizer, updated, clipByGlobalNorm(grads, clip).grads, lr);
}

function trainingContext(buffers: VariableMap): ForwardContext {
  return { training: true, buffers };
}

/**
 * One weight step of either network: CE of `partsOf` (a training-mode forward that updates
 * `buffers`' running statistics) on `batch`, then clipped SGD at `lr` on the weights it reaches.
 */
function weightStep(
  state: CdartsState,
  batch: Batch,
  weights: VariableMap,
  buffers: VariableMap,
  partsOf: (ctx: ForwardContext) => NetworkParts,
  optimizer: () => SgdState,
  lr: number,
  what: string,
): LossAndAccuracy {
  return tf.tidy(() => {
    const parts = partsOf(updatingContext(buffers));
    let acc: tf.Scalar | null = null;
    const objective: StackedObjective = {
      stacks: [parts.stack],
      objective(states) {
        const { logits } = parts.output(states[0] ?? []);
        acc = tf.keep(accuracy(logits, batch.y));
        return crossEntropy(logits, batch.y);
      },
    };
    const { value, grads } = namedGrads(state, objective, trainable(state, weights));
    clippedSgd(optimizer(), weights, grads, state.config.gradClip, lr);
    if (acc === null) throw new Error(`${what} weight step computed no accuracy`);
    return { loss: value, accuracy: acc };
  });
}

/** One search-network weight step on `batch` (warm-up, and the second half of a joint step). */
export function searchWeightStep(
  state: CdartsState,
  batch: Batch,
  weightLr: number,
): LossAndAccuracy {
  const weights = searchWeights(state);
  return weightStep(
    state,
    batch,
    weights,
    searchBuffers(state),
    (ctx) => searchNetworkParts(state, batch.x, weights, ctx, false),
    () => state.searchOptimizer,
    weightLr,
    'search',
  );
}

/** One evaluation-network weight step on `batch` (the evaluation warm-up). */
export function evalWeightStep(
  state: CdartsState,
  batch: Batch,
  nasnetLr: number,
): LossAndAccuracy {
  const weights = evalWeights(state);
  return weightStep(
    state,
    batch,
    weights,
    evalBuffers(state),
    (ctx) => evalNetworkParts(state, batch.x, weights, ctx, false),
    () => evalOptimizer(state),
    nasnetLr,
    'evaluation',
  );
}

interface AlphaStepParts {
  searchVal: LossAndAccuracy;
  evalVal: LossAndAccuracy;
  distillation: tf.Scalar;
  penalty: tf.Scalar;
}

/** Step 1 of a joint step: alphas and evaluation-network weights on the alpha batch. */
function alphaStep(
  state: CdartsState,
  val: Batch,
  regDecay: number,
  rates: CdartsRates,
): Omit<JointScalars, 'searchTrain'> {
  if (!Number.isFinite(regDecay) || regDecay < 0) {
    throw new Error(`the regularization weight must be a non-negative number, got ${regDecay}`);
  }
  const { config } = state;
  return tf.tidy(() => {
    const eWeights = evalWeights(state);
    const sWeights = searchWeights(state);
    const search = searchNetworkParts(
      state,
      val.x,
      sWeights,
      trainingContext(searchBuffers(state)),
      true,
    );
    const evaluation = evalNetworkParts(
      state,
      val.x,
      eWeights,
      updatingContext(evalBuffers(state)),
      true,
    );
    const evalParams = trainable(state, eWeights);
    let parts: AlphaStepParts | null = null;
    const objective: StackedObjective = {
      stacks: [search.stack, evaluation.stack],
      objective(states) {
        const s = search.output(states[0] ?? []);
        const e = evaluation.output(states[1] ?? []);
        if (!s.ensemble || !e.ensemble) throw new Error('a network returned no ensemble logits');
        const searchCe = crossEntropy(s.logits, val.y);
        const evalCe = crossEntropy(e.logits, val.y);
        const classification = tf.div(tf.add(searchCe, evalCe), config.lossAlpha);
        const distillation = tf.mul(
          distillationLoss(config.interactiveType, s.ensemble, e.ensemble, config.lossT),
          config.lossAlpha,
        ) as tf.Scalar;
        const penalty = regularizationPenalty(state.mutator, state.alphas);
        parts = {
          searchVal: { loss: tf.keep(searchCe), accuracy: tf.keep(accuracy(s.logits, val.y)) },
          evalVal: { loss: tf.keep(evalCe), accuracy: tf.keep(accuracy(e.logits, val.y)) },
          distillation: tf.keep(distillation),
          penalty: tf.keep(penalty),
        };
        return tf.addN([classification, distillation, tf.mul(penalty, regDecay)]) as tf.Scalar;
      },
    };
    const { value, grads } = namedGrads(state, objective, {
      ...evalParams,
      'alphas.normal': state.alphas.normal,
      'alphas.reduce': state.alphas.reduce,
    });
    const alphaGrads = { normal: grads['alphas.normal'], reduce: grads['alphas.reduce'] };
    if (!alphaGrads.normal || !alphaGrads.reduce) {
      throw new Error('the alpha objective has no gradient for the alphas');
    }
    delete grads['alphas.normal'];
    delete grads['alphas.reduce'];
    clippedSgd(evalOptimizer(state), eWeights, grads, config.gradClip, rates.nasnetLr);
    adamStep(
      state.alphaOptimizer,
      { normal: state.alphas.normal, reduce: state.alphas.reduce },
      { normal: alphaGrads.normal, reduce: alphaGrads.reduce },
      rates.alphaLr,
    );
    if (parts === null) throw new Error('the alpha step computed no losses');
    const kept: AlphaStepParts = parts;
    return { ...kept, alphaObjective: value };
  });
}

/** One joint step: the alpha step on `val`, then the search weight step on `train`. */
export function jointStep(
  state: CdartsState,
  train: Batch,
  val: Batch,
  regDecay: number,
  rates: CdartsRates,
): JointScalars {
  const first = alphaStep(state, val, regDecay, rates);
  const searchTrain = searchWeightStep(state, train, rates.weightLr);
  return { ...first, searchTrain };
}

function evaluationMode(buffers: TensorMap): ForwardContext {
  return { training: false, buffers };
}

/** Loss and accuracy of the search network in evaluation mode (running or given statistics). */
export function evaluateSearchNetwork(
  state: CdartsState,
  batch: Batch,
  buffers: TensorMap = searchBuffers(state),
): LossAndAccuracy {
  return tf.tidy(() => {
    const mixtures = mutatorMixtures(state.mutator, state.alphas);
    const ctx = evaluationMode(buffers);
    const { logits } = state.searchNet.forward(batch.x, searchWeights(state), mixtures, ctx, false);
    return { loss: crossEntropy(logits, batch.y), accuracy: accuracy(logits, batch.y) };
  });
}

/** Loss and accuracy of the evaluation network in evaluation mode (running or given statistics). */
export function evaluateEvalNetwork(
  state: CdartsState,
  batch: Batch,
  buffers: TensorMap = evalBuffers(state),
): LossAndAccuracy {
  return tf.tidy(() => {
    const ctx = evaluationMode(buffers);
    const { logits } = state.evalNet.net.forward(batch.x, evalWeights(state), ctx, false);
    return { loss: crossEntropy(logits, batch.y), accuracy: accuracy(logits, batch.y) };
  });
}
