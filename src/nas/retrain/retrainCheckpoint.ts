/**
 * Retrain checkpoints: everything a retrain needs to continue exactly where it stopped, in the
 * search checkpoint's binary container (checkpointFormat.ts) with its own manifest
 * (`format: "nas-lab.retrain-checkpoint"`, retrainCheckpointManifest.ts). The tensors are every
 * weight (`weights.<param>`), BatchNorm running statistic (`buffers.<buffer>`) and SGD momentum
 * buffer (`sgd.momentum.<param>`) of the network the genotype and configuration build, in its
 * parameter order; the position holds the epoch's image order and the last test result, the
 * random states the retrain's own (initialisation, order, drop-path masks) and the host's.
 * Unlike a model file (trainedModel.ts), it is for resuming, not for evaluating.
 */
import type * as tf from '../tensor/tf';
import type { StoredTensor } from '../io/checkpointFormat';
import type { CheckpointReading } from '../io/checkpointFile';
import {
  captureState,
  decodeCheckpointFile,
  encodeCheckpointFile,
  matchCheckpointSlots,
} from '../io/checkpointFile';
import { imageShapeText, rngFromSnapshots } from '../io/manifestFields';
import type { TensorSlot } from '../io/tensorSlots';
import {
  assignStored,
  networkSlots,
  networkTensors,
  networkVariablesFrom,
  prefixed,
  slotsUnder,
} from '../io/tensorSlots';
import type { EvalNetwork } from './evalNetwork';
import type { Rng } from '../tensor/random';
import type { RetrainCheckpointManifest } from './retrainCheckpointManifest';
import {
  parseRetrainManifest,
  RETRAIN_RNG,
  retrainCheckpointError,
  retrainManifestToJson,
} from './retrainCheckpointManifest';
import type { RetrainPosition } from './retrainPosition';
import { checkRetrainPosition } from './retrainPosition';
import { copyEpochPosition } from '../darts/searchPosition';
import type { RetrainState } from './retrainState';
import type { DataShape } from '../darts/searchState';
import { createSgd } from '../optim/sgd';
import { checkedNetwork } from './trainedModel';

export interface RetrainCheckpoint extends RetrainCheckpointManifest {
  /** Host copies of every tensor, in the order of `retrainCheckpointTensorSlots`. */
  readonly tensors: readonly StoredTensor[];
}

/** Files above this size are refused unless the caller raises the limit (paper size: ~27 MB). */
const DEFAULT_MAX_RETRAIN_CHECKPOINT_BYTES = 2 ** 28;

export interface RetrainCheckpointLimits {
  readonly maxBytes?: number;
}

/** The tensors a checkpoint of a retrain of `net` holds, in file order. */
function retrainCheckpointTensorSlots(net: EvalNetwork): TensorSlot[] {
  return [...networkSlots(net), ...slotsUnder('sgd.momentum', net.params)];
}

function stateVariables(state: RetrainState): Map<string, tf.Variable> {
  return new Map([...networkTensors(state), ...prefixed('sgd.momentum', state.optimizer.buffers)]);
}

/**
 * A checkpoint of `state` at `position` (from `run.position()`), with the host's random sources
 * by name and its settings. Call it between two events of the run and let it resolve before
 * the run goes on. Reads every tensor back with `await data()`.
 */
export async function captureRetrainCheckpoint(
  state: RetrainState,
  position: RetrainPosition,
  options: {
    readonly rngs?: Readonly<Record<string, Rng>>;
    readonly host?: RetrainCheckpointManifest['host'];
  } = {},
): Promise<RetrainCheckpoint> {
  checkRetrainPosition(position, state.config.epochs, state.config.batchSize);
  const { rngs, tensors } = await captureState(
    {
      name: RETRAIN_RNG,
      rng: state.rng,
      slots: retrainCheckpointTensorSlots(state.net),
      tensors: stateVariables(state),
    },
    options.rngs ?? {},
  );
  return {
    genotype: state.genotype,
    config: state.config,
    data: state.data,
    position: copyEpochPosition(position),
    rngs,
    ...(options.host ? { host: options.host } : {}),
    tensors,
  };
}

/** The checkpoint as one binary file. Refuses what decodeRetrainCheckpoint would refuse. */
export function encodeRetrainCheckpoint(
  checkpoint: RetrainCheckpoint,
  limits: RetrainCheckpointLimits = {},
): Uint8Array {
  return encodeCheckpointFile(
    { manifest: retrainManifestToJson(checkpoint), tensors: checkpoint.tensors },
    limits.maxBytes ?? DEFAULT_MAX_RETRAIN_CHECKPOINT_BYTES,
    {
      what: 'the retrain',
      cause: 'the training has diverged',
      reread: READING,
    },
  );
}

/**
 * Reads a retrain checkpoint file: the container (layout, finite values, size), every manifest
 * field, and the tensors against the network the genotype and configuration build. Creates no
 * tensors. Errors start with "invalid retrain checkpoint:" and name what is wrong.
 */
export function decodeRetrainCheckpoint(
  bytes: Uint8Array,
  limits: RetrainCheckpointLimits = {},
): RetrainCheckpoint {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_RETRAIN_CHECKPOINT_BYTES;
  return decodeCheckpointFile(bytes, maxBytes, READING);
}

const networkOf = (m: RetrainCheckpointManifest, tensorCount: number): EvalNetwork =>
  checkedNetwork(m, tensorCount, retrainCheckpointError);

/** How the file is read, and which tensors its manifest's state has. */
const READING: CheckpointReading<RetrainCheckpointManifest> = {
  kind: 'retrain checkpoint',
  parse: parseRetrainManifest,
  slots: (m, tensorCount) => retrainCheckpointTensorSlots(networkOf(m, tensorCount)),
  needer: 'the network of its genotype and configuration',
  owner: 'the network',
};

/**
 * A RetrainState equal to the saved one: weights, BatchNorm buffers, momentum buffers and the
 * retrain Rng. `data` must be the saved shape.
 */
export function restoreRetrainState(checkpoint: RetrainCheckpoint, data: DataShape): RetrainState {
  if (imageShapeText(checkpoint.data) !== imageShapeText(data)) {
    throw new Error(
      `the checkpoint was saved for ${imageShapeText(checkpoint.data)}; the data has ${imageShapeText(data)}`,
    );
  }
  matchCheckpointSlots(READING, checkpoint, checkpoint.tensors);
  const net = networkOf(checkpoint, checkpoint.tensors.length);
  const saved = new Map(checkpoint.tensors.map((t) => [t.name, t]));
  const variables = networkVariablesFrom(net, saved);
  const { config } = checkpoint;
  const { momentum, weightDecay } = config;
  const optimizer = createSgd(variables.weights, { momentum, weightDecay });
  for (const [name, buffer] of Object.entries(optimizer.buffers)) {
    assignStored(buffer, saved.get(`sgd.momentum.${name}`) as StoredTensor);
  }
  return {
    config,
    genotype: checkpoint.genotype,
    net,
    ...variables,
    optimizer,
    rng: restoreRetrainRng(checkpoint, RETRAIN_RNG),
    data: checkpoint.data,
  };
}

/** A random source saved under `name` (the retrain's own, or the host's), as a new Rng. */
export function restoreRetrainRng(checkpoint: RetrainCheckpointManifest, name: string): Rng {
  return rngFromSnapshots(checkpoint.rngs, name);
}
