/**
 * A CDARTS epoch's evaluation (NNI `CdartsTrainer.validate_one_epoch` in `cdarts/trainer.py`):
 * the search network and, once a cycle has begun, the evaluation network, each over the alpha
 * half in evaluation mode. With BatchNorm recalibration (`ops/bnRecalibration.ts`) each network's
 * statistics are first recomputed over the un-augmented images it trains on: the search network's
 * over the weight half, the evaluation network's over the alpha half (its warm-up and joint steps
 * train it there); the networks' own running statistics stay as they are.
 */
import type { SearchData } from '../darts/searchLoop';
import { evaluateSplit } from '../darts/evaluateSplit';
import type { RecalibrationImages, RecalibrationPlan } from '../ops/bnRecalibration';
import { evaluateWithStatistics } from '../ops/bnRecalibration';
import type { EvaluationStatistics } from '../ops/bnRecalibrationSetting';
import type { CdartsState } from './cdartsState';
import { evalBuffers, evalWeights, searchBuffers, searchWeights } from './cdartsState';
import { evaluateEvalNetwork, evaluateSearchNetwork } from './cdartsStep';
import { mutatorMixtures } from './regularizedMutator';

/** Recalibration for both networks: the plan (its images the weight half's), and the alpha half's. */
export interface CdartsRecalibration {
  readonly plan: RecalibrationPlan;
  readonly evalImages: RecalibrationImages;
}

export interface NetworkFigures {
  readonly valLoss: number;
  readonly valAccuracy: number;
}

export interface CdartsEvaluation {
  readonly search: NetworkFigures;
  /** Null before the first cycle, when the evaluation network is not trained. */
  readonly eval: NetworkFigures | null;
  /** The statistics each evaluation used. */
  readonly statistics: {
    readonly search: EvaluationStatistics;
    readonly eval: EvaluationStatistics | null;
  };
}

/** Both networks' loss and accuracy over the alpha half (the evaluation network's if `cycled`). */
export async function evaluateCdartsNetworks(
  state: CdartsState,
  data: SearchData,
  cycled: boolean,
  recalibration: CdartsRecalibration | undefined,
): Promise<CdartsEvaluation> {
  const { batchSize } = state.config;
  const plan = recalibration?.plan;
  const search = await evaluateWithStatistics(
    plan,
    searchBuffers(state),
    (x, ctx) =>
      state.searchNet.forward(
        x,
        searchWeights(state),
        mutatorMixtures(state.mutator, state.alphas),
        ctx,
        false,
      ),
    (buffers) =>
      evaluateSplit(data.val, batchSize, (batch) => evaluateSearchNetwork(state, batch, buffers)),
  );
  const evaluation = cycled
    ? await evaluateWithStatistics(
        plan,
        evalBuffers(state),
        (x, ctx) => state.evalNet.net.forward(x, evalWeights(state), ctx, false),
        (buffers) =>
          evaluateSplit(data.val, batchSize, (batch) => evaluateEvalNetwork(state, batch, buffers)),
        recalibration?.evalImages,
      )
    : null;
  const figures = (r: { loss: number; accuracy: number }) => ({
    valLoss: r.loss,
    valAccuracy: r.accuracy,
  });
  return {
    search: figures(search.result),
    eval: evaluation && figures(evaluation.result),
    statistics: { search: search.statistics, eval: evaluation?.statistics ?? null },
  };
}
