/**
 * The lab configuration in the URL's query string, so that a link reproduces the setup. Only
 * settings that differ from the default preset are written; reading validates every value and
 * ignores (and reports) the ones it cannot use.
 */
import { DARTS_PRIMITIVES, isOpName } from '../nas/ops/primitives';
import type { SearchConfig } from '../nas/darts/searchConfig';
import { DEFAULT_LAB_CDARTS } from '../worker/labCdarts';
import type { LabCdartsSettings, LabConfig } from '../worker/protocol';
import { DEFAULT_PRESET, PRESETS } from './labPresets';
import { recurrentFromQuery, recurrentToQuery } from './recurrentUrlState';
import { recurrentSettingsOf } from '../worker/labRecurrent';

type NumericSearchKey = {
  [K in keyof SearchConfig]-?: SearchConfig[K] extends number ? K : never;
}[keyof SearchConfig];

const SEARCH_NUMBERS: readonly NumericSearchKey[] = [
  'order',
  'nodes',
  'layers',
  'channels',
  'batchSize',
  'epochs',
  'weightLr',
  'alphaLr',
  'seed',
];

/** CDARTS settings a link may carry, by their LabCdartsSettings names. */
const CDARTS_NUMBERS = [
  'evalLayers',
  'warmupEpochs',
  'evalWarmupEpochs',
  'nasnetLr',
  'lossT',
  'lossAlpha',
  'regularCoeff',
  'regularRatio',
] as const;

export interface ParsedUrlState {
  readonly config: LabConfig;
  /** Parameters that were present but unusable, with the reason. */
  readonly ignored: string[];
}

export function configToQuery(
  config: LabConfig,
  base: LabConfig = PRESETS[DEFAULT_PRESET],
): string {
  const q = new URLSearchParams();
  for (const key of SEARCH_NUMBERS) {
    if (config.search[key] !== base.search[key]) q.set(key, String(config.search[key]));
  }
  if (config.search.primitives.join(',') !== base.search.primitives.join(',')) {
    q.set('ops', config.search.primitives.join(','));
  }
  if (config.data.dataset !== base.data.dataset) q.set('dataset', config.data.dataset);
  if (config.data.images !== base.data.images) q.set('images', String(config.data.images));
  if (config.data.imageSize !== base.data.imageSize)
    q.set('imageSize', String(config.data.imageSize));
  if (config.backend !== base.backend) q.set('backend', config.backend);
  if (config.space === 'recurrent') recurrentToQuery(recurrentSettingsOf(config), q);
  if (config.algorithm === 'cdarts') {
    q.set('algorithm', 'cdarts');
    const cdarts = config.cdarts ?? DEFAULT_LAB_CDARTS;
    for (const key of CDARTS_NUMBERS) {
      if (cdarts[key] !== DEFAULT_LAB_CDARTS[key]) q.set(key, String(cdarts[key]));
    }
    if (cdarts.interactiveType !== DEFAULT_LAB_CDARTS.interactiveType) {
      q.set('interactiveType', cdarts.interactiveType);
    }
  }
  return q.toString();
}

/** The longest query string read at all; `configToQuery` writes a few hundred characters at most. */
export const MAX_QUERY_LENGTH = 4096;

/**
 * The largest value a link may set for the settings that size the work, far beyond the paper's
 * search (4 nodes, 8 cells, 16 channels, batch 64, 50 epochs, 8,000 images of 28×28): a link
 * should not make a tab try to allocate a network or a dataset of any size it names.
 */
export const LINK_MAXIMUM: Readonly<Record<string, number>> = {
  nodes: 10,
  layers: 50,
  channels: 256,
  batchSize: 1024,
  epochs: 1000,
  evalLayers: 50,
  warmupEpochs: 1000,
  evalWarmupEpochs: 1000,
  images: 60000,
  imageSize: 256,
};

/** A value as the ignored list shows it: cut at 40 characters. */
function clip(raw: string): string {
  return raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
}

const shown = (key: string, raw: string): string => `${key}=${clip(raw)}`;

