/**
 * The settings fields the convolutional kinds (DARTS, CDARTS, retrain) share, written once: the
 * image data they train on (which dataset, how many of its images, the size they are resized
 * to), the candidate ops, the whole numbers that size a network or a run (the four DARTS's
 * scripts take alike as one block), and the seed. Each kind gives its own defaults per preset.
 * No tfjs here: the kinds' descriptors use them.
 */
import { DATASET_KINDS } from '../../data/catalog';
import { DARTS_PRIMITIVES } from '../ops/primitives';
import { checkpointCellsConfig } from '../recompute/checkpointCellsSetting';
import type { FieldGroup, FieldSpec } from './settingsSchema';

/**
 * `ops`: the candidate operations of a search, in alpha-column order. Defaults are widened
 * (`as string`, `as readonly string[]`) where they are literals: `SettingsOf` types a setting by
 * its default, and a setting holds any value of its field.
 */
export const OPS_FIELD = {
  key: 'ops',
  label: 'Candidate ops',
  type: 'list',
  choices: DARTS_PRIMITIVES,
  default: DARTS_PRIMITIVES as readonly string[],
  group: 'network',
  help: 'candidate ops, in alpha-column order (default: the 8 DARTS ops)',
  reference: 'genotypes.py PRIMITIVES',
} as const;

/**
 * A whole number of at least `min` that sizes the work (cells, channels, a batch, epochs): a
 * link may set it up to `linkMax` only.
 */
export function countField<K extends string>(
  key: K,
  spec: {
    readonly label?: string;
    readonly group: FieldGroup;
    readonly help: string;
    readonly min: number;
    readonly linkMax?: number;
    readonly default: number;
    readonly presets?: Readonly<Record<string, number>>;
    readonly reference?: string;
    readonly flag?: string;
  },
) {
  return { key, type: 'int', ...spec } as const;
}

/**
 * A maker of one sizing field (`epochs`, `batchSize`, …) with its group and range fixed: each
 * kind gives the help, the defaults and the reference.
 */
function sizeField<K extends string>(
  key: K,
  group: FieldGroup,
  min: number,
  linkMax: number,
  label?: string,
) {
  return (
    help: string,
    defaultValue: number,
    presets: Readonly<Record<string, number>>,
    reference?: string,
  ) =>
    countField(key, {
      ...(label ? { label } : {}),
      group,
      help,
      min,
      linkMax,
      default: defaultValue,
      presets,
      ...(reference ? { reference } : {}),
    });
}

export const epochsField = sizeField('epochs', 'optimizer', 1, 1000);
export const batchSizeField = sizeField('batchSize', 'optimizer', 1, 1024);
export const channelsField = sizeField('channels', 'network', 1, 256, 'Initial channels (C)');
const layersField = sizeField('layers', 'network', 3, 50, 'Cells');
export const nodesField = sizeField('nodes', 'network', 1, 10, 'Nodes per cell');

/** A preset's sizes of a network and its run, as DARTS's scripts take them. */
export interface ScriptSizes {
  readonly epochs: number;
  readonly batchSize: number;
  readonly channels: number;
  readonly layers: number;
}

/**
 * The sizes DARTS's scripts take as arguments, `--epochs`, `--batch_size`, `--init_channels` and
 * `--layers` of `script` (`train_search.py`, `train.py`), with the kind's help of the first two
 * and its presets' sizes: `small` (the default), `paper` and `demo`.
 */
export function scriptSizeFields(
  script: string,
  help: { readonly epochs: string; readonly batchSize: string },
  sizes: { readonly small: ScriptSizes; readonly paper: ScriptSizes; readonly demo: ScriptSizes },
) {
  const of = (key: keyof ScriptSizes) =>
    [sizes.small[key], { paper: sizes.paper[key], demo: sizes.demo[key] }] as const;
  return [
    epochsField(help.epochs, ...of('epochs'), `${script} --epochs`),
    batchSizeField(help.batchSize, ...of('batchSize'), `${script} --batch_size`),
    channelsField('initial channels C', ...of('channels'), `${script} --init_channels`),
    layersField('cells in the network', ...of('layers'), `${script} --layers`),
  ] as const;
}

/** `seed`: every random draw of a run follows from it. */
export function seedField(defaultValue: number, reference?: string) {
  return {
    key: 'seed',
    type: 'int',
    default: defaultValue,
    group: 'run',
    help: 'seed of the initialisation, the data order and the random draws',
    ...(reference ? { reference } : {}),
  } as const;
}

/** Every dataset a convolutional kind reads: the catalog's, and generated images. */
export const IMAGE_DATASETS = [...DATASET_KINDS, 'synthetic'] as const;
export type ImageDatasetName = (typeof IMAGE_DATASETS)[number];

/**
 * The largest image count and size a link may set: beyond the paper's data, so that a link
 * cannot make a tab allocate a dataset of any size it names.
 */
export const LINK_MAX_IMAGES = 60000;
const LINK_MAX_IMAGE_SIZE = 256;

const DATASET_FIELD = {
  key: 'dataset',
  type: 'choice',
  choices: IMAGE_DATASETS,
  default: 'default' as string,
  group: 'data',
  help:
    'default (embedded Fashion-MNIST subset), fashion-mnist, mnist, cifar10, cifar100, ' +
    'or synthetic (a generated learnable task)',
} as const;

