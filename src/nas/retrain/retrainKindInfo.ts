/**
 * The convolutional retrain as a run kind, its pure half: the settings the command line and the
 * lab offer (`cnn/train.py`'s arguments, the genotype, the data), their presets and checks. No
 * tfjs here: the page imports it through the registry.
 *
 * Presets: `small` (the command line's default: C=8, 8 cells, 10 epochs, no auxiliary head, no
 * cutout, on 256 training and 512 test images at 12×12), `paper` (`train.py --auxiliary
 * --cutout`: C=36, 20 cells, 600 epochs, all images at their own size, the cutout of 32-pixel
 * images scaled to theirs) and `demo` (the lab's quick retrain).
 */
import { MAX_GENOTYPE_TEXT_CHARS } from '../genotype/genotypeTextLimit';
import { PUBLISHED_GENOTYPES } from '../genotype/publishedGenotypes';
import {
  countField,
  imageDataFields,
  LINK_MAX_IMAGES,
  scriptSizeFields,
  seedField,
} from '../runKind/convFields';
import { CHECKPOINT_CELLS_FIELD } from '../recompute/checkpointCellsSetting';
import { bnRecalibrationField } from '../ops/bnRecalibrationSetting';
import { lossAndAccuracy } from '../runKind/metricPairs';
import type { RunKindInfo } from '../runKind/runKind';
import type { SettingsOf } from '../runKind/settingsSchema';
import { PAPER_RETRAIN_CONFIG, SMALL_RETRAIN_CONFIG } from './retrainConfig';
import { retrainSettingsProblems } from './retrainSettings';

const small = SMALL_RETRAIN_CONFIG;
const paper = PAPER_RETRAIN_CONFIG;

/** The genotypes a name selects (never read as a file by the command line). */
const PUBLISHED_GENOTYPE_NAMES: readonly string[] = Object.keys(PUBLISHED_GENOTYPES);

export const RETRAIN_SCHEMA = {
  presets: ['small', 'paper', 'demo'],
  labPreset: 'demo',
  presetNotes: {
    small:
      'the command line’s default: C 8, 8 cells, 10 epochs, no auxiliary head or cutout, on 256 images at 12×12',
    paper: 'cnn/train.py --auxiliary --cutout: C 36, 20 cells, 600 epochs on all images, exact',
    demo: 'the lab’s quick retrain: seconds per step on a software GPU',
  },
  fields: [
    {
      key: 'genotype',
      type: 'text',
      maxLength: MAX_GENOTYPE_TEXT_CHARS,
      file: { literals: PUBLISHED_GENOTYPE_NAMES },
      default: 'DARTS_V2' as string,
      group: 'network',
      help:
        `a published genotype (${PUBLISHED_GENOTYPE_NAMES.join(', ')}) or a genotype ` +
        "file's text: genotype JSON, DARTS's Python repr (Genotype(...)) or NNI's exported JSON",
      reference: 'train.py --arch',
    },
    ...scriptSizeFields(
      'train.py',
      { epochs: 'training epochs', batchSize: 'images per batch' },
      { small, paper, demo: { epochs: 1, batchSize: 16, channels: 4, layers: 3 } },
    ),
    {
      key: 'lr',
      label: 'Learning rate',
      type: 'number',
      min: 0,
      default: small.lr,
      live: true,
      group: 'optimizer',
      help: 'learning rate: the cosine schedule starts here',
      reference: 'train.py --learning_rate',
    },
    {
      key: 'lrMin',
      label: 'Minimum learning rate',
      type: 'number',
      min: 0,
      default: small.lrMin,
      group: 'optimizer',
      help: 'the learning rate the cosine schedule ends at (DARTS anneals to 0)',
      reference: 'train.py CosineAnnealingLR(optimizer, epochs)',
      advanced: true,
    },
    {
      key: 'auxiliary',
      label: 'Auxiliary head',
      type: 'boolean',
      default: small.auxiliary,
      presets: { paper: paper.auxiliary },
      group: 'network',
      help: 'the auxiliary head',
      reference: 'train.py --auxiliary',
    },
    {
      key: 'auxWeight',
      label: 'Auxiliary weight',
      flag: 'auxiliary-weight',
      type: 'number',
      min: 0,
      default: small.auxWeight,
      group: 'method',
      help: "the auxiliary head's loss weight",
      reference: 'train.py --auxiliary_weight',
    },
    countField('cutout', {
      group: 'method',
      help: 'cutout square side in pixels (0: off)',
      min: 0,
      default: small.cutout,
      presets: { paper: paper.cutout },
      reference: 'train.py --cutout --cutout_length',
    }),
    {
      key: 'scaleCutout',
      type: 'boolean',
      default: false,
      presets: { paper: true },
      group: 'method',
      help: 'the cutout side is for 32-pixel images and scales with the image size (the paper preset: 16, so 8 at 16×16)',
      advanced: true,
    },
    {
      key: 'dropPathProb',
      label: 'Drop path',
      flag: 'drop-path',
      type: 'number',
      min: 0,
      default: small.dropPathProb,
      group: 'method',
      help: 'maximum drop-path probability (reached linearly at the last epoch)',
      reference: 'train.py --drop_path_prob',
    },
    seedField(small.seed, 'train.py --seed'),
    ...imageDataFields(
      'train on the first N training images; 0: all',
      { full: 'paper', demoImages: 64 },
      countField('testImages', {
        group: 'data',
        help: 'test on the first N held-out images; 0: all',
        min: 0,
        linkMax: LINK_MAX_IMAGES,
        default: 512,
        presets: { paper: 0, demo: 64 },
      }),
    ),
    CHECKPOINT_CELLS_FIELD,
    bnRecalibrationField('paper'),
  ],
  check: retrainSettingsProblems,
} as const;

export const RETRAIN_INFO: RunKindInfo = {
  id: 'retrain',
  title: 'retrain',
  summary: "trains a genotype's network from scratch and tests it (DARTS cnn/train.py)",
  command: 'retrain',
  select: { space: 'cnn' },
  schema: RETRAIN_SCHEMA,
  // The retrain checkpoint's format (retrainCheckpointManifest.ts), unchanged.
  checkpointFormat: 'nas-lab.retrain-checkpoint',
  metrics: [
    ...lossAndAccuracy('train', 'training', true),
    { key: 'lr', label: 'learning rate', kind: 'rate' },
    { key: 'dropPathProb', label: 'drop-path probability', kind: 'other' },
    ...lossAndAccuracy('test', 'test', false),
  ],
  throughputUnit: 'images/s',
};

/** The kind's settings, typed by its schema. */
export type RetrainSettings = SettingsOf<typeof RETRAIN_SCHEMA>;
