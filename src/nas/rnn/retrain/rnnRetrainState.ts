/**
 * Everything a recurrent retrain holds between steps (`rnn/train.py`): the language model around
 * a genotype's cell, its weights (drawn from the seeded generator in the model's parameter
 * order), the weight optimizer (SGD without momentum, then averaged SGD once the switch rule
 * fires), the validation history the rule reads, and the random source.
 */
import * as tf from '../../tensor/tf';
import { createVariables } from '../../tensor/initParams';
import { Rng } from '../../tensor/random';
import type { SgdState } from '../../optim/sgd';
import { createSgd, disposeSgd } from '../../optim/sgd';
import type { AsgdState } from './rnnAsgd';
import { createAsgd, disposeAsgd } from './rnnAsgd';
import { rnnEvalCell } from '../model/rnnEvalCell';
import type { RnnGenotype } from '../genotype/rnnGenotype';
import type { RnnLanguageModel } from '../model/rnnLanguageModel';
import { rnnLanguageModel } from '../model/rnnLanguageModel';
import type { RnnRetrainConfig } from './rnnRetrainConfig';
import { checkRnnRetrainConfig } from './rnnRetrainConfig';

export interface RnnRetrainState {
  readonly config: RnnRetrainConfig;
  readonly genotype: RnnGenotype;
  readonly ntoken: number;
  readonly model: RnnLanguageModel;
  readonly weights: Readonly<Record<string, tf.Variable>>;
  readonly sgd: SgdState;
  /** Averaged SGD, null until the switch (then it takes every step). */
  asgd: AsgdState | null;
  /** Validation losses of the SGD epochs (train.py's best_val_loss), which the switch reads. */
  readonly valHistory: number[];
  readonly rng: Rng;
}

/**
 * The language model of a retrain, without tensors (the genotype's cell, emsize = nhid), and the
 * genotype as the cell validated it.
 */
export function rnnRetrainModel(
  config: RnnRetrainConfig,
  genotype: RnnGenotype,
  ntoken: number,
): { readonly model: RnnLanguageModel; readonly genotype: RnnGenotype } {
  const cell = rnnEvalCell({ ninp: config.nhid, nhid: config.nhid, genotype });
  return { model: rnnLanguageModel({ ntoken, cell }), genotype: cell.genotype };
}

export function createRnnRetrainState(
  config: RnnRetrainConfig,
  genotype: RnnGenotype,
  ntoken: number,
): RnnRetrainState {
  checkRnnRetrainConfig(config);
  const { model, genotype: checked } = rnnRetrainModel(config, genotype, ntoken);
  const rng = Rng.fromSeed(config.seed);
  const weights = createVariables(model.params, rng, true);
  return {
    config,
    genotype: checked,
    ntoken,
    model,
    weights,
    sgd: createSgd(weights, { momentum: 0, weightDecay: config.weightDecay }),
    asgd: null,
    valHistory: [],
    rng,
  };
}

/**
 * train.py's switch rule: not yet averaging, more than `nonmono` SGD epochs evaluated, and this
 * epoch's validation loss worse than the best of all of them but the last `nonmono`.
 */
export function shouldSwitchToAsgd(
  history: readonly number[],
  valLoss: number,
  nonmono: number,
): boolean {
  if (history.length <= nonmono) return false;
  return valLoss > Math.min(...history.slice(0, history.length - nonmono));
}

/** A fresh ASGD (t0 = 0, λ = 0) on the weights, as train.py creates it at the switch. */
export function switchToAsgd(state: RnnRetrainState): void {
  if (state.asgd) throw new Error('the retrain already averages its weights');
  state.asgd = createAsgd(state.weights, {
    weightDecay: state.config.weightDecay,
    lambd: 0,
    t0: 0,
    alpha: 0.75,
  });
}

/** The weights evaluation uses: the averaged ones once ASGD runs (train.py), else the weights. */
export function evaluationWeights(state: RnnRetrainState): Readonly<Record<string, tf.Tensor>> {
  return state.asgd ? state.asgd.ax : state.weights;
}

export function disposeRnnRetrainState(state: RnnRetrainState): void {
  tf.dispose(Object.values(state.weights));
  disposeSgd(state.sgd);
  if (state.asgd) disposeAsgd(state.asgd);
}
