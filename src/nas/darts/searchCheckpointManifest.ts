/**
 * The JSON manifest of a search checkpoint, apart from its tensor table (checkpointFormat.ts):
 * the configuration, the data shape, the loop position, the Adam step count, the random states
 * and the genotype history, written and read back with every field checked.
 */
import { CHECKPOINT_VERSION, checkpointError, decodeManifestOnly } from '../io/checkpointFormat';
import type { Genotype } from '../genotype/genotype';
import { concatRange, genotypeFromJson, genotypeToJson } from '../genotype/genotype';
import type { GenotypeChange, GenotypeHistory } from '../genotype/genotypeHistory';
import type { RngSnapshot } from '../tensor/random';
import type { SearchConfig } from './searchConfig';
import { PAPER_SEARCH_CONFIG, validateSearchConfig } from './searchConfig';
import type { SearchPosition } from './searchPosition';
import { checkSearchPosition } from './searchPosition';
import type { DataShape } from './searchState';

export const CHECKPOINT_FORMAT = 'nas-lab.search-checkpoint';
/** The name of the SearchState's own random source among a checkpoint's random states. */
export const SEARCH_RNG = 'search';
const RNG_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const CONFIG_KEYS = Object.keys(PAPER_SEARCH_CONFIG) as (keyof SearchConfig)[];

export interface CheckpointManifest {
  readonly config: SearchConfig;
  /** The images the network was built for. */
  readonly data: DataShape;
  readonly position: SearchPosition;
  /** Steps the alpha optimizer (Adam) has taken: its bias correction depends on them. */
  readonly alphaOptimizerStep: number;
  /** Random states by name: `search` is the SearchState's; others are the host's (augmentation). */
  readonly rngs: Readonly<Record<string, RngSnapshot>>;
  readonly genotypeHistory: GenotypeHistory;
  /**
   * The host's own settings, flat (e.g. the lab's dataset, image count and size, so that a
   * resume rebuilds the same data). Absent in files written without any.
   */
  readonly host?: HostSettings;
}

export type HostSettings = Readonly<Record<string, string | number | boolean>>;

const HOST_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const MAX_HOST_ENTRIES = 32;
const MAX_HOST_STRING = 256;

