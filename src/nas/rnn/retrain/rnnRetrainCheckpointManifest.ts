/**
 * The manifest of a recurrent retrain checkpoint (rnnRetrainCheckpoint.ts): its JSON form and
 * the parser that checks every field, apart from the tensors, so that a file is refused with an
 * error naming the field before any tensor is made. Errors start with "invalid recurrent retrain
 * checkpoint:"; a file of another NAS Lab kind is refused by that kind's name.
 */
import type { HostSettings, Json } from '../../io/manifestFields';
import { ManifestReader } from '../../io/manifestFields';
import type { RngSnapshot } from '../../tensor/random';
import type { RnnGenotype } from '../genotype/rnnGenotype';
import { rnnGenotypeFromJson, rnnGenotypeToJson } from '../genotype/rnnGenotype';
import { readRnnConfig } from '../run/rnnRunCheckpoint';
import { RNN_SEARCH_CHECKPOINT_FORMAT } from '../search/rnnSearchCheckpoint';
import type { RnnRetrainConfig } from './rnnRetrainConfig';
import { checkRnnRetrainConfig, PAPER_RNN_RETRAIN_CONFIG } from './rnnRetrainConfig';
import type { AsgdCounters, RnnRetrainBest, RnnRetrainPosition } from './rnnRetrainPosition';
import { checkRnnRetrainPosition, checkRnnRetrainProgress } from './rnnRetrainPosition';

export const RNN_RETRAIN_CHECKPOINT_FORMAT = 'nas-lab.rnn-retrain-checkpoint';
const RNN_RETRAIN_CHECKPOINT_VERSION = 1;

/** The container's other kinds, named when one is given where a recurrent retrain is expected. */
const OTHER_KINDS: Readonly<Record<string, string>> = {
  'nas-lab.search-checkpoint': 'search checkpoint',
  'nas-lab.retrain-checkpoint': 'retrain checkpoint',
  'nas-lab.trained-model': 'trained model',
  'nas-lab.cdarts-checkpoint': 'CDARTS checkpoint',
  [RNN_SEARCH_CHECKPOINT_FORMAT]: 'recurrent search checkpoint',
};

/** The readers of the manifest's fields, their errors this kind's. */
const F = new ManifestReader('recurrent retrain checkpoint');

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
function rnnRetrainCheckpointError(message: string): Error {
  return F.error(message);
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

/** A whole number of at least `min`; anything but a finite number is refused as a number. */
const count = (value: unknown, at: string, min = 0): number =>
  F.integer(F.number(value, at), at, min);

/** Runs a check or shared parser; its error names this file's kind instead of its own. */
export function named<T>(read: () => T, at = ''): T {
  try {
    return read();
  } catch (e) {
    const message = (e as Error).message.replace(
      /^invalid (search checkpoint|recurrent retrain checkpoint|recurrent genotype): /,
      '',
    );
    throw rnnRetrainCheckpointError(at ? `${at}: ${message}` : message);
  }
}

function parseConfig(value: unknown): RnnRetrainConfig {
  const config = readRnnConfig(F, value, PAPER_RNN_RETRAIN_CONFIG);
  named(() => checkRnnRetrainConfig(config), 'config');
  return config;
}

function parseBest(value: unknown): RnnRetrainBest | null {
  if (value === null) return null;
  const o = F.record(value, 'position.best', BEST_KEYS);
  return {
    epoch: count(o.epoch, 'position.best.epoch'),
    valLoss: F.number(o.valLoss, 'position.best.valLoss'),
    testLoss: F.number(o.testLoss, 'position.best.testLoss'),
  };
}

function parsePosition(value: unknown, config: RnnRetrainConfig): RnnRetrainPosition {
  const o = F.record(value, 'position', [...POSITION_NUMBERS, 'best']);
  const numbers = Object.fromEntries(
    POSITION_NUMBERS.map((k) => [k, F.number(o[k], `position.${k}`)]),
  ) as Record<(typeof POSITION_NUMBERS)[number], number>;
  const position: RnnRetrainPosition = { ...numbers, best: parseBest(o.best) };
  named(() => checkRnnRetrainPosition(position, config.epochs));
  return position;
}

function parseHistory(value: unknown): number[] {
  if (!Array.isArray(value)) {
    throw rnnRetrainCheckpointError('valHistory must be a list of validation losses');
  }
  return value.map((v: unknown, i) => F.number(v, `valHistory[${i}]`));
}

function parseAsgd(value: unknown): AsgdCounters | null {
  if (value === null) return null;
  const o = F.record(value, 'asgd', ASGD_KEYS);
  return {
    step: count(o.step, 'asgd.step'),
    eta: o.eta === null ? null : F.number(o.eta, 'asgd.eta'),
    mu: F.number(o.mu, 'asgd.mu'),
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
  F.exactKeys(json, MANIFEST_KEYS, 'the manifest', ['host']);
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
    rng: F.rng(json.rng, 'rng'),
    ...(hasHost ? { host: F.host(json.host) } : {}),
  };
}
