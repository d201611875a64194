/**
 * The collapse monitor's measurement in a DARTS search: after the steps the monitor names, the
 * largest eigenvalue of the Hessian of the validation loss w.r.t. the alphas (plus the alphas'
 * weight decay, as R-DARTS `src/search/analyze.py` `_hessian` adds it), on the step's validation
 * batch with the weights and alphas as the step left them, in training mode without touching the
 * BatchNorm running statistics — R-DARTS measures on the epoch's last search batch after its
 * last weight step, the model in train() mode (`src/search/train_search.py` lines 340-393).
 * The supernet runs uncheckpointed under one tape here: the measurement holds one forward pass's
 * activations, as the plain backward does (`checkpointCells` off).
 */
import type * as tf from '../tensor/tf';
import { crossEntropy } from '../ops/loss';
import type { TensorMap } from '../tensor/layer';
import type { Alphas } from '../darts/supernet';
import type { Batch } from '../darts/searchStep';
import type { SearchState } from '../darts/searchState';
import type { StepProbe } from '../darts/searchLoop';
import { alphaHessianEigenvalue } from './alphaHessian';

/** The probe that measures when `due` says so. */
export function dartsHessianProbe(due: StepProbe['due']): StepProbe {
  return {
    due,
    async measure(state: SearchState, val: Batch) {
      const ctx = { training: true, buffers: state.buffers };
      const loss = (weights: TensorMap, alphas: Alphas): tf.Scalar =>
        crossEntropy(state.net.forward(val.x, weights, alphas, ctx), val.y);
      const alphas: Alphas = { normal: state.alphas.normal, reduce: state.alphas.reduce };
      const estimate = await alphaHessianEigenvalue(
        loss,
        state.weights,
        alphas,
        state.config.alphaWeightDecay,
      );
      return { hessianEigenvalue: estimate.eigenvalue };
    },
  };
}
