/**
 * The lab configuration in the URL's query string, so that a link reproduces the setup. Only
 * settings that differ from the default preset are written; reading validates every value and
 * ignores (and reports) the ones it cannot use.
 */
import { DARTS_PRIMITIVES, isOpName } from '../nas/primitives';
import type { SearchConfig } from '../nas/searchConfig';
import type { LabConfig } from '../worker/protocol';
import { DEFAULT_PRESET, PRESETS } from './labPresets';

type NumericSearchKey = {
  [K in keyof SearchConfig]: SearchConfig[K] extends number ? K : never;
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
  return q.toString();
}

export function configFromQuery(
  query: string,
  base: LabConfig = PRESETS[DEFAULT_PRESET],
): ParsedUrlState {
  const q = new URLSearchParams(query);
  const ignored: string[] = [];
  const search: Record<string, unknown> = { ...base.search };
  for (const key of SEARCH_NUMBERS) {
    const raw = q.get(key);
    if (raw === null) continue;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) ignored.push(`${key}=${raw} (not a number)`);
    else search[key] = n;
  }
  const ops = q.get('ops');
  if (ops !== null) {
    const names = ops.split(',').filter((s) => s !== '');
    const unknown = names.filter((n) => !isOpName(n));
    if (unknown.length > 0 || names.length === 0)
      ignored.push(`ops=${ops} (unknown op ${unknown.join(', ')})`);
    else search.primitives = names;
  }
  if (search.nodes !== base.search.nodes) search.multiplier = search.nodes;
  const data = { ...base.data };
  const dataset = q.get('dataset');
  if (dataset === 'default' || dataset === 'synthetic') data.dataset = dataset;
  else if (dataset !== null) ignored.push(`dataset=${dataset} (use default or synthetic)`);
  for (const key of ['images', 'imageSize'] as const) {
    const raw = q.get(key);
    if (raw === null) continue;
    const n = Number(raw);
    if (!Number.isInteger(n)) ignored.push(`${key}=${raw} (not an integer)`);
    else data[key] = n as never;
  }
  let backend = base.backend;
  const b = q.get('backend');
  if (b === 'auto' || b === 'webgpu' || b === 'webgl' || b === 'cpu') backend = b;
  else if (b !== null) ignored.push(`backend=${b} (use auto, webgpu, webgl or cpu)`);
  return { config: { search: search as unknown as SearchConfig, data, backend }, ignored };
}

export const ALL_OPS = DARTS_PRIMITIVES;
