/**
 * Trained-model files: the evaluation network of a retrain, ready to evaluate, in this project's
 * binary container (checkpointFormat.ts: magic, version, JSON manifest, float32 tensors). The
 * manifest (`format: "nas-lab.trained-model"`, version 1, trainedModelManifest.ts) holds the
 * genotype in this project's JSON form, the retrain configuration, the data shape, the
 * normalisation and the training summary; the tensors are every weight (`weights.<param>`,
 * auxiliary head included) and every BatchNorm running statistic (`buffers.<buffer>`) of the
 * network the genotype and configuration build, in its parameter order. No optimizer state: a
 * model file is for evaluation, not for resuming.
 */
import type { StoredTensor } from '../io/checkpointFormat';
import { CHECKPOINT_MAGIC, decodeContainer, encodeContainer } from '../io/checkpointFormat';
import type { TensorSlot } from '../io/tensorSlots';
import {
  checkFiniteTensors,
  matchTensorSlots,
  networkSlots,
  networkTensors,
  networkVariablesFrom,
  prefixed,
  readSlots,
} from '../io/tensorSlots';
import type * as tf from '../tensor/tf';
import type { NetworkVariables } from '../tensor/initParams';
import { disposeNetworkVariables } from '../tensor/initParams';
import type { EvalNetwork } from './evalNetwork';
import { checkEvalInputSize, evalNetwork } from './evalNetwork';
import type { RetrainState } from './retrainState';
import type {
  NetworkFields,
  Normalization,
  TrainedModelManifest,
  TrainingSummary,
} from './trainedModelManifest';
import {
  parseTrainedModelManifest,
  trainedModelError,
  trainedModelManifestToJson,
} from './trainedModelManifest';

export type { Normalization, TrainingSummary } from './trainedModelManifest';

/** Files above this size are refused unless the caller raises the limit (a paper-size model is 15 MB). */
export const DEFAULT_MAX_TRAINED_MODEL_BYTES = 2 ** 28;

export interface TrainedModelLimits {
  /** The largest file to write or read, in bytes (default 256 MiB). */
  readonly maxBytes?: number;
}

/** A decoded file: the manifest and host copies of its tensors, checked against the network. */
export interface DecodedTrainedModel extends TrainedModelManifest {
  readonly tensors: readonly StoredTensor[];
}

/** A restored network, enough for `evaluateRetrainSplit` (retrainLoop.ts). */
export interface TrainedModel extends TrainedModelManifest, NetworkVariables {
  readonly net: EvalNetwork;
}

/** The evaluation network the manifest's genotype and configuration build for its data. */
function trainedModelNetwork(m: NetworkFields): EvalNetwork {
  const net = evalNetwork({
    genotype: m.genotype,
    c: m.config.channels,
    layers: m.config.layers,
    numClasses: m.data.numClasses,
    imageChannels: m.data.channels,
    auxiliary: m.config.auxiliary,
    stem: m.config.stem,
  });
  checkEvalInputSize(net, m.data.height, m.data.width);
  return net;
}

