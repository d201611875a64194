/**
 * The JSON manifest of a trained-model file (format in trainedModel.ts), apart from its tensor
 * table: the genotype, the retrain configuration, the data shape, the normalisation and the
 * training summary, written and read back with every field checked.
 */
import type { Genotype } from '../genotype/genotype';
import { genotypeFromJson, genotypeToJson } from '../genotype/genotype';
import type { RetrainConfig } from './retrainConfig';
import { PAPER_RETRAIN_CONFIG, validateRetrainConfig } from './retrainConfig';
import type { DataShape } from '../darts/searchState';

export const TRAINED_MODEL_FORMAT = 'nas-lab.trained-model';
export const TRAINED_MODEL_VERSION = 1;
/** The search checkpoint's format name (searchCheckpointManifest.ts), recognised to name it. */
const SEARCH_CHECKPOINT_FORMAT = 'nas-lab.search-checkpoint';
const CONFIG_KEYS = Object.keys(PAPER_RETRAIN_CONFIG) as (keyof RetrainConfig)[];
const DATA_KEYS = ['height', 'width', 'channels', 'numClasses'] as const;

/** Per-channel statistics the images were normalised with: x = (pixel/255 − mean) / std. */
export interface Normalization {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** Where the training stopped and how the network did on the test set then. */
export interface TrainingSummary {
  /** Epochs trained (at most the configuration's). */
  readonly epochs: number;
  readonly testLoss: number;
  /** Fraction in [0, 1]. */
  readonly testAccuracy: number;
}

export interface TrainedModelManifest {
  readonly genotype: Genotype;
  readonly config: RetrainConfig;
  /** The images the network was built and trained for. */
  readonly data: DataShape;
  /** Null when the images were not normalised with known statistics (synthetic data). */
  readonly normalization: Normalization | null;
  readonly training: TrainingSummary;
}

/** Every error about a trained-model file starts with this. */
export function trainedModelError(message: string): Error {
  return new Error(`invalid trained model: ${message}`);
}

export function trainedModelManifestToJson(m: TrainedModelManifest): Record<string, unknown> {
  return {
    format: TRAINED_MODEL_FORMAT,
    version: TRAINED_MODEL_VERSION,
    genotype: genotypeToJson(m.genotype),
    config: Object.fromEntries(CONFIG_KEYS.map((key) => [key, m.config[key]])),
    data: Object.fromEntries(DATA_KEYS.map((key) => [key, m.data[key]])),
    normalization: m.normalization && {
      mean: [...m.normalization.mean],
      std: [...m.normalization.std],
    },
    training: {
      epochs: m.training.epochs,
      testLoss: m.training.testLoss,
      testAccuracy: m.training.testAccuracy,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Reading

type Json = Record<string, unknown>;

function object(value: unknown, at: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw trainedModelError(`${at} must be a JSON object`);
  }
  return value as Json;
}

function integer(value: unknown, at: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw trainedModelError(`${at} must be an integer ${range}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function finite(value: unknown, at: string, min: number, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Infinity ? `of at least ${min}` : `from ${min} to ${max}`;
    throw trainedModelError(`${at} must be a number ${range}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function exactKeys(o: Json, keys: readonly string[], at: string): void {
  for (const key of keys) {
    if (!Object.hasOwn(o, key)) throw trainedModelError(`${at} has no "${key}"`);
  }
  for (const key of Object.keys(o)) {
    if (!keys.includes(key)) throw trainedModelError(`${at} has an unknown field "${key}"`);
  }
}

function checkFormat(json: Json): void {
  if (json.format === SEARCH_CHECKPOINT_FORMAT) {
    throw trainedModelError(
      `this file is a NAS Lab search checkpoint ("${SEARCH_CHECKPOINT_FORMAT}"), not a trained model`,
    );
  }
  if (json.format !== TRAINED_MODEL_FORMAT) {
    throw trainedModelError(
      `the manifest's format is ${JSON.stringify(json.format)}, expected "${TRAINED_MODEL_FORMAT}"`,
    );
  }
  if (json.version !== TRAINED_MODEL_VERSION) {
    throw trainedModelError(
      `unsupported trained-model version ${JSON.stringify(json.version)}; this build reads version ${TRAINED_MODEL_VERSION}`,
    );
  }
}

/** Also read by retrain checkpoints (retrainCheckpointManifest.ts). */
export function parseConfig(value: unknown): RetrainConfig {
  const o = object(value, 'config');
  exactKeys(o, CONFIG_KEYS, 'config');
  for (const key of CONFIG_KEYS) {
    const expected = typeof PAPER_RETRAIN_CONFIG[key];
    if (typeof o[key] !== expected) {
      throw trainedModelError(`config.${key} must be a ${expected}, got ${JSON.stringify(o[key])}`);
    }
  }
  try {
    return validateRetrainConfig(o as unknown as RetrainConfig);
  } catch (e) {
    throw trainedModelError(`config: ${(e as Error).message}`);
  }
}

/** Also read by retrain checkpoints (retrainCheckpointManifest.ts). */
export function parseData(value: unknown): DataShape {
  const o = object(value, 'data');
  exactKeys(o, DATA_KEYS, 'data');
  return {
    height: integer(o.height, 'data.height', 1),
    width: integer(o.width, 'data.width', 1),
    channels: integer(o.channels, 'data.channels', 1),
    numClasses: integer(o.numClasses, 'data.numClasses', 2),
  };
}

function numberList(value: unknown, at: string, length: number, positive: boolean): number[] {
  if (!Array.isArray(value) || value.length !== length) {
    throw trainedModelError(`${at} must be a list of ${length} numbers, one per image channel`);
  }
  return value.map((v: unknown, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || (positive && v <= 0)) {
      const what = positive ? 'a positive number' : 'a finite number';
      throw trainedModelError(`${at}[${i}] must be ${what}, got ${JSON.stringify(v)}`);
    }
    return v;
  });
}

/** Also read by retrain checkpoints (retrainCheckpointManifest.ts). */
export function parseNormalization(value: unknown, channels: number): Normalization | null {
  if (value === null) return null;
  const o = object(value, 'normalization');
  exactKeys(o, ['mean', 'std'], 'normalization');
  return {
    mean: numberList(o.mean, 'normalization.mean', channels, false),
    std: numberList(o.std, 'normalization.std', channels, true),
  };
}

/** Also read by retrain checkpoints (retrainCheckpointManifest.ts). */
export function parseTraining(value: unknown, config: RetrainConfig): TrainingSummary {
  const o = object(value, 'training');
  exactKeys(o, ['epochs', 'testLoss', 'testAccuracy'], 'training');
  return {
    epochs: integer(o.epochs, 'training.epochs', 0, config.epochs),
    testLoss: finite(o.testLoss, 'training.testLoss', 0),
    testAccuracy: finite(o.testAccuracy, 'training.testAccuracy', 0, 1),
  };
}

/** Also read by retrain checkpoints (retrainCheckpointManifest.ts). */
export function parseGenotypeField(value: unknown): Genotype {
  try {
    return genotypeFromJson(value);
  } catch (e) {
    throw trainedModelError((e as Error).message);
  }
}

/** Checks every manifest field but the tensor table; errors name the field. */
export function parseTrainedModelManifest(json: Readonly<Json>): TrainedModelManifest {
  const o = object(json, 'the manifest');
  checkFormat(o);
  exactKeys(
    o,
    ['format', 'version', 'genotype', 'config', 'data', 'normalization', 'training'],
    'the manifest',
  );
  const config = parseConfig(o.config);
  const data = parseData(o.data);
  return {
    genotype: parseGenotypeField(o.genotype),
    config,
    data,
    normalization: parseNormalization(o.normalization, data.channels),
    training: parseTraining(o.training, config),
  };
}
