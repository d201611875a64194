/**
 * Search checkpoints: everything a DARTS search needs to continue exactly where it stopped, in
 * one file (format in checkpointFormat.ts and docs/DECISIONS.md). A host captures one between
 * two events of a `runSearch` run, encodes it to bytes, and later decodes them, restores the
 * SearchState and resumes the run from the checkpoint's position.
 */
import type * as tf from '../tensor/tf';
import { edgeCount } from '../genotype/cellTopology';
import type { StoredTensor } from '../io/checkpointFormat';
import { decodeContainer, DEFAULT_MAX_CHECKPOINT_BYTES } from '../io/checkpointFormat';
import { captureState, encodeCheckpointFile } from '../io/checkpointFile';
import { imageShapeText, rngFromSnapshots } from '../io/manifestFields';
import type { TensorSlot } from '../io/tensorSlots';
import {
  assignStored,
  matchTensorSlots,
  networkSlots,
  networkTensors,
  networkVariablesFrom,
  prefixed,
  shapeText,
  slotsUnder,
  variablesUnder,
} from '../io/tensorSlots';
import type { CheckpointManifest } from './searchCheckpointManifest';
import { manifestToJson, parseManifest, SEARCH_RNG } from './searchCheckpointManifest';
import type { GenotypeHistory } from '../genotype/genotypeHistory';
import type { Rng } from '../tensor/random';
import type { SearchPosition } from './searchPosition';
import { checkSearchPosition, copyEpochPosition } from './searchPosition';
import type { AlphaVariables, DataShape, SearchState } from './searchState';
import { assembleSearchState, searchNetwork } from './searchState';
import type { Supernet } from './supernet';
import type { BetaVariables } from '../pcdarts/betaVariables';
import { betaCheckpointSlots, betaCheckpointTensors } from '../pcdarts/betaVariables';

export interface SearchCheckpoint extends CheckpointManifest {
  /** Host copies of every tensor, in the order of `checkpointTensorSlots`. */
  readonly tensors: readonly StoredTensor[];
}

export interface CheckpointLimits {
  /** The largest file to write or read, in bytes (default 1 GiB). */
  readonly maxBytes?: number;
}

const ALPHA_KEYS = ['normal', 'reduce'] as const;

/**
 * The tensors a checkpoint of a search on `net` holds, in file order: `weights.<param>`,
 * `buffers.<buffer>`, `alphas.normal|reduce`, `sgd.momentum.<param>`, `adam.m|v.normal|reduce`,
 * and PC-DARTS's β and their moments (`betaCheckpointSlots`).
 */
function checkpointTensorSlots(net: Supernet): TensorSlot[] {
  const alpha = [...net.alphaShape];
  const pc = (net.spec.partialChannels ?? 1) > 1;
  return [
    ...networkSlots(net),
    ...ALPHA_KEYS.map((k) => ({ name: `alphas.${k}`, shape: alpha })),
    ...slotsUnder('sgd.momentum', net.params),
    ...ALPHA_KEYS.flatMap((k) => [
      { name: `adam.m.${k}`, shape: alpha },
      { name: `adam.v.${k}`, shape: alpha },
    ]),
    ...(pc ? betaCheckpointSlots(net.alphaShape[0]) : []),
  ];
}

/** The state's variables under their checkpoint names. */
function stateVariables(state: SearchState): Map<string, tf.Variable> {
  const adam = state.alphaOptimizer;
  return new Map([
    ...networkTensors(state),
    ...prefixed('alphas', { normal: state.alphas.normal, reduce: state.alphas.reduce }),
    ...betaCheckpointTensors(state.alphas.betas),
    ...prefixed('sgd.momentum', state.weightOptimizer.buffers),
    ...prefixed('adam.m', adam.m),
    ...prefixed('adam.v', adam.v),
  ]);
}

/**
 * A checkpoint of `state` at `position` (from `run.position()`), with the run's genotype history
 * and the host's own random sources by name (e.g. `{ augment }`, the augmentation's Rng).
 * Call it between two events of the run (after `next()` resolved, before the next call), and
 * let it resolve before the run goes on. Reads every tensor back with `await data()`.
 */
export async function captureCheckpoint(
  state: SearchState,
  position: SearchPosition,
  history: GenotypeHistory,
  rngs: Readonly<Record<string, Rng>> = {},
): Promise<SearchCheckpoint> {
  checkSearchPosition(position, state.config.epochs, state.config.batchSize);
  const slots = checkpointTensorSlots(state.net);
  const captured = { name: SEARCH_RNG, rng: state.rng, slots, tensors: stateVariables(state) };
  const { rngs: snapshots, tensors } = await captureState(captured, rngs);
  return {
    config: state.config,
    data: state.dataShape,
    position: copyEpochPosition(position),
    alphaOptimizerStep: state.alphaOptimizer.step,
    rngs: snapshots,
    genotypeHistory: [...history],
    tensors,
  };
}

