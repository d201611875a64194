/**
 * The JSON manifest of a search checkpoint, apart from its tensor table (checkpointFormat.ts):
 * the configuration, the data shape, the loop position, the Adam step count, the random states
 * and the genotype history, written and read back with every field checked.
 */
import { CHECKPOINT_VERSION, decodeManifestOnly } from '../io/checkpointFormat';
import type { HostSettings, Json } from '../io/manifestFields';
import { imageShapeToJson, ManifestReader, RNG_NAME, rngsToJson } from '../io/manifestFields';
import type { Genotype } from '../genotype/genotype';
import { concatRange, genotypeFromJson, genotypeToJson } from '../genotype/genotype';
import type { GenotypeChange, GenotypeHistory } from '../genotype/genotypeHistory';
import type { RngSnapshot } from '../tensor/random';
import type { CollapseRecord } from '../collapse/collapseMonitor';
import { COLLAPSE_KEY, collapseFromJson, collapseToJson } from '../collapse/collapseManifest';
import type { SearchConfig } from './searchConfig';
import { PAPER_SEARCH_CONFIG, validateSearchConfig } from './searchConfig';
import type { EpochPosition, SearchPosition } from './searchPosition';
import { checkSearchPosition } from './searchPosition';
import type { DataShape } from './searchState';

const CHECKPOINT_FORMAT = 'nas-lab.search-checkpoint';
/** The name of the SearchState's own random source among a checkpoint's random states. */
export const SEARCH_RNG = 'search';
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
  /** The collapse monitor's series and fired rule (src/nas/collapse/); absent in older files. */
  readonly collapse?: CollapseRecord;
}

export type { HostSettings };

export function manifestToJson(m: CheckpointManifest): Record<string, unknown> {
  const { order, ...position } = m.position;
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    config: Object.fromEntries(CONFIG_KEYS.map((key) => [key, m.config[key]])),
    data: imageShapeToJson(m.data),
    position: { ...position, order: order === null ? null : Array.from(order) },
    alphaOptimizer: { step: m.alphaOptimizerStep },
    rngs: rngsToJson(m.rngs),
    genotypeHistory: m.genotypeHistory.map((c) => ({
      step: c.step,
      genotype: genotypeToJson(c.genotype),
    })),
    ...(m.host ? { host: { ...m.host } } : {}),
    ...(m.collapse ? { [COLLAPSE_KEY]: collapseToJson(m.collapse) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading

const F = new ManifestReader('search checkpoint');

function parseConfig(value: unknown): SearchConfig {
  const o = F.record(value, 'config', CONFIG_KEYS);
  for (const key of CONFIG_KEYS) {
    if (key === 'primitives') continue;
    if (typeof o[key] !== 'number') {
      throw F.error(`config.${key} must be a number, got ${JSON.stringify(o[key])}`);
    }
  }
  if (!Array.isArray(o.primitives) || !o.primitives.every((p) => typeof p === 'string')) {
    throw F.error('config.primitives must be a list of op names');
  }
  return F.within(() => validateSearchConfig(o as unknown as SearchConfig), 'config');
}

/** The fields every epoch-by-epoch position holds (search and retrain checkpoints alike). */
export const EPOCH_POSITION_KEYS = [
  'epoch',
  'stepInEpoch',
  'step',
  'trainCount',
  'elapsedMs',
  'order',
] as const;

/** Reads those fields of a position object with a file kind's reader. */
export function readEpochPosition(reader: ManifestReader, o: Json): EpochPosition {
  if (typeof o.elapsedMs !== 'number') throw reader.error('position.elapsedMs must be a number');
  return {
    epoch: reader.integer(o.epoch, 'position.epoch'),
    stepInEpoch: reader.integer(o.stepInEpoch, 'position.stepInEpoch'),
    step: reader.integer(o.step, 'position.step'),
    trainCount: reader.integer(o.trainCount, 'position.trainCount', 1),
    elapsedMs: o.elapsedMs,
    order: reader.order(o.order, 'position.order'),
  };
}

function parsePosition(value: unknown, config: SearchConfig): SearchPosition {
  const o = F.record(value, 'position', [...EPOCH_POSITION_KEYS, 'valCount']);
  const position: SearchPosition = {
    ...readEpochPosition(F, o),
    valCount: F.integer(o.valCount, 'position.valCount', 1),
  };
  F.within(() => checkSearchPosition(position, config.epochs, config.batchSize));
  return position;
}

/** Genotypes a search of `config` can derive: its node count, concat and op set. */
function checkGenotypeFits(g: Genotype, config: SearchConfig, at: string): void {
  const concat = concatRange(config.nodes, config.multiplier).join(',');
  for (const [cell, genes, cellConcat] of [
    ['normal', g.normal, g.normalConcat],
    ['reduce', g.reduce, g.reduceConcat],
  ] as const) {
    if (genes.length !== 2 * config.nodes || cellConcat.join(',') !== concat) {
      throw F.error(
        `${at}: the ${cell} cell does not have the ${config.nodes} nodes of the configuration`,
      );
    }
    const foreign = genes.find(([op]) => !config.primitives.includes(op) || op === 'none');
    if (foreign) {
      throw F.error(`${at}: op "${foreign[0]}" is not a candidate of the configuration`);
    }
  }
}

function parseHistory(value: unknown, config: SearchConfig, lastStep: number): GenotypeHistory {
  if (!Array.isArray(value)) throw F.error('genotypeHistory must be a list');
  const out: GenotypeChange[] = [];
  value.forEach((entry: unknown, i) => {
    const at = `genotypeHistory[${i}]`;
    const o = F.record(entry, at, ['step', 'genotype']);
    const step = F.integer(o.step, `${at}.step`);
    const previous = out.at(-1);
    if ((previous && step <= previous.step) || step > lastStep) {
      throw F.error(
        `${at}.step = ${step} must exceed the entry before and not exceed the position's step ${lastStep}`,
      );
    }
    const genotype = F.within(() => genotypeFromJson(o.genotype), at);
    checkGenotypeFits(genotype, config, at);
    out.push({ step, genotype });
  });
  return out;
}

/** Checks every manifest field but the tensor table; errors name the field. */
export function parseManifest(json: Readonly<Record<string, unknown>>): CheckpointManifest {
  const head = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION };
  const keys = ['config', 'data', 'position', 'alphaOptimizer', 'rngs', 'genotypeHistory'];
  F.manifestKeys(json, head, keys, ['host', COLLAPSE_KEY]);
  const config = parseConfig(json.config);
  const position = parsePosition(json.position, config);
  const alphaOptimizer = F.record(json.alphaOptimizer, 'alphaOptimizer', ['step']);
  return {
    config,
    data: F.imageShape(json.data, 1),
    position,
    alphaOptimizerStep: F.integer(alphaOptimizer.step, 'alphaOptimizer.step'),
    rngs: F.rngs(json.rngs, 'rngs', RNG_NAME, SEARCH_RNG),
    genotypeHistory: parseHistory(json.genotypeHistory, config, position.step),
    ...(Object.hasOwn(json, 'host') ? { host: F.host(json.host) } : {}),
    ...(Object.hasOwn(json, COLLAPSE_KEY)
      ? { collapse: collapseFromJson(F, json[COLLAPSE_KEY], position.step) }
      : {}),
  };
}

/**
 * What a search checkpoint file says about itself (settings, position, genotype history),
 * checked, without reading its tensors. tfjs-free, so the page may call it.
 */
export function peekSearchCheckpoint(bytes: Uint8Array): CheckpointManifest {
  return parseManifest(decodeManifestOnly(bytes));
}
