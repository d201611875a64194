/**
 * Everything a recurrent search holds between steps: the language model around the search cell,
 * its weights, BatchNorm buffers and alphas, both optimizers' states and the random source.
 * Variables are drawn from the seeded generator in the model's parameter order, then the alphas
 * (1e-3·N(0, 1)).
 */
import type * as tf from '../../tensor/tf';
import type { AdamState } from '../../optim/adam';
import { createAdam, disposeAdam } from '../../optim/adam';
import type { NetworkVariables } from '../../tensor/initParams';
import {
  createNetworkVariables,
  disposeNetworkVariables,
  initAlpha,
} from '../../tensor/initParams';
import { Rng } from '../../tensor/random';
import type { SgdState } from '../../optim/sgd';
import { createSgd, disposeSgd } from '../../optim/sgd';
import type { RnnLanguageModel } from '../model/rnnLanguageModel';
import { rnnLanguageModel } from '../model/rnnLanguageModel';
import type { RnnSearchCell } from '../model/rnnSearchCell';
import { rnnSearchCell } from '../model/rnnSearchCell';
import type { RnnSearchConfig } from './rnnSearchConfig';
import { checkRnnSearchConfig } from './rnnSearchConfig';

export interface RnnSearchState extends NetworkVariables {
  readonly config: RnnSearchConfig;
  readonly ntoken: number;
  readonly cell: RnnSearchCell;
  readonly model: RnnLanguageModel;
  readonly alpha: tf.Variable<tf.Rank.R2>;
  /** SGD without momentum (DARTS's), coupled weight decay. */
  readonly weightOptimizer: SgdState;
  readonly alphaOptimizer: AdamState;
  readonly rng: Rng;
}

export function createRnnSearchState(config: RnnSearchConfig, ntoken: number): RnnSearchState {
  checkRnnSearchConfig(config);
  const cell = rnnSearchCell({ ninp: config.nhid, nhid: config.nhid, steps: config.steps });
  const model = rnnLanguageModel({ ntoken, cell });
  const rng = Rng.fromSeed(config.seed);
  const variables = createNetworkVariables(model, rng);
  const alpha = initAlpha(cell.alphaShape as [number, number], rng) as tf.Variable<tf.Rank.R2>;
  return {
    config,
    ntoken,
    cell,
    model,
    ...variables,
    alpha,
    weightOptimizer: createSgd(variables.weights, { momentum: 0, weightDecay: config.weightDecay }),
    alphaOptimizer: createAdam(
      { alpha },
      {
        beta1: config.alphaBeta1,
        beta2: config.alphaBeta2,
        eps: 1e-8,
        weightDecay: config.alphaWeightDecay,
      },
    ),
    rng,
  };
}

export function disposeRnnSearchState(state: RnnSearchState): void {
  disposeNetworkVariables(state);
  state.alpha.dispose();
  disposeSgd(state.weightOptimizer);
  disposeAdam(state.alphaOptimizer);
}
