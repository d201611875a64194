/**
 * Everything a DARTS search holds between steps: the supernet, its weights, BatchNorm
 * buffers, alphas, both optimizers' states and the random source.
 */
import type * as tf from '../tensor/tf';
import type { AdamState } from '../optim/adam';
import { createAdam, disposeAdam } from '../optim/adam';
import type { NetworkVariables } from '../tensor/initParams';
import { createNetworkVariables, disposeNetworkVariables, initAlpha } from '../tensor/initParams';
import { Rng } from '../tensor/random';
import type { SearchConfig } from './searchConfig';
import type { SgdState } from '../optim/sgd';
import { createSgd, disposeSgd } from '../optim/sgd';
import type { CellKernels } from './searchCell';
import type { Supernet } from './supernet';
import { supernet } from './supernet';
import { checkInputSize, edgeCount } from '../genotype/cellTopology';
import type { BetaVariables } from '../pcdarts/betaVariables';
import { betaOptimizerParams, createBetas } from '../pcdarts/betaVariables';

export interface AlphaVariables {
  readonly normal: tf.Variable<tf.Rank.R2>;
  readonly reduce: tf.Variable<tf.Rank.R2>;
  /** PC-DARTS's β (`config.partialChannels` above 1); absent in DARTS. */
  readonly betas?: BetaVariables;
}

export interface SearchState extends NetworkVariables {
  readonly config: SearchConfig;
  /** The images the network was built for. */
  readonly dataShape: DataShape;
  readonly net: Supernet;
  readonly alphas: AlphaVariables;
  readonly weightOptimizer: SgdState;
  readonly alphaOptimizer: AdamState;
  readonly rng: Rng;
}

export interface DataShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly numClasses: number;
}

/** How the supernet is computed; the numbers are the same either way. */
export interface SearchOptions {
  /** 'fused' (default): several times fewer kernels; 'reference': one mixed op per edge. */
  readonly kernels?: CellKernels;
}

/** The supernet a configuration builds for images of `data`'s shape. */
export function searchNetwork(
  config: SearchConfig,
  data: DataShape,
  options: SearchOptions = {},
): Supernet {
  checkInputSize(config.layers, data.height, data.width);
  return supernet({
    c: config.channels,
    layers: config.layers,
    steps: config.nodes,
    multiplier: config.multiplier,
    stemMultiplier: config.stemMultiplier,
    numClasses: data.numClasses,
    imageChannels: data.channels,
    primitives: config.primitives,
    ...(options.kernels === undefined ? {} : { kernels: options.kernels }),
    ...(config.partialChannels === undefined ? {} : { partialChannels: config.partialChannels }),
  });
}

/** The variables a search trains or updates; the optimizers' states come with them. */
export interface SearchVariables extends NetworkVariables {
  readonly alphas: AlphaVariables;
}

/** A search state around given variables, with fresh (zero) optimizer states. */
export function assembleSearchState(
  config: SearchConfig,
  data: DataShape,
  net: Supernet,
  variables: SearchVariables,
  rng: Rng,
): SearchState {
  const { weights, buffers, alphas } = variables;
  return {
    config,
    dataShape: dataShapeOf(data),
    net,
    weights,
    buffers,
    alphas,
    weightOptimizer: createSgd(weights, {
      momentum: config.momentum,
      weightDecay: config.weightDecay,
    }),
    alphaOptimizer: createAlphaOptimizer(alphas, config),
    rng,
  };
}

/** A copy of the data shape's four numbers (a caller's object may hold more). */
export function dataShapeOf(data: DataShape): DataShape {
  const { height, width, channels, numClasses } = data;
  return { height, width, channels, numClasses };
}

/**
 * DARTS's architecture optimizer (Adam, ε = 1e-8) over both alpha tensors, and PC-DARTS's β
 * where there are β; CDARTS's too.
 */
export function createAlphaOptimizer(
  alphas: AlphaVariables,
  config: {
    readonly alphaBeta1: number;
    readonly alphaBeta2: number;
    readonly alphaWeightDecay: number;
  },
): AdamState {
  return createAdam(
    { normal: alphas.normal, reduce: alphas.reduce, ...betaOptimizerParams(alphas.betas) },
    {
      beta1: config.alphaBeta1,
      beta2: config.alphaBeta2,
      eps: 1e-8,
      weightDecay: config.alphaWeightDecay,
    },
  );
}

export function createSearchState(
  config: SearchConfig,
  data: DataShape,
  options?: SearchOptions,
): SearchState {
  const net = searchNetwork(config, data, options);
  const rng = Rng.fromSeed(config.seed);
  const variables = createNetworkVariables(net, rng);
  const alphas = {
    normal: initAlpha(net.alphaShape, rng) as tf.Variable<tf.Rank.R2>,
    reduce: initAlpha(net.alphaShape, rng) as tf.Variable<tf.Rank.R2>,
    ...((config.partialChannels ?? 1) > 1
      ? { betas: createBetas(edgeCount(config.nodes), rng) }
      : {}),
  };
  return assembleSearchState(config, data, net, { ...variables, alphas }, rng);
}

export function disposeSearchState(state: SearchState): void {
  disposeNetworkVariables(state);
  state.alphas.normal.dispose();
  state.alphas.reduce.dispose();
  state.alphas.betas?.normal.dispose();
  state.alphas.betas?.reduce.dispose();
  disposeSgd(state.weightOptimizer);
  disposeAdam(state.alphaOptimizer);
}
