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
import * as tf from '../tensor/tf';
import type { StoredTensor } from '../io/checkpointFormat';
import { CHECKPOINT_MAGIC, decodeContainer, encodeContainer } from '../io/checkpointFormat';
import type { EvalNetwork } from './evalNetwork';
import { Rng } from '../tensor/random';
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

interface TensorSlot {
  readonly name: string;
  readonly shape: readonly number[];
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
  const under = (prefix: string, vs: Readonly<Record<string, tf.Variable>>) =>
    Object.entries(vs).map(([name, v]) => [`${prefix}.${name}`, v] as const);
  return new Map([
    ...under('weights', state.weights),
    ...under('buffers', state.buffers),
    ...under('sgd.momentum', state.optimizer.buffers),
  ]);
}

function checkRngNames(rngs: Readonly<Record<string, Rng>>): void {
  for (const name of Object.keys(rngs)) {
    if (name === RETRAIN_RNG) {
      throw new Error(`the random source name "${RETRAIN_RNG}" is the RetrainState's own`);
    }
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
      throw new Error(
        `random source name ${JSON.stringify(name)} must be 1–64 of A–Z a–z 0–9 _ . -`,
      );
    }
  }
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
  checkRngNames(rngs);
  checkRetrainPosition(position, state.config.epochs, state.config.batchSize);
  const variables = stateVariables(state);
  const slots = retrainCheckpointTensorSlots(state.net);
  const sources = slots.map((slot) => {
    const v = variables.get(slot.name);
    if (!v) throw new Error(`the retrain state has no tensor "${slot.name}"`);
    return v;
  });
  const values = await Promise.all(sources.map((v) => v.data<'float32'>()));
  return {
    genotype: state.genotype,
    config: state.config,
    data: state.data,
    position: { ...position, order: position.order && position.order.slice() },
    rngs: Object.fromEntries([
      [RETRAIN_RNG, state.rng.snapshot()],
      ...Object.entries(rngs).map(([name, rng]) => [name, rng.snapshot()]),
    ]),
    ...(options.host ? { host: options.host } : {}),
    // Copies: on the cpu backend data() returns the backend's own array.
    tensors: slots.map((slot, i) => ({
      name: slot.name,
      shape: [...(sources[i] as tf.Variable).shape],
      values: new Float32Array(values[i] as Float32Array),
    })),
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
  for (const t of checkpoint.tensors) {
    const i = t.values.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) {
      throw new Error(
        `cannot save the retrain: tensor "${t.name}" holds ${t.values[i]} at index ${i} (the training has diverged)`,
      );
    }
  }
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

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

function matchSlots(net: EvalNetwork, tensors: readonly StoredTensor[]): void {
  const slots = retrainCheckpointTensorSlots(net);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  for (const slot of slots) {
    const saved = byName.get(slot.name);
    if (!saved) {
      throw retrainCheckpointError(
        `the file has no tensor "${slot.name}", which the network of its genotype and configuration needs`,
      );
    }
    if (shapeText(saved.shape) !== shapeText(slot.shape)) {
      throw retrainCheckpointError(
        `tensor "${slot.name}" has shape ${shapeText(saved.shape)} in the file; the network needs ${shapeText(slot.shape)}`,
      );
    }
  }
  const expected = new Set(slots.map((s) => s.name));
  const extra = tensors.find((t) => !expected.has(t.name));
  if (extra) {
    throw retrainCheckpointError(
      `the file holds tensor "${extra.name}", which the network does not have`,
    );
  }
}

function dataText(d: DataShape): string {
  return `${d.height}×${d.width}×${d.channels} images in ${d.numClasses} classes`;
}

/**
 * A RetrainState equal to the saved one: weights, BatchNorm buffers, momentum buffers and the
 * retrain Rng. `data` must be the saved shape.
 */
export function restoreRetrainState(checkpoint: RetrainCheckpoint, data: DataShape): RetrainState {
  if (dataText(checkpoint.data) !== dataText(data)) {
    throw new Error(
      `the checkpoint was saved for ${dataText(checkpoint.data)}; the data has ${dataText(data)}`,
    );
  }
  const net = checkedNetwork(checkpoint, checkpoint.tensors.length);
  matchSlots(net, checkpoint.tensors);
  const saved = new Map(checkpoint.tensors.map((t) => [t.name, t]));
  const variable = (name: string, trainable: boolean) => {
    const t = saved.get(name) as StoredTensor;
    const value = tf.tensor(t.values, [...t.shape], 'float32');
    const v = tf.variable(value, trainable);
    value.dispose();
    return v;
  };
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
    const t = saved.get(`sgd.momentum.${name}`) as StoredTensor;
    tf.tidy(() => buffer.assign(tf.tensor(t.values, [...t.shape], 'float32')));
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
  const snapshot = Object.hasOwn(checkpoint.rngs, name) ? checkpoint.rngs[name] : undefined;
  if (!snapshot) {
    const names = Object.keys(checkpoint.rngs).join(', ');
    throw new Error(`the checkpoint has no random state "${name}" (it has: ${names})`);
  }
  return Rng.fromSnapshot(snapshot);
}
