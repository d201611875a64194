/**
 * Everything a CDARTS search holds between steps: both networks, their weights, BatchNorm
 * buffers and SGD states, the alphas and their Adam state, the regularized mutator (cut
 * choices) and the random source.
 *
 * Under `share_module` the stem, the distillation heads and the ensemble weight are one set of
 * variables (`shared`) used by both networks; each network's SGD keeps its own momentum for
 * them, as NNI's two optimizers over `model.parameters()` do. Otherwise each network owns a
 * copy. `fix_head` keeps the heads out of every gradient and update.
 */
import * as tf from '../tensor/tf';
import type { AdamState } from '../optim/adam';
import { disposeAdam } from '../optim/adam';
import type { CdartsConfig } from './cdartsConfig';
import { validateCdartsConfig } from './cdartsConfig';
import type { CdartsSearchNetwork } from './network/cdartsSearchNetwork';
import { cdartsSearchNetwork } from './network/cdartsSearchNetwork';
import { createCdartsVariables, isHeadName, isSharedModuleName } from './network/cdartsModules';
import { checkInputSize, reductionIndices } from '../genotype/cellTopology';
import type { FollowingEvalNetwork, FollowResult } from './network/followingEvalNetwork';
import { createFollowingEvalNetwork } from './network/followingEvalNetwork';
import type { Genotype } from '../genotype/genotype';
import { concatRange, deriveCellGenes, softmaxRows } from '../genotype/genotype';
import { Rng } from '../tensor/random';
import type { RegularizedMutator } from './regularizedMutator';
import { createRegularizedMutator } from './regularizedMutator';
import type { AlphaVariables, DataShape } from '../darts/searchState';
import { createAlphaOptimizer, dataShapeOf } from '../darts/searchState';
import type { SgdState } from '../optim/sgd';
import { createSgd, disposeSgd } from '../optim/sgd';

type VariableMap = Record<string, tf.Variable>;

export interface CdartsState {
  readonly config: CdartsConfig;
  readonly dataShape: DataShape;
  readonly searchNet: CdartsSearchNetwork;
  /** Stem, heads and ensemble weight of both networks under share_module; empty otherwise. */
  readonly shared: { readonly weights: VariableMap; readonly buffers: VariableMap };
  /** The search network's own parameters and buffers (all of them without share_module). */
  readonly search: { readonly weights: VariableMap; readonly buffers: VariableMap };
  /** SGD of the search network (`optimizer_small`): its own and the shared parameters. */
  readonly searchOptimizer: SgdState;
  readonly evalNet: FollowingEvalNetwork;
  /** The evaluation network's SGD momentum of the shared parameters (`optimizer_large`). */
  readonly evalSharedMomentum: VariableMap;
  readonly alphas: AlphaVariables;
  readonly alphaOptimizer: AdamState;
  readonly mutator: RegularizedMutator;
  readonly rng: Rng;
}

/** The alphas' (masked) softmax rows of both cell types. */
export interface AlphaProbabilities {
  readonly normal: readonly (readonly number[])[];
  readonly reduce: readonly (readonly number[])[];
}

/** The official genotype rule on the mutator's probabilities (cut ops have probability 0). */
export function cdartsGenotype(config: CdartsConfig, probs: AlphaProbabilities): Genotype {
  const { nodes, multiplier, primitives } = config;
  return {
    normal: deriveCellGenes(probs.normal, nodes, primitives),
    normalConcat: concatRange(nodes, multiplier),
    reduce: deriveCellGenes(probs.reduce, nodes, primitives),
    reduceConcat: concatRange(nodes, multiplier),
  };
}

/**
 * Throws unless both networks can run on height×width images: two reductions need a multiple
 * of 4, and the second distillation head needs at least a 2×2 map.
 */
export function checkCdartsInputSize(config: CdartsConfig, height: number, width: number): void {
  checkInputSize(config.searchLayers, height, width);
  checkInputSize(config.evalLayers, height, width);
  const factor = 2 ** reductionIndices(config.searchLayers).size;
  if (height / factor < 2 || width / factor < 2) {
    throw new Error(
      `image size ${height}x${width} leaves a ${height / factor}x${width / factor} map at the second reduction cell; its distillation head needs at least 2x2 (use images of at least ${2 * factor}x${2 * factor})`,
    );
  }
}

function alphaVariable(
  shape: readonly [number, number],
  rng: Rng,
): {
  variable: tf.Variable<tf.Rank.R2>;
  rows: number[][];
} {
  const rows = Array.from({ length: shape[0] }, () =>
    Array.from({ length: shape[1] }, () => Math.fround(1e-3 * rng.normal())),
  );
  const t = tf.tensor2d(rows);
  const variable = tf.variable(t, true) as tf.Variable<tf.Rank.R2>;
  t.dispose();
  return { variable, rows };
}

function split(all: VariableMap, shared: boolean): { shared: VariableMap; own: VariableMap } {
  const out = { shared: {} as VariableMap, own: {} as VariableMap };
  for (const [name, v] of Object.entries(all)) {
    if (shared && isSharedModuleName(name)) out.shared[name] = v;
    else out.own[name] = v;
  }
  return out;
}

