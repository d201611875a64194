/**
 * The manifest of a recurrent retrain checkpoint (rnnRetrainCheckpoint.ts): its JSON form and
 * the parser that checks every field, apart from the tensors, so that a file is refused with an
 * error naming the field before any tensor is made. Errors start with "invalid recurrent retrain
 * checkpoint:"; a file of another NAS Lab kind is refused by that kind's name.
 */
import { CDARTS_CHECKPOINT_FORMAT } from '../../cdarts/cdartsCheckpoint';
import type { HostSettings } from '../../darts/searchCheckpointManifest';
import { CHECKPOINT_FORMAT, parseHost, parseRng } from '../../darts/searchCheckpointManifest';
import { RETRAIN_CHECKPOINT_FORMAT } from '../../retrain/retrainCheckpointManifest';
import { TRAINED_MODEL_FORMAT } from '../../retrain/trainedModelManifest';
import type { RngSnapshot } from '../../tensor/random';
import type { RnnGenotype } from '../genotype/rnnGenotype';
import { rnnGenotypeFromJson, rnnGenotypeToJson } from '../genotype/rnnGenotype';
import { RNN_SEARCH_CHECKPOINT_FORMAT } from '../search/rnnSearchCheckpoint';
import type { RnnRetrainConfig } from './rnnRetrainConfig';
import { checkRnnRetrainConfig, PAPER_RNN_RETRAIN_CONFIG } from './rnnRetrainConfig';
import type { AsgdCounters, RnnRetrainBest, RnnRetrainPosition } from './rnnRetrainPosition';
import { checkRnnRetrainPosition, checkRnnRetrainProgress } from './rnnRetrainPosition';

export const RNN_RETRAIN_CHECKPOINT_FORMAT = 'nas-lab.rnn-retrain-checkpoint';
export const RNN_RETRAIN_CHECKPOINT_VERSION = 1;

/** The container's other kinds, named when one is given where a recurrent retrain is expected. */
const OTHER_KINDS: Readonly<Record<string, string>> = {
  [CHECKPOINT_FORMAT]: 'search checkpoint',
  [RETRAIN_CHECKPOINT_FORMAT]: 'retrain checkpoint',
  [TRAINED_MODEL_FORMAT]: 'trained model',
  [CDARTS_CHECKPOINT_FORMAT]: 'CDARTS checkpoint',
  [RNN_SEARCH_CHECKPOINT_FORMAT]: 'recurrent search checkpoint',
};

const CONFIG_KEYS = Object.keys(PAPER_RNN_RETRAIN_CONFIG) as (keyof RnnRetrainConfig)[];
const DROPOUT_KEYS = Object.keys(PAPER_RNN_RETRAIN_CONFIG.dropout);
const POSITION_NUMBERS = [
  'epoch',
  'row',
  'step',
  'tokens',
  'trainRows',
  'validRows',
  'testRows',
  'elapsedMs',
] as const;
const BEST_KEYS = ['epoch', 'valLoss', 'testLoss'] as const;
const ASGD_KEYS = ['step', 'eta', 'mu'] as const;
const MANIFEST_KEYS = [
  'format',
  'version',
  'config',
  'genotype',
  'ntoken',
  'position',
  'valHistory',
  'asgd',
  'rng',
];

/** Everything a recurrent retrain checkpoint holds but its tensors. */
export interface RnnRetrainCheckpointManifest {
  readonly config: RnnRetrainConfig;
  readonly genotype: RnnGenotype;
  readonly ntoken: number;
  readonly position: RnnRetrainPosition;
  /** The switch rule's validation losses, one per SGD epoch (train.py's best_val_loss). */
  readonly valHistory: readonly number[];
  /** The averaged SGD's step, η and μ once the switch fired; null before. */
  readonly asgd: AsgdCounters | null;
  readonly rng: RngSnapshot;
  readonly host?: HostSettings;
}

/** Every error about a recurrent retrain checkpoint file starts with this. */
export function rnnRetrainCheckpointError(message: string): Error {
  return new Error(`invalid recurrent retrain checkpoint: ${message}`);
}

