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
import * as tf from '../../tensor/tf';
import type { StoredTensor } from '../../io/checkpointFormat';
import { CHECKPOINT_MAGIC, decodeContainer, encodeContainer } from '../../io/checkpointFormat';
import type { HostSettings } from '../../darts/searchCheckpointManifest';
import { parseHost, parseRng } from '../../darts/searchCheckpointManifest';
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
  return new Error(`invalid recurrent search checkpoint: ${message}`);
}

function stateTensors(state: RnnSearchState): [string, tf.Tensor][] {
  const under = (prefix: string, vs: Readonly<Record<string, tf.Variable>>) =>
    Object.entries(vs).map(([name, v]) => [`${prefix}.${name}`, v] as [string, tf.Tensor]);
  return [
    ...under('weights', state.weights),
    ...under('buffers', state.buffers),
    ['alpha', state.alpha],
    ...under('adam.m', state.alphaOptimizer.m),
    ...under('adam.v', state.alphaOptimizer.v),
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
  const named: [string, tf.Tensor | Float32Array][] = [...stateTensors(state)];
  if (position.row > 0) {
    if (!hidden) throw new Error('the search is inside an epoch but holds no hidden state');
    named.push(['hidden.train', hidden.train], ['hidden.alpha', hidden.alpha]);
  }
  const { nhid } = state.config;
  const shapeOf = (t: tf.Tensor | Float32Array) =>
    t instanceof Float32Array ? [t.length / nhid, nhid] : [...t.shape];
  const values = await Promise.all(
    named.map(([, t]) => (t instanceof Float32Array ? t : t.data<'float32'>())),
  );
  return {
    config: state.config,
    ntoken: state.ntoken,
    position,
    alphaOptimizerStep: state.alphaOptimizer.step,
    rng: state.rng.snapshot(),
    ...(options.host ? { host: options.host } : {}),
    // Copies: on the cpu backend data() returns the backend's own array.
    tensors: named.map(([name, t], i) => ({
      name,
      shape: shapeOf(t),
      values: new Float32Array(values[i] as Float32Array),
    })),
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
    rng: { words: [...c.rng.words], spareNormal: c.rng.spareNormal },
    ...(c.host ? { host: { ...c.host } } : {}),
  };
}

export function encodeRnnSearchCheckpoint(
  checkpoint: RnnSearchCheckpoint,
  maxBytes = DEFAULT_MAX_RNN_SEARCH_CHECKPOINT_BYTES,
): Uint8Array {
  for (const t of checkpoint.tensors) {
    const i = t.values.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) {
      throw new Error(
        `cannot save the recurrent search: tensor "${t.name}" holds ${t.values[i]} at index ${i} (the search has diverged)`,
      );
    }
  }
  return encodeContainer(
    { manifest: manifestToJson(checkpoint), tensors: checkpoint.tensors },
    maxBytes,
  );
}

// ---------------------------------------------------------------------------------------------
// Reading

type Json = Record<string, unknown>;

function object(value: unknown, at: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw rnnSearchCheckpointError(`${at} must be a JSON object`);
  }
  return value as Json;
}

function exactKeys(o: Json, keys: readonly string[], at: string): void {
  for (const key of keys) {
    if (!Object.hasOwn(o, key)) throw rnnSearchCheckpointError(`${at} has no "${key}"`);
  }
  for (const key of Object.keys(o)) {
    if (!keys.includes(key)) throw rnnSearchCheckpointError(`${at} has an unknown field "${key}"`);
  }
}

function number(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw rnnSearchCheckpointError(`${at} must be a finite number, got ${JSON.stringify(value)}`);
  }
  return value;
}

function count(value: unknown, at: string, min = 0): number {
  const v = number(value, at);
  if (!Number.isSafeInteger(v) || v < min) {
    throw rnnSearchCheckpointError(`${at} must be an integer of at least ${min}, got ${v}`);
  }
  return v;
}

/** Runs a check or shared parser; its error names this file's kind instead of its own. */
function named<T>(read: () => T, at = ''): T {
  try {
    return read();
  } catch (e) {
    const message = (e as Error).message.replace(/^invalid search checkpoint: /, '');
    throw rnnSearchCheckpointError(at ? `${at}: ${message}` : message);
  }
}