function zeroMomentum(params: VariableMap): VariableMap {
  return createSgd(params, { momentum: 0, weightDecay: 0 }).buffers as VariableMap;
}

export function createCdartsState(input: CdartsConfig, data: DataShape): CdartsState {
  const config = validateCdartsConfig(input);
  checkCdartsInputSize(config, data.height, data.width);
  const shape = {
    c: config.channels,
    stemMultiplier: config.stemMultiplier,
    numClasses: data.numClasses,
    imageChannels: data.channels,
    headWidths: config.headWidths,
  };
  const searchNet = cdartsSearchNetwork({
    ...shape,
    layers: config.searchLayers,
    steps: config.nodes,
    multiplier: config.multiplier,
    primitives: config.primitives,
  });
  const rng = Rng.fromSeed(config.seed);
  const weights = split(createCdartsVariables(searchNet.params, rng, true), config.shareModule);
  const buffers = split(createCdartsVariables(searchNet.buffers, rng, false), config.shareModule);
  const normal = alphaVariable(searchNet.alphaShape, rng);
  const reduce = alphaVariable(searchNet.alphaShape, rng);
  const mutator = createRegularizedMutator(config.primitives, config.nodes, config.regularizedOps);
  const genotype = cdartsGenotype(config, {
    normal: softmaxRows(normal.rows),
    reduce: softmaxRows(reduce.rows),
  });
  const owns = (name: string) => !(config.shareModule && isSharedModuleName(name));
  const evalNet = createFollowingEvalNetwork(
    { ...shape, layers: config.evalLayers },
    genotype,
    rng,
    owns,
  );
  const alphas = { normal: normal.variable, reduce: reduce.variable };
  const state: CdartsState = {
    config,
    dataShape: dataShapeOf(data),
    searchNet,
    shared: { weights: weights.shared, buffers: buffers.shared },
    search: { weights: weights.own, buffers: buffers.own },
    searchOptimizer: createSgd(
      { ...weights.shared, ...weights.own },
      { momentum: config.momentum, weightDecay: config.weightDecay },
    ),
    evalNet,
    evalSharedMomentum: zeroMomentum(weights.shared),
    alphas,
    alphaOptimizer: createAlphaOptimizer(alphas, config),
    mutator,
    rng,
  };
  checkSharedShapes(state);
  return state;
}

/** Under share_module, the evaluation network must need the shared tensors' shapes. */
function checkSharedShapes(state: CdartsState): void {
  for (const spec of state.evalNet.net.params) {
    const shared = state.shared.weights[spec.name];
    if (shared && JSON.stringify(shared.shape) !== JSON.stringify(spec.shape)) {
      throw new Error(
        `share_module: the evaluation network needs "${spec.name}" of shape ${JSON.stringify(spec.shape)}, the shared one is ${JSON.stringify(shared.shape)}`,
      );
    }
  }
}

/** Rebuilds the evaluation network for `genotype` (nothing happens when it is unchanged). */
export function followGenotype(state: CdartsState, genotype: Genotype): FollowResult {
  const result = state.evalNet.follow(genotype);
  checkSharedShapes(state);
  return result;
}

/** The search network's weights: its own and the shared ones. */
export function searchWeights(state: CdartsState): VariableMap {
  return { ...state.shared.weights, ...state.search.weights };
}

export function searchBuffers(state: CdartsState): VariableMap {
  return { ...state.shared.buffers, ...state.search.buffers };
}

export function evalWeights(state: CdartsState): VariableMap {
  return { ...state.shared.weights, ...state.evalNet.weights };
}

export function evalBuffers(state: CdartsState): VariableMap {
  return { ...state.shared.buffers, ...state.evalNet.buffers };
}

/** The evaluation network's SGD (`optimizer_large`) over its current parameters. */
export function evalOptimizer(state: CdartsState): SgdState {
  return {
    options: state.searchOptimizer.options,
    buffers: { ...state.evalSharedMomentum, ...state.evalNet.momentum },
  };
}

/** The parameters gradients may update: all but the heads under fix_head. */
export function trainable(state: CdartsState, weights: VariableMap): VariableMap {
  if (!state.config.fixHead) return weights;
  const out: VariableMap = {};
  for (const [name, v] of Object.entries(weights)) if (!isHeadName(name)) out[name] = v;
  return out;
}

export function disposeCdartsState(state: CdartsState): void {
  for (const v of [
    ...Object.values(state.shared.weights),
    ...Object.values(state.shared.buffers),
    ...Object.values(state.search.weights),
    ...Object.values(state.search.buffers),
    ...Object.values(state.evalSharedMomentum),
  ]) {
    v.dispose();
  }
  state.evalNet.dispose();
  state.alphas.normal.dispose();
  state.alphas.reduce.dispose();
  disposeSgd(state.searchOptimizer);
  disposeAdam(state.alphaOptimizer);
}
