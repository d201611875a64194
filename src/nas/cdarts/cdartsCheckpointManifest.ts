/**
 * The JSON manifest of a CDARTS checkpoint (cdartsCheckpoint.ts), apart from its tensor table:
 * the configuration, the data shape, the loop position (phase, both cyclic samplers' orders and
 * offsets), the Adam step count, the run's random state, the genotype the evaluation network
 * follows, the cut masks and the host's settings and random states, written and read back with
 * every field checked.
 */
import type { CdartsConfig } from './cdartsConfig';
import { NNI_CDARTS_CONFIG, validateCdartsConfig } from './cdartsConfig';
import type { CdartsPhase, CdartsPosition } from './cdartsPosition';
import { CDARTS_PHASES } from './cdartsPosition';
import type { SamplerState } from './cyclicSampler';
import type { CutMasks } from './regularizedMutator';
import type { HostSettings, Json } from '../io/manifestFields';
import { ManifestReader, rngsToJson, rngToJson } from '../io/manifestFields';
import type { Genotype } from '../genotype/genotype';
import { genotypeFromJson, genotypeToJson } from '../genotype/genotype';
import { edgeCount } from '../genotype/cellTopology';
import type { RngSnapshot } from '../tensor/random';
import type { DataShape } from '../darts/searchState';

export const CDARTS_CHECKPOINT_FORMAT = 'nas-lab.cdarts-checkpoint';
const CDARTS_CHECKPOINT_VERSION = 1;
const CONFIG_KEYS = Object.keys(NNI_CDARTS_CONFIG) as (keyof CdartsConfig)[];
const HOST_RNG_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const F = new ManifestReader('CDARTS checkpoint');

export interface CdartsCheckpointManifest {
  readonly config: CdartsConfig;
  readonly data: DataShape;
  readonly position: CdartsPosition;
  readonly alphaOptimizerStep: number;
  readonly rng: RngSnapshot;
  /** The genotype the evaluation network follows. */
  readonly evalGenotype: Genotype;
  readonly cut: CutMasks;
  /** The host's settings, flat (the lab's data settings, so that a resume rebuilds the data). */
  readonly host?: HostSettings;
  /**
   * The host's random states by name (the CLI's `augment`), so that a resumed host draws what
   * the uninterrupted one would. Optional: files without it (the lab's, older ones) still read.
   */
  readonly hostRngs?: Readonly<Record<string, RngSnapshot>>;
}

export function cdartsCheckpointError(message: string): Error {
  return F.error(message);
}

/** Runs another reader or check; its error becomes a CDARTS checkpoint's, after `at: `. */
export function withinCdartsCheckpoint<T>(read: () => T, at?: string): T {
  return F.within(read, at);
}

export function checkHostRngName(name: string): void {
  if (!HOST_RNG_NAME.test(name)) {
    throw cdartsCheckpointError(`hostRngs has a bad name ${JSON.stringify(name)}`);
  }
}

function samplerJson(s: SamplerState) {
  return { order: s.order === null ? null : Array.from(s.order), offset: s.offset };
}

export function cdartsManifestToJson(c: CdartsCheckpointManifest): Json {
  const { train, val, ...position } = c.position;
  return {
    format: CDARTS_CHECKPOINT_FORMAT,
    version: CDARTS_CHECKPOINT_VERSION,
    config: Object.fromEntries(CONFIG_KEYS.map((k) => [k, c.config[k]])),
    data: { ...c.data },
    position: { ...position, train: samplerJson(train), val: samplerJson(val) },
    alphaOptimizer: { step: c.alphaOptimizerStep },
    rng: rngToJson(c.rng),
    evalGenotype: genotypeToJson(c.evalGenotype),
    cut: c.cut,
    ...(c.host ? { host: { ...c.host } } : {}),
    ...(c.hostRngs ? { hostRngs: rngsToJson(c.hostRngs) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading

function parseSampler(value: unknown, at: string): SamplerState {
  const o = F.record(value, at, ['order', 'offset']);
  return { order: F.order(o.order, `${at}.order`), offset: F.integer(o.offset, `${at}.offset`) };
}

function parsePosition(value: unknown): CdartsPosition {
  const keys = ['epoch', 'phase', 'stepInPhase', 'step', 'train', 'val', 'elapsedMs'];
  const o = F.record(value, 'position', keys);
  if (!CDARTS_PHASES.includes(o.phase as CdartsPhase)) {
    throw F.error(`position.phase ${JSON.stringify(o.phase)} is not a phase`);
  }
  if (typeof o.elapsedMs !== 'number' || !(o.elapsedMs >= 0)) {
    throw F.error('position.elapsedMs must be a non-negative number');
  }
  return {
    epoch: F.integer(o.epoch, 'position.epoch'),
    phase: o.phase as CdartsPhase,
    stepInPhase: F.integer(o.stepInPhase, 'position.stepInPhase'),
    step: F.integer(o.step, 'position.step'),
    train: parseSampler(o.train, 'position.train'),
    val: parseSampler(o.val, 'position.val'),
    elapsedMs: o.elapsedMs,
  };
}

function parseCut(value: unknown, edges: number, ops: number): CutMasks {
  const o = F.record(value, 'cut', ['normal', 'reduce']);
  const rows = (v: unknown, at: string) => {
    const ok =
      Array.isArray(v) &&
      v.length === edges &&
      v.every(
        (r: unknown) =>
          Array.isArray(r) && r.length === ops && r.every((b: unknown) => typeof b === 'boolean'),
      );
    if (!ok) throw F.error(`${at} must be ${edges} rows of ${ops} booleans`);
    return (v as boolean[][]).map((r) => [...r]);
  };
  return { normal: rows(o.normal, 'cut.normal'), reduce: rows(o.reduce, 'cut.reduce') };
}

/** Checks every manifest field but the tensor table; errors name the field. */
export function parseCdartsManifest(m: Readonly<Json>): CdartsCheckpointManifest {
  const head = { format: CDARTS_CHECKPOINT_FORMAT, version: CDARTS_CHECKPOINT_VERSION };
  const keys = ['config', 'data', 'position', 'alphaOptimizer', 'rng', 'evalGenotype', 'cut'];
  F.manifestKeys(m, head, keys, ['host', 'hostRngs']);
  const configJson = F.record(m.config, 'config', CONFIG_KEYS);
  const config = F.within(
    () => validateCdartsConfig(configJson as unknown as CdartsConfig),
    'config',
  );
  const alphaOptimizer = F.record(m.alphaOptimizer, 'alphaOptimizer', ['step']);
  const evalGenotype = F.within(() => genotypeFromJson(m.evalGenotype), 'evalGenotype');
  return {
    config,
    data: F.imageShape(m.data, 2),
    position: parsePosition(m.position),
    alphaOptimizerStep: F.integer(alphaOptimizer.step, 'alphaOptimizer.step'),
    rng: F.rng(m.rng, 'rng'),
    evalGenotype,
    cut: parseCut(m.cut, edgeCount(config.nodes), config.primitives.length),
    ...(Object.hasOwn(m, 'host') ? { host: F.host(m.host) } : {}),
    ...(Object.hasOwn(m, 'hostRngs')
      ? { hostRngs: F.rngs(m.hostRngs, 'hostRngs', HOST_RNG_NAME) }
      : {}),
  };
}
