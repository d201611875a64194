/**
 * The JSON manifest of a retrain checkpoint (retrainCheckpoint.ts), apart from its tensor table:
 * the genotype, the retrain configuration, the data shape, the loop position (with the last
 * test result), the random states and the host's settings, written and read back with every
 * field checked. The fields a trained-model file shares are read by its parsers, the random
 * states, image order and host settings by the search checkpoint's.
 */
import type { HostSettings } from '../darts/searchCheckpointManifest';
import { parseHost, parseOrder, parseRng } from '../darts/searchCheckpointManifest';
import type { Genotype } from '../genotype/genotype';
import { genotypeToJson } from '../genotype/genotype';
import type { RngSnapshot } from '../tensor/random';
import type { RetrainConfig } from './retrainConfig';
import { PAPER_RETRAIN_CONFIG } from './retrainConfig';
import type { RetrainPosition } from './retrainPosition';
import { checkRetrainPosition } from './retrainPosition';
import type { DataShape } from '../darts/searchState';
import {
  parseConfig as parseRetrainConfig,
  parseData as parseDataShape,
  parseGenotypeField,
  parseTraining,
} from './trainedModelManifest';

export const RETRAIN_CHECKPOINT_FORMAT = 'nas-lab.retrain-checkpoint';
export const RETRAIN_CHECKPOINT_VERSION = 1;
/** The name of the RetrainState's own random source among a checkpoint's random states. */
export const RETRAIN_RNG = 'retrain';
const RNG_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const CONFIG_KEYS = Object.keys(PAPER_RETRAIN_CONFIG) as (keyof RetrainConfig)[];

export interface RetrainCheckpointManifest {
  readonly genotype: Genotype;
  readonly config: RetrainConfig;
  readonly data: DataShape;
  readonly position: RetrainPosition;
  /** Random states by name: `retrain` is the RetrainState's; others are the host's. */
  readonly rngs: Readonly<Record<string, RngSnapshot>>;
  /** The host's settings, flat (the lab's data settings, so that a resume rebuilds the data). */
  readonly host?: HostSettings;
}

/** Every error about a retrain checkpoint file starts with this. */
export function retrainCheckpointError(message: string): Error {
  return new Error(`invalid retrain checkpoint: ${message}`);
}

export function retrainManifestToJson(m: RetrainCheckpointManifest): Record<string, unknown> {
  const { order, summary, ...position } = m.position;
  return {
    format: RETRAIN_CHECKPOINT_FORMAT,
    version: RETRAIN_CHECKPOINT_VERSION,
    genotype: genotypeToJson(m.genotype),
    config: Object.fromEntries(CONFIG_KEYS.map((key) => [key, m.config[key]])),
    data: {
      height: m.data.height,
      width: m.data.width,
      channels: m.data.channels,
      numClasses: m.data.numClasses,
    },
    position: {
      ...position,
      order: order === null ? null : Array.from(order),
      summary: summary && { ...summary },
    },
    rngs: Object.fromEntries(
      Object.entries(m.rngs).map(([name, r]) => [
        name,
        { words: [...r.words], spareNormal: r.spareNormal },
      ]),
    ),
    ...(m.host ? { host: { ...m.host } } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading

type Json = Record<string, unknown>;

/** Runs a shared parser; its error names this file's kind instead of its own. */
function shared<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw retrainCheckpointError(
      (e as Error).message.replace(/^invalid (search checkpoint|trained model): /, ''),
    );
  }
}

function object(value: unknown, at: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw retrainCheckpointError(`${at} must be a JSON object`);
  }
  return value as Json;
}

function exactKeys(o: Json, keys: readonly string[], at: string): void {
  for (const key of keys) {
    if (!Object.hasOwn(o, key)) throw retrainCheckpointError(`${at} has no "${key}"`);
  }
  for (const key of Object.keys(o)) {
    if (!keys.includes(key)) throw retrainCheckpointError(`${at} has an unknown field "${key}"`);
  }
}

function count(value: unknown, at: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw retrainCheckpointError(
      `${at} must be an integer of at least ${min}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function parsePosition(value: unknown, config: RetrainConfig): RetrainPosition {
  const o = object(value, 'position');
  const keys = [
    'epoch',
    'stepInEpoch',
    'step',
    'trainCount',
    'testCount',
    'elapsedMs',
    'order',
    'summary',
  ];
  exactKeys(o, keys, 'position');
  if (typeof o.elapsedMs !== 'number') {
    throw retrainCheckpointError('position.elapsedMs must be a number');
  }
  const position: RetrainPosition = {
    epoch: count(o.epoch, 'position.epoch'),
    stepInEpoch: count(o.stepInEpoch, 'position.stepInEpoch'),
    step: count(o.step, 'position.step'),
    trainCount: count(o.trainCount, 'position.trainCount', 1),
    testCount: count(o.testCount, 'position.testCount', 1),
    elapsedMs: o.elapsedMs,
    order: shared(() => parseOrder(o.order)),
    summary: o.summary === null ? null : shared(() => parseTraining(o.summary, config)),
  };
  try {
    checkRetrainPosition(position, config.epochs, config.batchSize);
  } catch (e) {
    throw retrainCheckpointError((e as Error).message);
  }
  return position;
}

function parseRngs(value: unknown): Record<string, RngSnapshot> {
  const o = object(value, 'rngs');
  if (!Object.hasOwn(o, RETRAIN_RNG)) {
    throw retrainCheckpointError(`rngs has no "${RETRAIN_RNG}" state`);
  }
  return Object.fromEntries(
    Object.entries(o).map(([name, state]) => {
      if (!RNG_NAME.test(name)) {
        throw retrainCheckpointError(`rngs has a bad name ${JSON.stringify(name)}`);
      }
      return [name, shared(() => parseRng(state, `rngs.${name}`))];
    }),
  );
}

/** Checks every manifest field but the tensor table; errors name the field. */
export function parseRetrainManifest(json: Readonly<Json>): RetrainCheckpointManifest {
  if (json.format !== RETRAIN_CHECKPOINT_FORMAT) {
    throw retrainCheckpointError(
      `the manifest's format is ${JSON.stringify(json.format)}, expected "${RETRAIN_CHECKPOINT_FORMAT}"`,
    );
  }
  if (json.version !== RETRAIN_CHECKPOINT_VERSION) {
    throw retrainCheckpointError(
      `unsupported version ${JSON.stringify(json.version)}; this build reads version ${RETRAIN_CHECKPOINT_VERSION}`,
    );
  }
  const keys = ['format', 'version', 'genotype', 'config', 'data', 'position', 'rngs'];
  exactKeys(json as Json, Object.hasOwn(json, 'host') ? [...keys, 'host'] : keys, 'the manifest');
  const config = shared(() => parseRetrainConfig(json.config));
  return {
    genotype: shared(() => parseGenotypeField(json.genotype)),
    config,
    data: shared(() => parseDataShape(json.data)),
    position: parsePosition(json.position, config),
    rngs: parseRngs(json.rngs),
    ...(Object.hasOwn(json, 'host') ? { host: shared(() => parseHost(json.host)) } : {}),
  };
}