/** The checkpoint as one binary file. Refuses what decodeCheckpoint would refuse. */
export function encodeCheckpoint(
  checkpoint: SearchCheckpoint,
  limits: CheckpointLimits = {},
): Uint8Array {
  const manifest = manifestToJson(checkpoint);
  parseManifest(manifest);
  return encodeCheckpointFile(
    { manifest, tensors: checkpoint.tensors },
    limits.maxBytes ?? DEFAULT_MAX_CHECKPOINT_BYTES,
    { what: 'the checkpoint', cause: 'the search has diverged' },
  );
}

/**
 * Reads a checkpoint file. Every check of the file happens here (layout, manifest, config,
 * position, random states, genotypes, finite values); the match against the network happens in
 * restoreSearchState. Errors start with "invalid search checkpoint:" and name what is wrong.
 */
export function decodeCheckpoint(
  bytes: Uint8Array,
  limits: CheckpointLimits = {},
): SearchCheckpoint {
  const container = decodeContainer(bytes, limits.maxBytes ?? DEFAULT_MAX_CHECKPOINT_BYTES);
  return { ...parseManifest(container.manifest), tensors: container.tensors };
}

/** Cheap checks before building the network, so that a hostile config cannot make a huge one. */
function checkNetworkSize(checkpoint: SearchCheckpoint, byName: Map<string, StoredTensor>): void {
  const { config } = checkpoint;
  const alphaShape = [edgeCount(config.nodes), config.primitives.length];
  for (const k of ALPHA_KEYS) {
    const saved = byName.get(`alphas.${k}`);
    if (!saved) throw new Error(`the checkpoint has no tensor "alphas.${k}"`);
    if (shapeText(saved.shape) !== shapeText(alphaShape)) {
      throw new Error(
        `tensor "alphas.${k}" has shape ${shapeText(saved.shape)} in the checkpoint; its configuration needs ${shapeText(alphaShape)}`,
      );
    }
  }
  if (config.layers > checkpoint.tensors.length) {
    throw new Error(
      `the configuration's ${config.layers} cells cannot fit the checkpoint's ${checkpoint.tensors.length} tensors`,
    );
  }
}

function assignAll(
  prefix: string,
  variables: Readonly<Record<string, tf.Variable>>,
  saved: Map<string, StoredTensor>,
): void {
  for (const [name, v] of Object.entries(variables)) {
    assignStored(v, saved.get(`${prefix}.${name}`) as StoredTensor);
  }
}

/**
 * A SearchState equal to the saved one: weights, BatchNorm buffers, alphas, momentum buffers,
 * Adam moments and step count, and the search Rng. `dataShape` must be the saved one; the
 * checkpoint's tensors must be exactly those of the network its configuration builds.
 */
export function restoreSearchState(
  checkpoint: SearchCheckpoint,
  dataShape: DataShape,
): SearchState {
  const saved = checkpoint.data;
  if (imageShapeText(saved) !== imageShapeText(dataShape)) {
    throw new Error(
      `the checkpoint was saved for ${imageShapeText(saved)}; the data has ${imageShapeText(dataShape)}`,
    );
  }
  const searchRng = restoreRng(checkpoint, SEARCH_RNG);
  const byName = new Map(checkpoint.tensors.map((t) => [t.name, t]));
  checkNetworkSize(checkpoint, byName);
  const net = searchNetwork(checkpoint.config, dataShape);
  matchTensorSlots(checkpointTensorSlots(net), checkpoint.tensors, {
    file: 'the checkpoint',
    needer: 'the network of its configuration',
    owner: 'the network',
    error: (message) => new Error(message),
  });
  const variables = networkVariablesFrom(net, byName);
  const cellAlphas = variablesUnder('alphas', ALPHA_KEYS, byName, true);
  const betas =
    (checkpoint.config.partialChannels ?? 1) > 1
      ? (variablesUnder('betas', ALPHA_KEYS, byName, true) as unknown as BetaVariables)
      : undefined;
  const alphas = { ...cellAlphas, ...(betas ? { betas } : {}) } as unknown as AlphaVariables;
  const state = assembleSearchState(
    checkpoint.config,
    dataShape,
    net,
    { ...variables, alphas },
    searchRng,
  );
  assignAll('sgd.momentum', state.weightOptimizer.buffers, byName);
  assignAll('adam.m', state.alphaOptimizer.m, byName);
  assignAll('adam.v', state.alphaOptimizer.v, byName);
  state.alphaOptimizer.step = checkpoint.alphaOptimizerStep;
  return state;
}

/** A host random source saved under `name` (e.g. "augment"), as a new Rng. */
export function restoreRng(checkpoint: SearchCheckpoint, name: string): Rng {
  return rngFromSnapshots(checkpoint.rngs, name);
}
