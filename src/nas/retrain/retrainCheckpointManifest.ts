/**
 * The JSON manifest of a retrain checkpoint (retrainCheckpoint.ts), apart from its tensor table:
 * the genotype, the retrain configuration, the data shape, the loop position (with the last
 * test result), the random states and the host's settings, written and read back with every
 * field checked. The fields a trained-model file shares are read by its parsers, the random
 * states, image order and host settings by the shared readers (io/manifestFields.ts).
 */
import type { HostSettings, Json } from '../io/manifestFields';
import { ManifestReader, RNG_NAME, rngsToJson } from '../io/manifestFields';
import type { Genotype } from '../genotype/genotype';
import type { RngSnapshot } from '../tensor/random';
import { EPOCH_POSITION_KEYS, readEpochPosition } from '../darts/searchCheckpointManifest';
import type { RetrainConfig } from './retrainConfig';
import type { RetrainPosition } from './retrainPosition';
import { checkRetrainPosition } from './retrainPosition';
import type { DataShape } from '../darts/searchState';
import {
  networkFieldsToJson,
  parseConfig as parseRetrainConfig,
  parseData as parseDataShape,
  parseGenotypeField,
  parseTraining,
} from './trainedModelManifest';

const RETRAIN_CHECKPOINT_FORMAT = 'nas-lab.retrain-checkpoint';
const RETRAIN_CHECKPOINT_VERSION = 1;
/** The name of the RetrainState's own random source among a checkpoint's random states. */
export const RETRAIN_RNG = 'retrain';
const F = new ManifestReader('retrain checkpoint');

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
  return F.error(message);
}

export function retrainManifestToJson(m: RetrainCheckpointManifest): Record<string, unknown> {
  const { order, summary, ...position } = m.position;
  return {
    format: RETRAIN_CHECKPOINT_FORMAT,
    version: RETRAIN_CHECKPOINT_VERSION,
    ...networkFieldsToJson(m),
    position: {
      ...position,
      order: order === null ? null : Array.from(order),
      summary: summary && { ...summary },
    },
    rngs: rngsToJson(m.rngs),
    ...(m.host ? { host: { ...m.host } } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading

function parsePosition(value: unknown, config: RetrainConfig): RetrainPosition {
  const o = F.record(value, 'position', [...EPOCH_POSITION_KEYS, 'testCount', 'summary']);
  const position: RetrainPosition = {
    ...readEpochPosition(F, o),
    testCount: F.integer(o.testCount, 'position.testCount', 1),
    summary: o.summary === null ? null : F.within(() => parseTraining(o.summary, config)),
  };
  F.within(() => checkRetrainPosition(position, config.epochs, config.batchSize));
  return position;
}

/** Checks every manifest field but the tensor table; errors name the field. */
export function parseRetrainManifest(json: Readonly<Json>): RetrainCheckpointManifest {
  const head = { format: RETRAIN_CHECKPOINT_FORMAT, version: RETRAIN_CHECKPOINT_VERSION };
  F.manifestKeys(json, head, ['genotype', 'config', 'data', 'position', 'rngs'], ['host']);
  const config = F.within(() => parseRetrainConfig(json.config));
  return {
    genotype: F.within(() => parseGenotypeField(json.genotype)),
    config,
    data: F.within(() => parseDataShape(json.data)),
    position: parsePosition(json.position, config),
    rngs: F.rngs(json.rngs, 'rngs', RNG_NAME, RETRAIN_RNG),
    ...(Object.hasOwn(json, 'host') ? { host: F.host(json.host) } : {}),
  };
}
