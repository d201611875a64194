/**
 * Everything a retrain holds between steps: the evaluation network built from a genotype, its
 * weights and BatchNorm buffers, the SGD state and the random source (initialisation, data
 * order, drop-path masks).
 */
import type { EvalNetwork } from './evalNetwork';
import { checkEvalInputSize, evalNetwork } from './evalNetwork';
import type { Genotype } from '../genotype/genotype';
import type { NetworkVariables } from '../tensor/initParams';
import { createNetworkVariables, disposeNetworkVariables } from '../tensor/initParams';
import { Rng } from '../tensor/random';
import type { RetrainConfig } from './retrainConfig';
import { validateRetrainConfig } from './retrainConfig';
import type { DataShape } from '../darts/searchState';
import type { SgdState } from '../optim/sgd';
import { createSgd, disposeSgd } from '../optim/sgd';

export interface RetrainState extends NetworkVariables {
  readonly config: RetrainConfig;
  readonly genotype: Genotype;
  readonly net: EvalNetwork;
  readonly optimizer: SgdState;
  readonly rng: Rng;
  readonly data: DataShape;
}

export function createRetrainState(
  config: RetrainConfig,
  genotype: Genotype,
  data: DataShape,
): RetrainState {
  validateRetrainConfig(config);
  const net = evalNetwork({
    genotype,
    c: config.channels,
    layers: config.layers,
    numClasses: data.numClasses,
    imageChannels: data.channels,
    auxiliary: config.auxiliary,
    stem: config.stem,
  });
  checkEvalInputSize(net, data.height, data.width);
  const rng = Rng.fromSeed(config.seed);
  const variables = createNetworkVariables(net, rng);
  const { momentum, weightDecay } = config;
  return {
    config,
    genotype,
    net,
    ...variables,
    optimizer: createSgd(variables.weights, { momentum, weightDecay }),
    rng,
    data,
  };
}

export function disposeRetrainState(state: RetrainState): void {
  disposeNetworkVariables(state);
  disposeSgd(state.optimizer);
}