function parseConfig(value: unknown): RnnSearchConfig {
  const o = object(value, 'config');
  exactKeys(o, CONFIG_KEYS, 'config');
  const d = object(o.dropout, 'config.dropout');
  exactKeys(d, DROPOUT_KEYS, 'config.dropout');
  const dropout = Object.fromEntries(
    DROPOUT_KEYS.map((k) => [k, number(d[k], `config.dropout.${k}`)]),
  ) as unknown as RnnSearchConfig['dropout'];
  const config = Object.fromEntries(
    CONFIG_KEYS.map((k) => [k, k === 'dropout' ? dropout : number(o[k], `config.${k}`)]),
  ) as unknown as RnnSearchConfig;
  named(() => checkRnnSearchConfig(config), 'config');
  return config;
}

function parsePosition(value: unknown, config: RnnSearchConfig): RnnSearchPosition {
  const o = object(value, 'position');
  exactKeys(o, POSITION_KEYS, 'position');
  const position = Object.fromEntries(
    POSITION_KEYS.map((k) => [k, number(o[k], `position.${k}`)]),
  ) as unknown as RnnSearchPosition;
  named(() => checkRnnSearchPosition(position, config.epochs));
  return position;
}

function parseManifest(json: Json): Omit<RnnSearchCheckpoint, 'tensors'> {
  if (json.format !== RNN_SEARCH_CHECKPOINT_FORMAT) {
    throw rnnSearchCheckpointError(
      `the manifest's format is ${JSON.stringify(json.format)}, expected "${RNN_SEARCH_CHECKPOINT_FORMAT}"`,
    );
  }
  if (json.version !== RNN_SEARCH_CHECKPOINT_VERSION) {
    throw rnnSearchCheckpointError(
      `unsupported version ${JSON.stringify(json.version)}; this build reads version ${RNN_SEARCH_CHECKPOINT_VERSION}`,
    );
  }
  const keys = ['format', 'version', 'config', 'ntoken', 'position', 'alphaOptimizerStep', 'rng'];
  exactKeys(json, Object.hasOwn(json, 'host') ? [...keys, 'host'] : keys, 'the manifest');
  const config = parseConfig(json.config);
  return {
    config,
    ntoken: count(json.ntoken, 'ntoken', 1),
    position: parsePosition(json.position, config),
    alphaOptimizerStep: count(json.alphaOptimizerStep, 'alphaOptimizerStep'),
    rng: named(() => parseRng(json.rng, 'rng')),
    ...(Object.hasOwn(json, 'host') ? { host: named(() => parseHost(json.host)) } : {}),
  };
}

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** The tensors' names and shapes a checkpoint of this manifest must hold, in file order. */
function expectedSlots(m: Omit<RnnSearchCheckpoint, 'tensors'>): [string, number[]][] {
  const state = createRnnSearchState(m.config, m.ntoken);
  try {
    const slots = stateTensors(state).map(([n, t]) => [n, [...t.shape]] as [string, number[]]);
    if (m.position.row > 0) {
      // The hidden states' batch is the train batch for both texts (batchify in batchSize columns).
      const shape = [m.config.batchSize, m.config.nhid];
      slots.push(['hidden.train', shape], ['hidden.alpha', shape]);
    }
    return slots;
  } finally {
    disposeRnnSearchState(state);
  }
}

function matchSlots(slots: readonly [string, number[]][], tensors: readonly StoredTensor[]): void {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  for (const [name, shape] of slots) {
    const saved = byName.get(name);
    if (!saved) {
      throw rnnSearchCheckpointError(
        `the file has no tensor "${name}", which the search of its configuration and position needs`,
      );
    }
    if (shapeText(saved.shape) !== shapeText(shape)) {
      throw rnnSearchCheckpointError(
        `tensor "${name}" has shape ${shapeText(saved.shape)} in the file; the search needs ${shapeText(shape)}`,
      );
    }
  }
  const expected = new Set(slots.map(([n]) => n));
  const extra = tensors.find((t) => !expected.has(t.name));
  if (extra) {
    throw rnnSearchCheckpointError(
      `the file holds tensor "${extra.name}", which the search does not have`,
    );
  }
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
  const container = named(() => decodeContainer(bytes, maxBytes));
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
    const s = saved.get(name) as StoredTensor;
    tf.tidy(() => (t as tf.Variable).assign(tf.tensor(s.values, [...s.shape], 'float32')));
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
