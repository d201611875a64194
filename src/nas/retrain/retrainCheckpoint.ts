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
import { CHECKPOINT_MAGIC, decodeContainer, encodeContainer } from '../io/checkpointFormat';
import { imageShapeText, rngFromSnapshots, snapshotRngs } from '../io/manifestFields';
import type { TensorSlot } from '../io/tensorSlots';
import {
  assignStored,
  checkFiniteTensors,
  matchTensorSlots,
  prefixed,
  readSlots,
  variableFrom,
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
import type { RetrainState } from './retrainState';
import type { DataShape } from '../darts/searchState';
import { createSgd } from '../optim/sgd';
import { trainedModelNetwork } from './trainedModel';

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
  return [
    ...net.params.map((p) => ({ name: `weights.${p.name}`, shape: p.shape })),
    ...net.buffers.map((b) => ({ name: `buffers.${b.name}`, shape: b.shape })),
    ...net.params.map((p) => ({ name: `sgd.momentum.${p.name}`, shape: p.shape })),
  ];
}

function stateVariables(state: RetrainState): Map<string, tf.Variable> {
  return new Map([
    ...prefixed('weights', state.weights),
    ...prefixed('buffers', state.buffers),
    ...prefixed('sgd.momentum', state.optimizer.buffers),
  ]);
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
  const rngs = options.rngs ?? {};
  const snapshots = snapshotRngs(RETRAIN_RNG, state.rng, rngs, 'RetrainState');
  checkRetrainPosition(position, state.config.epochs, state.config.batchSize);
  const tensors = await readSlots(
    retrainCheckpointTensorSlots(state.net),
    stateVariables(state),
    'the retrain state',
  );
  return {
    genotype: state.genotype,
    config: state.config,
    data: state.data,
    position: { ...position, order: position.order && position.order.slice() },
    rngs: snapshots,
    ...(options.host ? { host: options.host } : {}),
    tensors,
  };
}

/** The checkpoint as one binary file. Refuses what decodeRetrainCheckpoint would refuse. */
export function encodeRetrainCheckpoint(
  checkpoint: RetrainCheckpoint,
  limits: RetrainCheckpointLimits = {},
): Uint8Array {
  const manifest = retrainManifestToJson(checkpoint);
  try {
    parseRetrainManifest(manifest);
  } catch (e) {
    throw new Error(
      (e as Error).message.replace(/^invalid retrain checkpoint: /, 'cannot save the retrain: '),
    );
  }
  checkFiniteTensors(checkpoint.tensors, 'the retrain', 'the training has diverged');
  return encodeContainer(
    { manifest, tensors: checkpoint.tensors },
    limits.maxBytes ?? DEFAULT_MAX_RETRAIN_CHECKPOINT_BYTES,
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
  if (!(bytes instanceof Uint8Array)) throw retrainCheckpointError('expected the bytes of a file');
  const magic = String.fromCharCode(...bytes.subarray(0, CHECKPOINT_MAGIC.length));
  if (magic !== CHECKPOINT_MAGIC) {
    throw retrainCheckpointError(
      `not a NAS Lab file: it does not start with "${CHECKPOINT_MAGIC}"`,
    );
  }
  let container: ReturnType<typeof decodeContainer>;
  try {
    container = decodeContainer(bytes, limits.maxBytes ?? DEFAULT_MAX_RETRAIN_CHECKPOINT_BYTES);
  } catch (e) {
    throw retrainCheckpointError((e as Error).message.replace(/^invalid search checkpoint: /, ''));
  }
  const manifest = parseRetrainManifest(container.manifest);
  matchSlots(checkedNetwork(manifest, container.tensors.length), container.tensors);
  return { ...manifest, tensors: container.tensors };
}

function checkedNetwork(m: RetrainCheckpointManifest, tensorCount: number): EvalNetwork {
  // Every cell has at least its two preprocessing convolutions.
  if (m.config.layers > tensorCount) {
    throw retrainCheckpointError(
      `the configuration's ${m.config.layers} cells cannot fit the file's ${tensorCount} tensors`,
    );
  }
  try {
    return trainedModelNetwork({ ...m, normalization: null, training: nothingTrained });
  } catch (e) {
    throw retrainCheckpointError(`the network cannot be built: ${(e as Error).message}`);
  }
}

const nothingTrained = { epochs: 0, testLoss: 0, testAccuracy: 0 };

function matchSlots(net: EvalNetwork, tensors: readonly StoredTensor[]): void {
  matchTensorSlots(retrainCheckpointTensorSlots(net), tensors, {
    file: 'the file',
    needer: 'the network of its genotype and configuration',
    owner: 'the network',
    error: retrainCheckpointError,
  });
}

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
  const net = checkedNetwork(checkpoint, checkpoint.tensors.length);
  matchSlots(net, checkpoint.tensors);
  const saved = new Map(checkpoint.tensors.map((t) => [t.name, t]));
  const variable = (name: string, trainable: boolean) =>
    variableFrom(saved.get(name) as StoredTensor, trainable);
  const weights = Object.fromEntries(
    net.params.map((p) => [p.name, variable(`weights.${p.name}`, true)]),
  );
  const buffers = Object.fromEntries(
    net.buffers.map((b) => [b.name, variable(`buffers.${b.name}`, false)]),
  );
  const { config } = checkpoint;
  const optimizer = createSgd(weights, {
    momentum: config.momentum,
    weightDecay: config.weightDecay,
  });
  for (const [name, buffer] of Object.entries(optimizer.buffers)) {
    assignStored(buffer, saved.get(`sgd.momentum.${name}`) as StoredTensor);
  }
  return {
    config,
    genotype: checkpoint.genotype,
    net,
    weights,
    buffers,
    optimizer,
    rng: restoreRetrainRng(checkpoint, RETRAIN_RNG),
    data: checkpoint.data,
  };
}

/** A random source saved under `name` (the retrain's own, or the host's), as a new Rng. */
export function restoreRetrainRng(checkpoint: RetrainCheckpointManifest, name: string): Rng {
  return rngFromSnapshots(checkpoint.rngs, name);
}
