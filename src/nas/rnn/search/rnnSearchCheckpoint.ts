/**
 * Recurrent search checkpoints: a DARTS recurrent search between two events of `runRnnSearch`,
 * in the search checkpoint's container (checkpointFormat.ts) with
 * `format: "nas-lab.rnn-search-checkpoint"`. The manifest holds the configuration, the
 * vocabulary size, the loop position (rnnSearchPosition.ts), the Adam step count, the search's
 * random state and the host's settings (the lab's corpus settings). The tensors: `weights.*`,
 * `buffers.*` (BatchNorm running statistics), `alpha`, `adam.m.alpha`, `adam.v.alpha`, and, once
 * an epoch has begun, `hidden.train` and `hidden.alpha` (the carried hidden states). The SGD
 * has no momentum, so it holds no state.
 */
import type * as tf from '../../tensor/tf';
import type { StoredTensor } from '../../io/checkpointFormat';
import { CHECKPOINT_MAGIC, decodeContainer, encodeContainer } from '../../io/checkpointFormat';
import type { HostSettings, Json } from '../../io/manifestFields';
import type { HostTensor, TensorSlot } from '../../io/tensorSlots';
import {
  assignStored,
  checkFiniteTensors,
  matchTensorSlots,
  prefixed,
  readTensors,
  tensorOrHost,
} from '../../io/tensorSlots';
import { ManifestReader, rngToJson } from '../../io/manifestFields';
import type { RngSnapshot } from '../../tensor/random';
import type { RnnSearchConfig } from './rnnSearchConfig';
import { checkRnnSearchConfig, PAPER_RNN_SEARCH_CONFIG } from './rnnSearchConfig';
import type { RnnSearchRun } from './rnnSearchLoop';
import type { RnnSearchPosition, RnnSearchResume } from './rnnSearchPosition';
import { checkRnnSearchPosition } from './rnnSearchPosition';
import type { RnnSearchState } from './rnnSearchState';
import { createRnnSearchState, disposeRnnSearchState } from './rnnSearchState';

export const RNN_SEARCH_CHECKPOINT_FORMAT = 'nas-lab.rnn-search-checkpoint';
export const RNN_SEARCH_CHECKPOINT_VERSION = 1;
/** Files above this size are refused unless the caller raises the limit. */
export const DEFAULT_MAX_RNN_SEARCH_CHECKPOINT_BYTES = 2 ** 28;
const CONFIG_KEYS = Object.keys(PAPER_RNN_SEARCH_CONFIG) as (keyof RnnSearchConfig)[];
const DROPOUT_KEYS = Object.keys(PAPER_RNN_SEARCH_CONFIG.dropout);
const POSITION_KEYS = ['epoch', 'row', 'step', 'tokens', 'trainRows', 'alphaRows', 'elapsedMs'];
const F = new ManifestReader('recurrent search checkpoint');

export interface RnnSearchCheckpoint {
  readonly config: RnnSearchConfig;
  readonly ntoken: number;
  readonly position: RnnSearchPosition;
  readonly alphaOptimizerStep: number;
  readonly rng: RngSnapshot;
  readonly host?: HostSettings;
  readonly tensors: readonly StoredTensor[];
}

/** Every error about a recurrent search checkpoint file starts with this. */
export function rnnSearchCheckpointError(message: string): Error {
  return F.error(message);
}

function stateTensors(state: RnnSearchState): [string, tf.Tensor][] {
  return [
    ...prefixed<tf.Tensor>('weights', state.weights),
    ...prefixed<tf.Tensor>('buffers', state.buffers),
    ['alpha', state.alpha],
    ...prefixed<tf.Tensor>('adam.m', state.alphaOptimizer.m),
    ...prefixed<tf.Tensor>('adam.v', state.alphaOptimizer.v),
  ];
}

/**
 * A checkpoint of `state` where `run` stands. Call it between two events of the run and let it
 * resolve before the run goes on. Reads every tensor back with `await data()`.
 */
export async function captureRnnSearchCheckpoint(
  state: RnnSearchState,
  run: Pick<RnnSearchRun, 'position' | 'hidden'>,
  options: { readonly host?: HostSettings } = {},
): Promise<RnnSearchCheckpoint> {
  const position = run.position();
  checkRnnSearchPosition(position, state.config.epochs);
  const hidden = run.hidden();
  // Tensors, or host copies of [batch, nhid] (a resumed run before its first step).
  const named: [string, tf.Tensor | HostTensor][] = [...stateTensors(state)];
  if (position.row > 0) {
    if (!hidden) throw new Error('the search is inside an epoch but holds no hidden state');
    const { nhid } = state.config;
    named.push(
      ['hidden.train', tensorOrHost(hidden.train, nhid)],
      ['hidden.alpha', tensorOrHost(hidden.alpha, nhid)],
    );
  }
  const tensors = await readTensors(named);
  return {
    config: state.config,
    ntoken: state.ntoken,
    position,
    alphaOptimizerStep: state.alphaOptimizer.step,
    rng: state.rng.snapshot(),
    ...(options.host ? { host: options.host } : {}),
    tensors,
  };
}

function manifestToJson(c: RnnSearchCheckpoint): Record<string, unknown> {
  return {
    format: RNN_SEARCH_CHECKPOINT_FORMAT,
    version: RNN_SEARCH_CHECKPOINT_VERSION,
    config: { ...c.config, dropout: { ...c.config.dropout } },
    ntoken: c.ntoken,
    position: { ...c.position },
    alphaOptimizerStep: c.alphaOptimizerStep,
    rng: rngToJson(c.rng),
    ...(c.host ? { host: { ...c.host } } : {}),
  };
}

