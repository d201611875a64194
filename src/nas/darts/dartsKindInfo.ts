/**
 * The DARTS search as a run kind, its pure half: the settings the command line and the lab
 * offer (`cnn/train_search.py`'s arguments, the data), their presets, their checks, and how they
 * make a search configuration. No tfjs here: the page imports it through the registry.
 *
 * Presets: `small` (the default of the command line and the lab, chosen by measurement so that
 * the cells visibly sharpen within minutes: the paper's cell in 5 cells of 4 channels, on 1,024
 * images at 8×8, batch 32, alpha learning rate 3e-2), `paper` (the official CIFAR-10 search, all
 * images at their own size), `demo` (seconds per step on a software GPU: the specs' tiny run)
 * and `pc-darts` (PC-DARTS's official CIFAR-10 search: `pcdarts/pcdartsSettings.ts`).
 */
import { checkInputSize } from '../genotype/cellTopology';
import type { OpName } from '../ops/primitives';
import type { KeyPhrase } from '../runKind/configProblems';
import { keyedProblems } from '../runKind/configProblems';
import {
  imageDataFields,
  nodesField,
  OPS_FIELD,
  scriptSizeFields,
  seedField,
  sharedConfigOf,
  splitProblem,
} from '../runKind/convFields';
import { CHECKPOINT_CELLS_FIELD } from '../recompute/checkpointCellsSetting';
import { bnRecalibrationField } from '../ops/bnRecalibrationSetting';
import { COLLAPSE_FIELDS, COLLAPSE_METRICS, collapseProblems } from '../collapse/collapseSettings';
import { trainAndValidation } from '../runKind/metricPairs';
import type { RunKindInfo } from '../runKind/runKind';
import type { Settings, SettingsOf } from '../runKind/settingsSchema';
import {
  PC_DARTS_FIELDS,
  PC_DARTS_PRESET,
  PC_DARTS_PRESET_NOTE,
  PC_DARTS_PRESET_VALUES,
  pcDartsConfigOf,
  withPresetValues,
} from '../pcdarts/pcdartsSettings';
import type { SearchConfig } from './searchConfig';
import { PAPER_SEARCH_CONFIG, SMALL_SEARCH_CONFIG, validateSearchConfig } from './searchConfig';

const small = SMALL_SEARCH_CONFIG;
const paper = PAPER_SEARCH_CONFIG;
/** The demo's alpha learning rate, the default's before it was raised (the specs' tiny run). */
const DEMO_ALPHA_LR = 3e-3;

export const DARTS_SCHEMA = {
  presets: ['small', 'paper', 'demo', PC_DARTS_PRESET],
  presetNotes: {
    small:
      'the default: a 5-cell, 4-channel network on 1,024 images at 8×8 with a 100× alpha learning rate, so that the cells sharpen within minutes; not the paper’s recipe (choose “paper”)',
    paper:
      'the official CIFAR-10 search (cnn/train_search.py), exact: hours per epoch without a GPU',
    demo: 'seconds per step: a 3-cell, 2-channel network on 32 images; too small to learn much',
    [PC_DARTS_PRESET]: PC_DARTS_PRESET_NOTE,
  },
  fields: withPresetValues(PC_DARTS_PRESET, PC_DARTS_PRESET_VALUES, [
    {
      key: 'order',
      label: 'Alpha gradient order',
      type: 'int',
      min: 1,
      max: 2,
      default: 1 as number,
      group: 'method',
      help: 'first-order (1) or unrolled, second-order (2) alpha gradient',
      reference: 'train_search.py --unrolled',
    },
    ...scriptSizeFields(
      'train_search.py',
      { epochs: 'search epochs', batchSize: 'images per batch (of each half)' },
      { small, paper, demo: { epochs: 2, batchSize: 4, channels: 2, layers: 3 } },
    ),
    nodesField(
      'intermediate nodes per cell (the cell output concatenates them all)',
      small.nodes,
      { demo: 2 },
      'model_search.py Network(steps, multiplier)',
    ),
    OPS_FIELD,
    {
      key: 'weightLr',
      label: 'Weight learning rate',
      type: 'number',
      min: 0,
      default: small.weightLr,
      live: true,
      group: 'optimizer',
      help: 'weight learning rate: the cosine schedule starts here',
      reference: 'train_search.py --learning_rate',
    },
    {
      key: 'weightLrMin',
      label: 'Minimum weight learning rate',
      type: 'number',
      min: 0,
      default: small.weightLrMin,
      group: 'optimizer',
      help: 'the weight learning rate the cosine schedule ends at',
      reference: 'train_search.py --learning_rate_min',
      advanced: true,
    },
    {
      key: 'alphaLr',
      label: 'Alpha learning rate',
      type: 'number',
      min: 0,
      default: small.alphaLr,
      presets: { paper: paper.alphaLr, demo: DEMO_ALPHA_LR },
      live: true,
      group: 'optimizer',
      help: 'alpha learning rate (Adam)',
      reference: 'train_search.py --arch_learning_rate',
    },
    seedField(small.seed, 'train_search.py --seed'),
    ...imageDataFields('use the first N training images, split in half as DARTS does; 0: all', {
      full: 'paper',
      demoImages: 32,
      small: { images: 1024, imageSize: 8 },
    }),
    CHECKPOINT_CELLS_FIELD,
    bnRecalibrationField('paper'),
    ...COLLAPSE_FIELDS,
    ...PC_DARTS_FIELDS,
  ]),
  check: dartsSettingsProblems,
} as const;