export function rnnRetrainManifestToJson(m: RnnRetrainCheckpointManifest): Record<string, unknown> {
  const { best } = m.position;
  return {
    format: RNN_RETRAIN_CHECKPOINT_FORMAT,
    version: RNN_RETRAIN_CHECKPOINT_VERSION,
    config: { ...m.config, dropout: { ...m.config.dropout } },
    genotype: rnnGenotypeToJson(m.genotype),
    ntoken: m.ntoken,
    position: { ...m.position, best: best && { ...best } },
    valHistory: [...m.valHistory],
    asgd: m.asgd && { step: m.asgd.step, eta: m.asgd.eta, mu: m.asgd.mu },
    rng: { words: [...m.rng.words], spareNormal: m.rng.spareNormal },
    ...(m.host ? { host: { ...m.host } } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading

type Json = Record<string, unknown>;

function object(value: unknown, at: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw rnnRetrainCheckpointError(`${at} must be a JSON object`);
  }
  return value as Json;
}

function exactKeys(o: Json, keys: readonly string[], at: string): void {
  for (const key of keys) {
    if (!Object.hasOwn(o, key)) throw rnnRetrainCheckpointError(`${at} has no "${key}"`);
  }
  for (const key of Object.keys(o)) {
    if (!keys.includes(key)) {
      throw rnnRetrainCheckpointError(`${at} has an unknown field "${key}"`);
    }
  }
}

function number(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw rnnRetrainCheckpointError(`${at} must be a finite number, got ${JSON.stringify(value)}`);
  }
  return value;
}

function count(value: unknown, at: string, min = 0): number {
  const v = number(value, at);
  if (!Number.isSafeInteger(v) || v < min) {
    throw rnnRetrainCheckpointError(`${at} must be an integer of at least ${min}, got ${v}`);
  }
  return v;
}

/** Runs a check or shared parser; its error names this file's kind instead of its own. */
export function named<T>(read: () => T, at = ''): T {
  try {
    return read();
  } catch (e) {
    const message = (e as Error).message.replace(
      /^invalid (search checkpoint|recurrent genotype): /,
      '',
    );
    throw rnnRetrainCheckpointError(at ? `${at}: ${message}` : message);
  }
}

function parseConfig(value: unknown): RnnRetrainConfig {
  const o = object(value, 'config');
  exactKeys(o, CONFIG_KEYS, 'config');
  const d = object(o.dropout, 'config.dropout');
  exactKeys(d, DROPOUT_KEYS, 'config.dropout');
  const dropout = Object.fromEntries(
    DROPOUT_KEYS.map((k) => [k, number(d[k], `config.dropout.${k}`)]),
  ) as unknown as RnnRetrainConfig['dropout'];
  const config = Object.fromEntries(
    CONFIG_KEYS.map((k) => [k, k === 'dropout' ? dropout : number(o[k], `config.${k}`)]),
  ) as unknown as RnnRetrainConfig;
  named(() => checkRnnRetrainConfig(config), 'config');
  return config;
}

function parseBest(value: unknown): RnnRetrainBest | null {
  if (value === null) return null;
  const o = object(value, 'position.best');
  exactKeys(o, BEST_KEYS, 'position.best');
  return {
    epoch: count(o.epoch, 'position.best.epoch'),
    valLoss: number(o.valLoss, 'position.best.valLoss'),
    testLoss: number(o.testLoss, 'position.best.testLoss'),
  };
}

function parsePosition(value: unknown, config: RnnRetrainConfig): RnnRetrainPosition {
  const o = object(value, 'position');
  exactKeys(o, [...POSITION_NUMBERS, 'best'], 'position');
  const numbers = Object.fromEntries(
    POSITION_NUMBERS.map((k) => [k, number(o[k], `position.${k}`)]),
  ) as Record<(typeof POSITION_NUMBERS)[number], number>;
  const position: RnnRetrainPosition = { ...numbers, best: parseBest(o.best) };
  named(() => checkRnnRetrainPosition(position, config.epochs));
  return position;
}

function parseHistory(value: unknown): number[] {
  if (!Array.isArray(value)) {
    throw rnnRetrainCheckpointError('valHistory must be a list of validation losses');
  }
  return value.map((v: unknown, i) => number(v, `valHistory[${i}]`));
}

function parseAsgd(value: unknown): AsgdCounters | null {
  if (value === null) return null;
  const o = object(value, 'asgd');
  exactKeys(o, ASGD_KEYS, 'asgd');
  return {
    step: count(o.step, 'asgd.step'),
    eta: o.eta === null ? null : number(o.eta, 'asgd.eta'),
    mu: number(o.mu, 'asgd.mu'),
  };
}

/** Checks every manifest field and their agreement; errors name the field. */
export function parseRnnRetrainManifest(json: Readonly<Json>): RnnRetrainCheckpointManifest {
  if (json.format !== RNN_RETRAIN_CHECKPOINT_FORMAT) {
    const kind = typeof json.format === 'string' ? OTHER_KINDS[json.format] : undefined;
    throw rnnRetrainCheckpointError(
      kind
        ? `this is a ${kind} file, not a recurrent retrain checkpoint`
        : `the manifest's format is ${JSON.stringify(json.format)}, expected "${RNN_RETRAIN_CHECKPOINT_FORMAT}"`,
    );
  }
  if (json.version !== RNN_RETRAIN_CHECKPOINT_VERSION) {
    throw rnnRetrainCheckpointError(
      `unsupported version ${JSON.stringify(json.version)}; this build reads version ${RNN_RETRAIN_CHECKPOINT_VERSION}`,
    );
  }
  const hasHost = Object.hasOwn(json, 'host');
  exactKeys(json, hasHost ? [...MANIFEST_KEYS, 'host'] : MANIFEST_KEYS, 'the manifest');
  const config = parseConfig(json.config);
  const position = parsePosition(json.position, config);
  const valHistory = parseHistory(json.valHistory);
  const asgd = parseAsgd(json.asgd);
  named(() => checkRnnRetrainProgress(position, valHistory, asgd, config.nonmono));
  return {
    config,
    genotype: named(() => rnnGenotypeFromJson(json.genotype), 'genotype'),
    ntoken: count(json.ntoken, 'ntoken', 1),
    position,
    valHistory,
    asgd,
    rng: named(() => parseRng(json.rng, 'rng')),
    ...(hasHost ? { host: named(() => parseHost(json.host)) } : {}),
  };
}