export function manifestToJson(m: CheckpointManifest): Record<string, unknown> {
  const { order, ...position } = m.position;
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    config: Object.fromEntries(CONFIG_KEYS.map((key) => [key, m.config[key]])),
    data: {
      height: m.data.height,
      width: m.data.width,
      channels: m.data.channels,
      numClasses: m.data.numClasses,
    },
    position: { ...position, order: order === null ? null : Array.from(order) },
    alphaOptimizer: { step: m.alphaOptimizerStep },
    rngs: Object.fromEntries(
      Object.entries(m.rngs).map(([name, r]) => [
        name,
        { words: [...r.words], spareNormal: r.spareNormal },
      ]),
    ),
    genotypeHistory: m.genotypeHistory.map((c) => ({
      step: c.step,
      genotype: genotypeToJson(c.genotype),
    })),
    ...(m.host ? { host: { ...m.host } } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading

type Json = Record<string, unknown>;

function object(value: unknown, at: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw checkpointError(`${at} must be a JSON object`);
  }
  return value as Json;
}

function count(value: unknown, at: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw checkpointError(
      `${at} must be an integer of at least ${min}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function exactKeys(o: Json, keys: readonly string[], at: string): void {
  for (const key of keys) {
    if (!(key in o)) throw checkpointError(`${at} has no "${key}"`);
  }
  for (const key of Object.keys(o)) {
    if (!keys.includes(key)) throw checkpointError(`${at} has an unknown field "${key}"`);
  }
}

function parseConfig(value: unknown): SearchConfig {
  const o = object(value, 'config');
  exactKeys(o, CONFIG_KEYS, 'config');
  for (const key of CONFIG_KEYS) {
    if (key === 'primitives') continue;
    if (typeof o[key] !== 'number') {
      throw checkpointError(`config.${key} must be a number, got ${JSON.stringify(o[key])}`);
    }
  }
  if (!Array.isArray(o.primitives) || !o.primitives.every((p) => typeof p === 'string')) {
    throw checkpointError('config.primitives must be a list of op names');
  }
  try {
    return validateSearchConfig(o as unknown as SearchConfig);
  } catch (e) {
    throw checkpointError(`config: ${(e as Error).message}`);
  }
}

function parseData(value: unknown): DataShape {
  const o = object(value, 'data');
  exactKeys(o, ['height', 'width', 'channels', 'numClasses'], 'data');
  return {
    height: count(o.height, 'data.height', 1),
    width: count(o.width, 'data.width', 1),
    channels: count(o.channels, 'data.channels', 1),
    numClasses: count(o.numClasses, 'data.numClasses', 1),
  };
}

/** Also read by retrain checkpoints (retrainCheckpointManifest.ts). */
export function parseOrder(value: unknown): Int32Array | null {
  if (value === null) return null;
  if (!Array.isArray(value)) throw checkpointError('position.order must be a list or null');
  const order = new Int32Array(value.length);
  value.forEach((v: unknown, i) => {
    order[i] = count(v, `position.order[${i}]`, 0);
  });
  return order;
}

function parsePosition(value: unknown, config: SearchConfig): SearchPosition {
  const o = object(value, 'position');
  const keys = ['epoch', 'stepInEpoch', 'step', 'trainCount', 'valCount', 'elapsedMs', 'order'];
  exactKeys(o, keys, 'position');
  if (typeof o.elapsedMs !== 'number') throw checkpointError('position.elapsedMs must be a number');
  const position: SearchPosition = {
    epoch: count(o.epoch, 'position.epoch'),
    stepInEpoch: count(o.stepInEpoch, 'position.stepInEpoch'),
    step: count(o.step, 'position.step'),
    trainCount: count(o.trainCount, 'position.trainCount', 1),
    valCount: count(o.valCount, 'position.valCount', 1),
    elapsedMs: o.elapsedMs,
    order: parseOrder(o.order),
  };
  try {
    checkSearchPosition(position, config.epochs, config.batchSize);
  } catch (e) {
    throw checkpointError((e as Error).message);
  }
  return position;
}

/** Also read by retrain checkpoints (retrainCheckpointManifest.ts). */
export function parseRng(value: unknown, at: string): RngSnapshot {
  const o = object(value, at);
  exactKeys(o, ['words', 'spareNormal'], at);
  if (!Array.isArray(o.words) || o.words.length !== 4) {
    throw checkpointError(`${at}.words must be a list of four 32-bit words`);
  }
  const words = o.words.map((w: unknown, i) => {
    const v = count(w, `${at}.words[${i}]`);
    if (v > 0xffffffff) throw checkpointError(`${at}.words[${i}] = ${v} exceeds 32 bits`);
    return v;
  });
  const spare = o.spareNormal;
  if (spare !== null && !(typeof spare === 'number' && Number.isFinite(spare))) {
    throw checkpointError(`${at}.spareNormal must be a finite number or null`);
  }
  return { words: words as [number, number, number, number], spareNormal: spare };
}

function parseRngs(value: unknown): Record<string, RngSnapshot> {
  const o = object(value, 'rngs');
  if (!(SEARCH_RNG in o)) throw checkpointError(`rngs has no "${SEARCH_RNG}" state`);
  return Object.fromEntries(
    Object.entries(o).map(([name, state]) => {
      if (!RNG_NAME.test(name)) {
        throw checkpointError(`rngs has a bad name ${JSON.stringify(name)}`);
      }
      return [name, parseRng(state, `rngs.${name}`)];
    }),
  );
}

/** Genotypes a search of `config` can derive: its node count, concat and op set. */
function checkGenotypeFits(g: Genotype, config: SearchConfig, at: string): void {
  const concat = concatRange(config.nodes, config.multiplier).join(',');
  for (const [cell, genes, cellConcat] of [
    ['normal', g.normal, g.normalConcat],
    ['reduce', g.reduce, g.reduceConcat],
  ] as const) {
    if (genes.length !== 2 * config.nodes || cellConcat.join(',') !== concat) {
      throw checkpointError(
        `${at}: the ${cell} cell does not have the ${config.nodes} nodes of the configuration`,
      );
    }
    const foreign = genes.find(([op]) => !config.primitives.includes(op) || op === 'none');
    if (foreign) {
      throw checkpointError(`${at}: op "${foreign[0]}" is not a candidate of the configuration`);
    }
  }
}

function parseHistory(value: unknown, config: SearchConfig, lastStep: number): GenotypeHistory {
  if (!Array.isArray(value)) throw checkpointError('genotypeHistory must be a list');
  const out: GenotypeChange[] = [];
  value.forEach((entry: unknown, i) => {
    const at = `genotypeHistory[${i}]`;
    const o = object(entry, at);
    exactKeys(o, ['step', 'genotype'], at);
    const step = count(o.step, `${at}.step`);
    const previous = out.at(-1);
    if ((previous && step <= previous.step) || step > lastStep) {
      throw checkpointError(
        `${at}.step = ${step} must exceed the entry before and not exceed the position's step ${lastStep}`,
      );
    }
    let genotype: Genotype;
    try {
      genotype = genotypeFromJson(o.genotype);
    } catch (e) {
      throw checkpointError(`${at}: ${(e as Error).message}`);
    }
    checkGenotypeFits(genotype, config, at);
    out.push({ step, genotype });
  });
  return out;
}