function formatBytes(n: number): string {
  return n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(2)} MiB` : `${n} bytes`;
}

/**
 * The state's network as a model file. `summary` says how far it was trained; `normalization`
 * the statistics its images were normalised with (null: unknown). Reads every tensor back with
 * `await data()`; let it resolve before the state trains on. Refuses what decoding would refuse.
 */
export async function encodeTrainedModel(
  state: RetrainState,
  summary: TrainingSummary,
  options: TrainedModelLimits & {
    readonly normalization?: Normalization | null;
    /**
     * BatchNorm statistics to save in place of the network's running ones (by buffer name): the
     * recalibrated statistics its recorded test figure was measured with.
     */
    readonly statistics?: Readonly<Record<string, tf.Tensor>>;
  } = {},
): Promise<Uint8Array> {
  const manifest = trainedModelManifestToJson({
    genotype: state.genotype,
    config: state.config,
    data: state.data,
    normalization: options.normalization ?? null,
    training: summary,
  });
  try {
    parseTrainedModelManifest(manifest);
  } catch (e) {
    throw new Error(
      (e as Error).message.replace(/^invalid trained model: /, 'cannot save the model: '),
    );
  }
  const tensors = await readSlots(
    networkSlots(state.net),
    new Map<string, tf.Tensor>([
      ...networkTensors(state),
      ...prefixed('buffers', options.statistics ?? {}),
    ]),
    'the retrain state',
  );
  checkFiniteTensors(tensors, 'the model', 'the training has diverged');
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_TRAINED_MODEL_BYTES;
  const bytes = encodeContainer({ manifest, tensors }, Number.MAX_SAFE_INTEGER);
  if (bytes.length > maxBytes) {
    throw new Error(
      `cannot save the model: it takes ${formatBytes(bytes.length)}, above the limit of ${formatBytes(maxBytes)}`,
    );
  }
  return bytes;
}

/** The container's errors speak of a search checkpoint; a model file's speak of a model. */
function containerOf(bytes: Uint8Array, maxBytes: number): ReturnType<typeof decodeContainer> {
  if (bytes.length > maxBytes) {
    throw trainedModelError(
      `the file takes ${formatBytes(bytes.length)}, above the limit of ${formatBytes(maxBytes)}`,
    );
  }
  const magic = String.fromCharCode(...bytes.subarray(0, CHECKPOINT_MAGIC.length));
  if (bytes.length >= CHECKPOINT_MAGIC.length && magic !== CHECKPOINT_MAGIC) {
    throw trainedModelError(
      `not a NAS Lab model file: it does not start with "${CHECKPOINT_MAGIC}"`,
    );
  }
  try {
    return decodeContainer(bytes, maxBytes);
  } catch (e) {
    throw trainedModelError((e as Error).message.replace(/^invalid search checkpoint: /, ''));
  }
}

/** Throws naming the first tensor the network needs and the file lacks or shapes otherwise, or an extra one. */
function matchSlots(slots: readonly TensorSlot[], tensors: readonly StoredTensor[]): void {
  matchTensorSlots(slots, tensors, {
    file: 'the file',
    needer: 'the network of its genotype and configuration',
    owner: 'the network',
    error: trainedModelError,
  });
}

/** The network, built only after cheap checks so that a hostile manifest cannot ask for a huge one. */
/**
 * The network of a file's manifest (a model file's or a retrain checkpoint's), built only after
 * cheap checks so that a hostile manifest cannot ask for a huge one; `error` words the refusal.
 */
export function checkedNetwork(
  m: NetworkFields,
  tensorCount: number,
  error: (message: string) => Error = trainedModelError,
): EvalNetwork {
  // Every cell has at least its two preprocessing convolutions.
  if (m.config.layers > tensorCount) {
    throw error(
      `the configuration's ${m.config.layers} cells cannot fit the file's ${tensorCount} tensors`,
    );
  }
  try {
    return trainedModelNetwork(m);
  } catch (e) {
    throw error(`the network cannot be built: ${(e as Error).message}`);
  }
}

/**
 * Reads a model file and checks all of it: the container (layout, finite values, size limit),
 * every manifest field, and the tensors against the network the manifest's genotype and
 * configuration build (names and shapes, nothing missing, nothing extra). Creates no tensors.
 * Errors start with "invalid trained model:" and name what is wrong.
 */
export function decodeTrainedModel(
  bytes: Uint8Array,
  limits: TrainedModelLimits = {},
): DecodedTrainedModel {
  if (!(bytes instanceof Uint8Array)) throw trainedModelError('expected the bytes of a file');
  const container = containerOf(bytes, limits.maxBytes ?? DEFAULT_MAX_TRAINED_MODEL_BYTES);
  const manifest = parseTrainedModelManifest(container.manifest);
  const net = checkedNetwork(manifest, container.tensors.length);
  matchSlots(networkSlots(net), container.tensors);
  return { ...manifest, tensors: container.tensors };
}

/** The decoded network on the current backend; dispose it with disposeTrainedModel. */
export function restoreTrainedModel(decoded: DecodedTrainedModel): TrainedModel {
  const net = checkedNetwork(decoded, decoded.tensors.length);
  matchSlots(networkSlots(net), decoded.tensors);
  const saved = new Map(decoded.tensors.map((t) => [t.name, t]));
  const { genotype, config, data, normalization, training } = decoded;
  return {
    genotype,
    config,
    data,
    normalization,
    training,
    net,
    ...networkVariablesFrom(net, saved),
  };
}

export function disposeTrainedModel(model: TrainedModel): void {
  disposeNetworkVariables(model);
}
