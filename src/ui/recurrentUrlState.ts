/**
 * The recurrent search's settings in the URL's query string: `space=recurrent` and the settings
 * that differ from the lab's defaults. A link without `space` is a convolutional search, as every
 * link was before the recurrent space existed; recurrent keys are read only with
 * `space=recurrent`. Names that the convolutional settings also use carry an `rnn` prefix.
 * The alpha gradient's order is `rnnOrder=2` (unrolled); absent, first order, as every link
 * written before the choice existed.
 */
import { DEFAULT_LAB_RECURRENT, MAX_LAB_TOKENS } from '../worker/labRecurrent';
import type { LabRecurrentSettings, SearchSpace } from '../worker/recurrentProtocol';

type NumberKey = Exclude<keyof LabRecurrentSettings, 'level' | 'order'>;

/** Query key of each numeric setting. */
export const RECURRENT_QUERY_KEYS: Readonly<Record<NumberKey, string>> = {
  nhid: 'nhid',
  bptt: 'bptt',
  batchSize: 'rnnBatchSize',
  epochs: 'rnnEpochs',
  lr: 'rnnLr',
  alphaLr: 'rnnAlphaLr',
  maxVocabulary: 'vocabulary',
  trainTokens: 'trainTokens',
  validTokens: 'validTokens',
  seed: 'rnnSeed',
};

const INTEGER_KEYS: ReadonlySet<NumberKey> = new Set([
  'nhid',
  'bptt',
  'batchSize',
  'epochs',
  'maxVocabulary',
  'trainTokens',
  'validTokens',
  'seed',
]);

/** The largest value a link may set for the settings that size the work. */
export const RECURRENT_LINK_MAXIMUM: Readonly<Partial<Record<NumberKey, number>>> = {
  nhid: 2048,
  bptt: 1000,
  batchSize: 1024,
  epochs: 1000,
  maxVocabulary: 100_000,
  trainTokens: MAX_LAB_TOKENS,
  validTokens: MAX_LAB_TOKENS,
};

const clip = (raw: string): string => (raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);

/** Writes `space=recurrent` and the settings that differ from the defaults. */
export function recurrentToQuery(settings: LabRecurrentSettings, q: URLSearchParams): void {
  q.set('space', 'recurrent');
  if (settings.level !== DEFAULT_LAB_RECURRENT.level) q.set('level', settings.level);
  if ((settings.order ?? 1) !== 1) q.set('rnnOrder', String(settings.order));
  for (const [key, name] of Object.entries(RECURRENT_QUERY_KEYS) as [NumberKey, string][]) {
    if (settings[key] !== DEFAULT_LAB_RECURRENT[key]) q.set(name, String(settings[key]));
  }
}

/**
 * Reads the search space and, for `space=recurrent`, its settings. Never throws: unusable values
 * are left at the defaults and reported in `ignored`.
 */
export function recurrentFromQuery(
  q: URLSearchParams,
  ignored: string[],
): { space?: SearchSpace; recurrent?: LabRecurrentSettings } {
  const space = q.get('space');
  if (space === null || space === 'convolutional') return {};
  if (space !== 'recurrent') {
    ignored.push(`space=${clip(space)} (use convolutional or recurrent)`);
    return {};
  }
  const settings: Record<string, unknown> = { ...DEFAULT_LAB_RECURRENT };
  const level = q.get('level');
  if (level === 'word' || level === 'char') settings.level = level;
  else if (level !== null) ignored.push(`level=${clip(level)} (use word or char)`);
  const order = q.get('rnnOrder');
  if (order === '1' || order === '2') settings.order = Number(order);
  else if (order !== null) ignored.push(`rnnOrder=${clip(order)} (use 1 or 2)`);
  for (const [key, name] of Object.entries(RECURRENT_QUERY_KEYS) as [NumberKey, string][]) {
    const raw = q.get(name);
    if (raw === null) continue;
    const n = Number(raw);
    const max = RECURRENT_LINK_MAXIMUM[key];
    if (raw.trim() === '' || !Number.isFinite(n))
      ignored.push(`${name}=${clip(raw)} (not a number)`);
    else if (INTEGER_KEYS.has(key) && !Number.isInteger(n)) {
      ignored.push(`${name}=${clip(raw)} (not an integer)`);
    } else if (max !== undefined && n > max) {
      ignored.push(`${name}=${clip(raw)} (above the link limit of ${max})`);
    } else settings[key] = n;
  }
  return { space: 'recurrent', recurrent: settings as unknown as LabRecurrentSettings };
}