/** A number from the query, or the reason it cannot be used. */
function readNumber(key: string, raw: string, integer: boolean): number | string {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) return `${shown(key, raw)} (not a number)`;
  if (integer && !Number.isInteger(n)) return `${shown(key, raw)} (not an integer)`;
  const max = LINK_MAXIMUM[key];
  if (max !== undefined && n > max) return `${shown(key, raw)} (above the link limit of ${max})`;
  return n;
}

/**
 * Reads a configuration from a query string (with or without its `?`). Never throws: settings
 * it cannot use are left at `base` and listed in `ignored` with the reason. The result may still
 * be one the lab refuses (say, order=3): the lab's validation reports that.
 */
export function configFromQuery(
  query: string,
  base: LabConfig = PRESETS[DEFAULT_PRESET],
): ParsedUrlState {
  if (query.length > MAX_QUERY_LENGTH) {
    return {
      config: base,
      ignored: [
        `all link settings (the query is ${query.length} characters, over the limit of ${MAX_QUERY_LENGTH})`,
      ],
    };
  }
  const q = new URLSearchParams(query);
  const ignored: string[] = [];
  const search: Record<string, unknown> = { ...base.search };
  for (const key of SEARCH_NUMBERS) {
    const raw = q.get(key);
    if (raw === null) continue;
    const n = readNumber(key, raw, false);
    if (typeof n === 'string') ignored.push(n);
    else search[key] = n;
  }
  const ops = q.get('ops');
  if (ops !== null) {
    const names = ops.split(',').filter((s) => s !== '');
    const unknown = names.filter((n) => !isOpName(n));
    if (names.length === 0) ignored.push(`${shown('ops', ops)} (no op named)`);
    else if (unknown.length > 0)
      ignored.push(`${shown('ops', ops)} (unknown op ${clip(unknown.join(', '))})`);
    else search.primitives = names;
  }
  if (search.nodes !== base.search.nodes) search.multiplier = search.nodes;
  const data = { ...base.data };
  const dataset = q.get('dataset');
  if (dataset === 'default' || dataset === 'synthetic') data.dataset = dataset;
  else if (dataset !== null)
    ignored.push(`${shown('dataset', dataset)} (use default or synthetic)`);
  for (const key of ['images', 'imageSize'] as const) {
    const raw = q.get(key);
    if (raw === null) continue;
    const n = readNumber(key, raw, true);
    if (typeof n === 'string') ignored.push(n);
    else data[key] = n;
  }
  let backend = base.backend;
  const b = q.get('backend');
  if (b === 'auto' || b === 'webgpu' || b === 'wasm' || b === 'webgl' || b === 'cpu') backend = b;
  else if (b !== null) {
    ignored.push(`${shown('backend', b)} (use auto, webgpu, wasm, webgl or cpu)`);
  }
  const algorithm = q.get('algorithm');
  if (algorithm !== null && algorithm !== 'darts' && algorithm !== 'cdarts') {
    ignored.push(`${shown('algorithm', algorithm)} (use darts or cdarts)`);
  }
  const config: LabConfig = {
    search: search as unknown as SearchConfig,
    data,
    backend,
    ...recurrentFromQuery(q, ignored),
  };
  if (algorithm !== 'cdarts') return { config, ignored };
  const cdarts: Record<string, unknown> = { ...DEFAULT_LAB_CDARTS };
  for (const key of CDARTS_NUMBERS) {
    const raw = q.get(key);
    if (raw === null) continue;
    const n = readNumber(key, raw, key === 'evalLayers' || key.endsWith('Epochs'));
    if (typeof n === 'string') ignored.push(n);
    else cdarts[key] = n;
  }
  const interactive = q.get('interactiveType');
  if (interactive === 'kl' || interactive === 'smoothl1') cdarts.interactiveType = interactive;
  else if (interactive !== null) {
    ignored.push(`${shown('interactiveType', interactive)} (use kl or smoothl1)`);
  }
  return {
    config: { ...config, algorithm: 'cdarts', cdarts: cdarts as unknown as LabCdartsSettings },
    ignored,
  };
}

export const ALL_OPS = DARTS_PRIMITIVES;