/** `images`: the first N training images; 0: all of them (synthetic: 128). */
function imagesField(
  help: string,
  defaultValue: number,
  presets: Readonly<Record<string, number>>,
) {
  return {
    key: 'images',
    type: 'int',
    min: 0,
    linkMax: LINK_MAX_IMAGES,
    default: defaultValue,
    presets,
    group: 'data',
    help,
  } as const;
}

/** `imageSize`: images are resized to N×N; 0: their own size (synthetic: 8). */
function imageSizeField(defaultValue: number, presets: Readonly<Record<string, number>>) {
  return {
    key: 'imageSize',
    type: 'int',
    min: 0,
    linkMax: LINK_MAX_IMAGE_SIZE,
    default: defaultValue,
    presets,
    group: 'data',
    help: 'resize images to N×N (a multiple of 4); 0: their own size',
  } as const;
}

/** How many images, at what size, a preset searches or trains on. */
export interface PresetData {
  readonly images: number;
  readonly imageSize: number;
}

/** What the data fields default to, by preset (see `imageDataFields`). */
export interface DataPresets {
  /** The preset that takes every image at its own size: `paper`, CDARTS's `nni`. */
  readonly full: string;
  /** Images of the `demo` preset (at 8×8). */
  readonly demoImages: number;
  /** The `small` preset's data, where it is not 256 images at 12×12. */
  readonly small?: PresetData;
}

/**
 * The image data's fields, in the settings' order: `dataset`, `images` (`imagesHelp`), the kind's
 * own (`between`: the retrain's test images), `imageSize`. By preset: `small`'s (256 images at
 * 12×12 unless the kind says), all of them at their own size (`full`), and `demoImages` images
 * at 8×8 (`demo`).
 */
export function imageDataFields<const B extends readonly FieldSpec[]>(
  imagesHelp: string,
  data: DataPresets,
  ...between: B
) {
  const small = data.small ?? { images: 256, imageSize: 12 };
  return [
    DATASET_FIELD,
    imagesField(imagesHelp, small.images, { [data.full]: 0, demo: data.demoImages }),
    ...between,
    imageSizeField(small.imageSize, { [data.full]: 0, demo: 8 }),
  ] as const;
}

/**
 * What every convolutional configuration takes from its kind's settings alike: the channels, the
 * batch, the epochs and the seed as they are, and the checkpointed cells as the configuration
 * says them (`checkpointCellsConfig`: nothing when on).
 */
export function sharedConfigOf(s: {
  readonly channels: number;
  readonly batchSize: number;
  readonly epochs: number;
  readonly seed: number;
  readonly checkpointCells: boolean;
}) {
  const { channels, batchSize, epochs, seed } = s;
  return { channels, batchSize, epochs, seed, ...checkpointCellsConfig(s.checkpointCells) };
}

/**
 * Why `batchSize` does not fit DARTS's two parts of `images` (0: all, unknown here), cut at
 * `portion`, or null. As the lab checked it before the run kinds: each part must hold a batch.
 */
export function splitProblem(images: number, batchSize: number, portion: number): string | null {
  if (images === 0) return null;
  const half = Math.floor(images * portion);
  return batchSize > half || batchSize > images - half
    ? `batchSize ${batchSize} is larger than half of the ${images} images (each search split): lower batchSize or raise images`
    : null;
}

/** What a checkpoint says about its images without any host settings. */
export interface SavedImages {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly numClasses: number;
  /** Training images (both halves of a search together); 0: unknown. */
  readonly count: number;
}

export interface ImageData {
  readonly dataset: ImageDatasetName;
  readonly images: number;
  readonly imageSize: number;
}

/**
 * The data settings of a checkpoint written before the run kinds: its host settings
 * `{ dataset, images, imageSize }` (the command line wrote 0 for all images, their own size).
 * A file without host settings (the core's own, never a host's) is taken to be on the data both
 * hosts share, read from its shape: generated images (3 channels, 4 classes) or the embedded
 * Fashion-MNIST (1 channel, 10 classes), `count` of them at its size.
 */
export function legacyImageData(
  host: Readonly<Record<string, unknown>> | undefined,
  saved: SavedImages,
): ImageData {
  if (!host) {
    const { height, width, channels, numClasses, count } = saved;
    const dataset =
      channels === 3 && numClasses === 4
        ? 'synthetic'
        : channels === 1 && numClasses === 10 && height <= 28
          ? 'default'
          : null;
    if (dataset === null || width !== height || count === 0) {
      throw new Error('the checkpoint does not say which data the run trained on');
    }
    return { dataset, images: count, imageSize: height };
  }
  const { dataset, images, imageSize } = host;
  if (typeof dataset !== 'string' || !(IMAGE_DATASETS as readonly string[]).includes(dataset)) {
    throw new Error(
      `the checkpoint's dataset ${JSON.stringify(dataset)} is not one this build has`,
    );
  }
  if (typeof images !== 'number' || typeof imageSize !== 'number') {
    throw new Error("the checkpoint's image count or image size is missing");
  }
  return { dataset: dataset as ImageDatasetName, images, imageSize };
}
