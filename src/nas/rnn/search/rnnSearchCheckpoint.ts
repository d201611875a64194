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
import type { HostSettings, Json } from '../../io/manifestFields';
import type { TensorSlot } from '../../io/tensorSlots';
import { networkTensors, prefixed } from '../../io/tensorSlots';
import { readRnnConfig, rnnCheckpointCodec } from '../run/rnnRunCheckpoint';
import { ManifestReader, rngToJson } from '../../io/manifestFields';
import type { RngSnapshot } from '../../tensor/random';
import type { RnnSearchConfig } from './rnnSearchConfig';
import { checkRnnSearchConfig, PAPER_RNN_SEARCH_CONFIG } from './rnnSearchConfig';
import type { RnnSearchRun } from './rnnSearchLoop';
import type { RnnSearchPosition } from './rnnSearchPosition';
import { checkRnnSearchPosition } from './rnnSearchPosition';
import type { RnnSearchState } from './rnnSearchState';
import { createRnnSearchState, disposeRnnSearchState } from './rnnSearchState';

export const RNN_SEARCH_CHECKPOINT_FORMAT = 'nas-lab.rnn-search-checkpoint';
const RNN_SEARCH_CHECKPOINT_VERSION = 1;
/** Files above this size are refused unless the caller raises the limit. */
const DEFAULT_MAX_RNN_SEARCH_CHECKPOINT_BYTES = 2 ** 28;
const POSITION_KEYS = ['epoch', 'row', 'step', 'tokens', 'trainRows', 'alphaRows', 'elapsedMs'];
const KIND = 'recurrent search checkpoint';
const F = new ManifestReader(KIND);

export interface RnnSearchCheckpoint {
  readonly config: RnnSearchConfig;
  readonly ntoken: number;
  readonly position: RnnSearchPosition;
  readonly alphaOptimizerStep: number;
  readonly rng: RngSnapshot;
  readonly host?: HostSettings;
  readonly tensors: readonly StoredTensor[];
}

type Manifest = Omit<RnnSearchCheckpoint, 'tensors'>;

function stateTensors(state: RnnSearchState): [string, tf.Variable][] {
  return [
    ...networkTensors(state),
    ['alpha', state.alpha],
    ...prefixed('adam.m', state.alphaOptimizer.m),
    ...prefixed('adam.v', state.alphaOptimizer.v),
  ];
}

function manifestToJson(c: Manifest): Json {
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

// ---------------------------------------------------------------------------------------------
// Reading

function parseConfig(value: unknown): RnnSearchConfig {
  const config = readRnnConfig(F, value, PAPER_RNN_SEARCH_CONFIG);
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

function parseManifest(json: Json): Manifest {
  const head = { format: RNN_SEARCH_CHECKPOINT_FORMAT, version: RNN_SEARCH_CHECKPOINT_VERSION };
  const keys = ['config', 'ntoken', 'position', 'alphaOptimizerStep', 'rng'];
  F.manifestKeys(json, head, keys, ['host']);
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
function expectedSlots(m: Manifest): TensorSlot[] {
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

/** The hidden states a run carries: tensors, or a resumed run's host copies before it steps. */
type Hidden = NonNullable<ReturnType<RnnSearchRun['hidden']>>;

const CODEC = rnnCheckpointCodec({
  kind: KIND,
  parse: parseManifest,
  slots: expectedSlots,
  needer: 'the search of its configuration and position',
  owner: 'the search',
  maxBytes: DEFAULT_MAX_RNN_SEARCH_CHECKPOINT_BYTES,
  save: { what: 'the recurrent search', cause: 'the search has diverged' },
  toJson: manifestToJson,
  check: (state: RnnSearchState, position: RnnSearchPosition) =>
    checkRnnSearchPosition(position, state.config.epochs),
  fields: (state) => ({
    config: state.config,
    ntoken: state.ntoken,
    alphaOptimizerStep: state.alphaOptimizer.step,
    rng: state.rng.snapshot(),
  }),
  tensors: stateTensors,
  hidden: {
    names: ['hidden.train', 'hidden.alpha'],
    split: (h: Hidden) => [h.train, h.alpha],
    join: ([train, alpha]) => ({ train: train as Float32Array, alpha: alpha as Float32Array }),
  },
  make: (m) => {
    const state = createRnnSearchState(m.config, m.ntoken);
    state.alphaOptimizer.step = m.alphaOptimizerStep;
    return state;
  },
});

/** A checkpoint of the search where its run stands (between two events). */
export const captureRnnSearchCheckpoint = CODEC.capture;
export const encodeRnnSearchCheckpoint = CODEC.encode;
/** Reads a file; errors start with "invalid recurrent search checkpoint:". */
export const decodeRnnSearchCheckpoint = CODEC.decode;
/** The saved search's state, and what `runRnnSearch` needs to resume where it stood. */
export const restoreRnnSearch = CODEC.restore;