/** Also read by retrain checkpoints (retrainCheckpointManifest.ts). */
export function parseHost(value: unknown): HostSettings {
  const o = object(value, 'host');
  const entries = Object.entries(o);
  if (entries.length > MAX_HOST_ENTRIES) {
    throw checkpointError(`host holds ${entries.length} settings, at most ${MAX_HOST_ENTRIES}`);
  }
  for (const [key, v] of entries) {
    if (!HOST_KEY.test(key))
      throw checkpointError(`host has a bad setting name ${JSON.stringify(key)}`);
    const ok =
      typeof v === 'boolean' ||
      (typeof v === 'number' && Number.isFinite(v)) ||
      (typeof v === 'string' && v.length <= MAX_HOST_STRING);
    if (!ok) {
      throw checkpointError(
        `host.${key} must be a finite number, a boolean or a string of at most ${MAX_HOST_STRING} characters`,
      );
    }
  }
  return o as HostSettings;
}

/** Checks every manifest field but the tensor table; errors name the field. */
export function parseManifest(json: Readonly<Record<string, unknown>>): CheckpointManifest {
  if (json.format !== CHECKPOINT_FORMAT) {
    throw checkpointError(
      `the manifest's format is ${JSON.stringify(json.format)}, expected "${CHECKPOINT_FORMAT}"`,
    );
  }
  if (json.version !== CHECKPOINT_VERSION) {
    throw checkpointError(
      `the manifest's version ${JSON.stringify(json.version)} differs from the header's ${CHECKPOINT_VERSION}`,
    );
  }
  const keys = [
    'format',
    'version',
    'config',
    'data',
    'position',
    'alphaOptimizer',
    'rngs',
    'genotypeHistory',
  ];
  exactKeys(json as Json, 'host' in json ? [...keys, 'host'] : keys, 'the manifest');
  const config = parseConfig(json.config);
  const position = parsePosition(json.position, config);
  const alphaOptimizer = object(json.alphaOptimizer, 'alphaOptimizer');
  exactKeys(alphaOptimizer, ['step'], 'alphaOptimizer');
  return {
    config,
    data: parseData(json.data),
    position,
    alphaOptimizerStep: count(alphaOptimizer.step, 'alphaOptimizer.step'),
    rngs: parseRngs(json.rngs),
    genotypeHistory: parseHistory(json.genotypeHistory, config, position.step),
    ...('host' in json ? { host: parseHost(json.host) } : {}),
  };
}

/**
 * What a search checkpoint file says about itself (settings, position, genotype history),
 * checked, without reading its tensors. tfjs-free, so the page may call it.
 */
export function peekSearchCheckpoint(bytes: Uint8Array): CheckpointManifest {
  return parseManifest(decodeManifestOnly(bytes));
}