export function encodeRnnSearchCheckpoint(
  checkpoint: RnnSearchCheckpoint,
  maxBytes = DEFAULT_MAX_RNN_SEARCH_CHECKPOINT_BYTES,
): Uint8Array {
  checkFiniteTensors(checkpoint.tensors, 'the recurrent search', 'the search has diverged');
  return encodeContainer(
    { manifest: manifestToJson(checkpoint), tensors: checkpoint.tensors },
    maxBytes,
  );
}

// ---------------------------------------------------------------------------------------------
// Reading

function parseConfig(value: unknown): RnnSearchConfig {
  const o = F.record(value, 'config', CONFIG_KEYS);
  const d = F.record(o.dropout, 'config.dropout', DROPOUT_KEYS);
  const dropout = Object.fromEntries(
    DROPOUT_KEYS.map((k) => [k, F.number(d[k], `config.dropout.${k}`)]),
  ) as unknown as RnnSearchConfig['dropout'];
  const config = Object.fromEntries(
    CONFIG_KEYS.map((k) => [k, k === 'dropout' ? dropout : F.number(o[k], `config.${k}`)]),
  ) as unknown as RnnSearchConfig;
  F.within(() => checkRnnSearchConfig(config), 'config');
  return config;
}

function parsePosition(value: unknown, config: RnnSearchConfig): RnnSearchPosition {
  const o = F.record(value, 'position', POSITION_KEYS);
  const position = Object.fromEntries(
    POSITION_KEYS.map((k) => [k, F.number(o[k], `position.${k}`)]),
  ) as unknown as RnnSearchPosition;
  F.within(() => checkRnnSearchPosition(position, config.epochs));
  return position;
}

function parseManifest(json: Json): Omit<RnnSearchCheckpoint, 'tensors'> {
  F.formatAndVersion(json, RNN_SEARCH_CHECKPOINT_FORMAT, RNN_SEARCH_CHECKPOINT_VERSION);
  const keys = ['format', 'version', 'config', 'ntoken', 'position', 'alphaOptimizerStep', 'rng'];
  F.exactKeys(json, keys, 'the manifest', ['host']);
  const config = parseConfig(json.config);
  return {
    config,
    ntoken: F.integer(json.ntoken, 'ntoken', 1),
    position: parsePosition(json.position, config),
    alphaOptimizerStep: F.integer(json.alphaOptimizerStep, 'alphaOptimizerStep'),
    rng: F.rng(json.rng, 'rng'),
    ...(Object.hasOwn(json, 'host') ? { host: F.host(json.host) } : {}),
  };
}

/** The tensors' names and shapes a checkpoint of this manifest must hold, in file order. */
function expectedSlots(m: Omit<RnnSearchCheckpoint, 'tensors'>): TensorSlot[] {
  const state = createRnnSearchState(m.config, m.ntoken);
  try {
    const slots = stateTensors(state).map(([name, t]) => ({ name, shape: [...t.shape] }));
    if (m.position.row > 0) {
      // The hidden states' batch is the train batch for both texts (batchify in batchSize columns).
      const shape = [m.config.batchSize, m.config.nhid];
      slots.push({ name: 'hidden.train', shape }, { name: 'hidden.alpha', shape });
    }
    return slots;
  } finally {
    disposeRnnSearchState(state);
  }
}

function matchSlots(slots: readonly TensorSlot[], tensors: readonly StoredTensor[]): void {
  matchTensorSlots(slots, tensors, {
    file: 'the file',
    needer: 'the search of its configuration and position',
    owner: 'the search',
    error: rnnSearchCheckpointError,
  });
}

/**
 * Reads a recurrent search checkpoint: the container, every manifest field, and the tensors
 * against the search its configuration builds. Errors start with "invalid recurrent search
 * checkpoint:" and name what is wrong.
 */
export function decodeRnnSearchCheckpoint(
  bytes: Uint8Array,
  maxBytes = DEFAULT_MAX_RNN_SEARCH_CHECKPOINT_BYTES,
): RnnSearchCheckpoint {
  if (!(bytes instanceof Uint8Array))
    throw rnnSearchCheckpointError('expected the bytes of a file');
  const magic = String.fromCharCode(...bytes.subarray(0, CHECKPOINT_MAGIC.length));
  if (magic !== CHECKPOINT_MAGIC) {
    throw rnnSearchCheckpointError(
      `not a NAS Lab file: it does not start with "${CHECKPOINT_MAGIC}"`,
    );
  }
  const container = F.within(() => decodeContainer(bytes, maxBytes));
  const manifest = parseManifest(container.manifest as Json);
  matchSlots(expectedSlots(manifest), container.tensors);
  return { ...manifest, tensors: container.tensors };
}

/**
 * The saved search: a state equal to the one captured (weights, buffers, alphas, Adam moments and
 * step, random state) and what `runRnnSearch` needs to resume where it stood.
 */
export function restoreRnnSearch(checkpoint: RnnSearchCheckpoint): {
  state: RnnSearchState;
  resume: RnnSearchResume;
} {
  matchSlots(expectedSlots(checkpoint), checkpoint.tensors);
  const saved = new Map(checkpoint.tensors.map((t) => [t.name, t]));
  const state = createRnnSearchState(checkpoint.config, checkpoint.ntoken);
  for (const [name, t] of stateTensors(state)) {
    assignStored(t as tf.Variable, saved.get(name) as StoredTensor);
  }
  state.alphaOptimizer.step = checkpoint.alphaOptimizerStep;
  state.rng.load(checkpoint.rng);
  const train = saved.get('hidden.train');
  const alpha = saved.get('hidden.alpha');
  return {
    state,
    resume: {
      position: { ...checkpoint.position },
      hidden: train && alpha ? { train: train.values, alpha: alpha.values } : null,
    },
  };
}
