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
import type { Json } from '../io/manifestFields';
import { imageShapeToJson, ManifestReader } from '../io/manifestFields';

const TRAINED_MODEL_FORMAT = 'nas-lab.trained-model';
const TRAINED_MODEL_VERSION = 1;
/** The search checkpoint's format name (searchCheckpointManifest.ts), recognised to name it. */
const SEARCH_CHECKPOINT_FORMAT = 'nas-lab.search-checkpoint';
const CONFIG_KEYS = Object.keys(PAPER_RETRAIN_CONFIG) as (keyof RetrainConfig)[];
const F = new ManifestReader('trained model');

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
  return F.error(message);
}

/** The fields a network is built from: genotype, configuration, data (retrain checkpoints too). */
export type NetworkFields = Pick<TrainedModelManifest, 'genotype' | 'config' | 'data'>;

/** The network's fields as a manifest's JSON holds them (also written by retrain checkpoints). */
export function networkFieldsToJson(m: NetworkFields): Json {
  return {
    genotype: genotypeToJson(m.genotype),
    config: Object.fromEntries(CONFIG_KEYS.map((key) => [key, m.config[key]])),
    data: imageShapeToJson(m.data),
  };
}

export function trainedModelManifestToJson(m: TrainedModelManifest): Record<string, unknown> {
  return {
    format: TRAINED_MODEL_FORMAT,
    version: TRAINED_MODEL_VERSION,
    ...networkFieldsToJson(m),
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

function checkFormat(json: Json): void {
  if (json.format === SEARCH_CHECKPOINT_FORMAT) {
    throw F.error(
      `this file is a NAS Lab search checkpoint ("${SEARCH_CHECKPOINT_FORMAT}"), not a trained model`,
    );
  }
  F.formatAndVersion(json, TRAINED_MODEL_FORMAT, TRAINED_MODEL_VERSION, 'trained-model version');
}

/** Also read by retrain checkpoints (retrainCheckpointManifest.ts). */
export function parseConfig(value: unknown): RetrainConfig {
  const o = F.record(value, 'config', CONFIG_KEYS);
  for (const key of CONFIG_KEYS) {
    const expected = typeof PAPER_RETRAIN_CONFIG[key];
    if (typeof o[key] !== expected) {
      throw F.error(`config.${key} must be a ${expected}, got ${JSON.stringify(o[key])}`);
    }
  }
  return F.within(() => validateRetrainConfig(o as unknown as RetrainConfig), 'config');
}

function numberList(value: unknown, at: string, length: number, positive: boolean): number[] {
  if (!Array.isArray(value) || value.length !== length) {
    throw F.error(`${at} must be a list of ${length} numbers, one per image channel`);
  }
  return value.map((v: unknown, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || (positive && v <= 0)) {
      const what = positive ? 'a positive number' : 'a finite number';
      throw F.error(`${at}[${i}] must be ${what}, got ${JSON.stringify(v)}`);
    }
    return v;
  });
}

function parseNormalization(value: unknown, channels: number): Normalization | null {
  if (value === null) return null;
  const o = F.record(value, 'normalization', ['mean', 'std']);
  return {
    mean: numberList(o.mean, 'normalization.mean', channels, false),
    std: numberList(o.std, 'normalization.std', channels, true),
  };
}

/** Also read by retrain checkpoints (retrainCheckpointManifest.ts). */
export function parseTraining(value: unknown, config: RetrainConfig): TrainingSummary {
  const o = F.record(value, 'training', ['epochs', 'testLoss', 'testAccuracy']);
  return {
    epochs: F.integer(o.epochs, 'training.epochs', 0, config.epochs),
    testLoss: F.number(o.testLoss, 'training.testLoss', 0),
    testAccuracy: F.number(o.testAccuracy, 'training.testAccuracy', 0, 1),
  };
}

/** Also read by retrain checkpoints (retrainCheckpointManifest.ts). */
export function parseGenotypeField(value: unknown): Genotype {
  return F.within(() => genotypeFromJson(value));
}

/** Also read by retrain checkpoints (retrainCheckpointManifest.ts). */
export function parseData(value: unknown): DataShape {
  return F.imageShape(value, 2);
}

/** Checks every manifest field but the tensor table; errors name the field. */
export function parseTrainedModelManifest(json: Readonly<Json>): TrainedModelManifest {
  const o = F.object(json, 'the manifest');
  checkFormat(o);
  F.exactKeys(
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
