/**
 * One retrain iteration of DARTS's `cnn/train.py` train(): forward in training mode (running
 * statistics updated, drop path at this epoch's probability), CE + auxWeight·CE(aux), gradients
 * clipped to the global norm, SGD with momentum and weight decay. The gradients are taken with
 * the network's cells checkpointed (`recompute/cellCheckpoint.ts`) unless the configuration turns
 * it off: the same numbers (the same drop-path masks), one cell's intermediates at a time.
 */
import * as tf from '../tensor/tf';
import { clipByGlobalNorm } from '../optim/clipGradNorm';
import type { KeepMaskSource } from '../ops/dropPath';
import { rngKeepMasks } from '../ops/dropPath';
import { evalTrainingLoss } from './evalLoss';
import { accuracy, crossEntropy } from '../ops/loss';
import type { RetrainState } from './retrainState';
import { updatingContext } from '../ops/runningStats';
import type { Batch } from '../darts/searchStep';
import type { TensorMap } from '../tensor/layer';
import { sgdStep } from '../optim/sgd';
import { zipMap } from '../tensor/tensorMaps';
import type { StackedObjective } from '../recompute/cellCheckpoint';
import { requireGrads, valueAndGradsOf } from '../recompute/cellCheckpoint';

/** Device-side scalars of one step; the caller reads them back and disposes them. */
export interface RetrainScalars {
  /** The training objective (with the auxiliary term). */
  readonly loss: tf.Scalar;
  /** Accuracy of the main logits on the batch. */
  readonly accuracy: tf.Scalar;
}

/** `masks` defaults to the state's Rng; a test replays PyTorch's masks through it. */
export function retrainStep(
  state: RetrainState,
  batch: Batch,
  rates: { readonly lr: number; readonly dropPathProb: number },
  masks: KeepMaskSource = rngKeepMasks(state.rng),
): RetrainScalars {
  return tf.tidy(() => {
    const names = Object.keys(state.weights);
    const ctx = updatingContext(state.buffers);
    const dropPath = { prob: rates.dropPathProb, masks };
    let acc: tf.Scalar | null = null;
    const objective: StackedObjective = {
      stacks: [state.net.stack(batch.x, state.weights, { ctx, dropPath })],
      objective(states) {
        const out = state.net.output(states[0] ?? [], state.weights, ctx);
        acc = tf.keep(accuracy(out.logits, batch.y));
        return evalTrainingLoss(out, batch.y, state.config.auxWeight);
      },
    };
    const { value, grads } = valueAndGradsOf(
      objective,
      names.map((n) => state.weights[n] as tf.Variable),
      state.config.checkpointCells ?? true,
    );
    const clipped = clipByGlobalNorm(
      zipMap(names, requireGrads(grads, names)),
      state.config.gradClip,
    );
    sgdStep(state.optimizer, state.weights, clipped.grads, rates.lr);
    if (acc === null) throw new Error('retrain step computed no accuracy');
    return { loss: value, accuracy: acc };
  });
}

/** What evaluation needs of a network: a retrain's state, or a model restored from a file. */
export type EvaluableNetwork = Pick<RetrainState, 'net' | 'weights'> & {
  readonly buffers: TensorMap;
};

/** Loss (main logits only) and accuracy in evaluation mode (with the network's `buffers`). */
export function evaluateRetrained(state: EvaluableNetwork, batch: Batch): RetrainScalars {
  return tf.tidy(() => {
    const { logits } = state.net.forward(batch.x, state.weights, {
      ctx: { training: false, buffers: state.buffers },
    });
    return { loss: crossEntropy(logits, batch.y), accuracy: accuracy(logits, batch.y) };
  });
}