export const DARTS_INFO: RunKindInfo = {
  id: 'darts',
  title: 'DARTS search',
  summary: 'DARTS architecture search (first or second order) on images',
  command: 'search',
  select: { space: 'cnn', algorithm: 'darts' },
  schema: DARTS_SCHEMA,
  // The search checkpoint's format (searchCheckpointManifest.ts), unchanged.
  checkpointFormat: 'nas-lab.search-checkpoint',
  metrics: [
    ...trainAndValidation(),
    { key: 'weightLr', label: 'weight learning rate', kind: 'rate' },
    ...COLLAPSE_METRICS,
  ],
  throughputUnit: 'images/s',
};

/** The kind's settings, typed by its schema. */
export type DartsSettings = SettingsOf<typeof DARTS_SCHEMA>;

/** The search configuration the settings describe (unchecked: `validateSearchConfig` checks). */
export function dartsSearchConfig(s: DartsSettings): SearchConfig {
  return {
    ...PAPER_SEARCH_CONFIG,
    ...sharedConfigOf(s),
    order: s.order as 1 | 2,
    primitives: s.ops as readonly OpName[],
    nodes: s.nodes,
    // As in DARTS (multiplier = steps), the cell output concatenates every intermediate node.
    multiplier: s.nodes,
    layers: s.layers,
    weightLr: s.weightLr,
    weightLrMin: s.weightLrMin,
    alphaLr: s.alphaLr,
    ...pcDartsConfigOf(s),
  };
}

/** The validator's phrase each setting's message starts with. */
const PHRASES: readonly KeyPhrase[] = [
  ['minimum weight learning rate', 'weightLrMin'],
  ['weight learning rate', 'weightLr'],
  ['alpha learning rate', 'alphaLr'],
  ['op', 'ops'],
  ['node count', 'nodes'],
  ['layers', 'layers'],
  ['batch size', 'batchSize'],
  ['partial channels', 'partialChannels'],
  ['first alpha epoch', 'archStartEpoch'],
];

/** What `check` finds wrong across fields, each problem naming its keys. */
function dartsSettingsProblems(settings: Settings): string[] {
  const s = settings as DartsSettings;
  const problems = keyedProblems(() => validateSearchConfig(dartsSearchConfig(s)), PHRASES);
  if (s.imageSize > 0) {
    problems.push(
      ...keyedProblems(
        () => checkInputSize(s.layers, s.imageSize, s.imageSize),
        [['image size', 'imageSize']],
      ),
    );
  }
  const split = splitProblem(s.images, s.batchSize, PAPER_SEARCH_CONFIG.trainPortion);
  if (split) problems.push(split);
  problems.push(...collapseProblems(s));
  return problems;
}
