/**
 * The images the commands train and test on: a dataset read from its folder (or generated),
 * limited to its first images and resized as asked, with its augmentation scaled to the size.
 */
import type { Augmentation, DatasetKind, LoadedDataset } from '../data/catalog';
import { DATASET_KINDS, loadDataset } from '../data/catalog';
import type { ImageDataset } from '../data/dataset';
import type { ChannelStats } from '../data/normalize';
import { resizeDataset } from '../data/resize';
import { firstImages } from '../data/searchSplit';
import { syntheticDataset } from '../data/synthetic';
import { dataDirFor, folderSource } from './folderSource';

export type CliDataset = DatasetKind | 'synthetic';
export const CLI_DATASETS: readonly CliDataset[] = [...DATASET_KINDS, 'synthetic'];

/**
 * Fixed seeds of the synthetic training and test images, so that `evaluate` regenerates the
 * test images a retrain saw whatever the retrain's seed.
 */
const SYNTHETIC_TRAIN_SEED = 1;
const SYNTHETIC_TEST_SEED = 2;

const NO_AUGMENTATION: Augmentation = { pad: 0, flip: false };

export function loadNamedDataset(
  kind: DatasetKind,
  dataDir: string | undefined,
): Promise<LoadedDataset> {
  return loadDataset(kind, folderSource(dataDirFor(kind, dataDir)));
}

/** Crop padding scales with the image (DARTS pads 32-pixel CIFAR images by 4). */
export function scaledAugmentation(augment: Augmentation, height: number): Augmentation {
  return { ...augment, pad: Math.round((augment.pad * height) / 32) };
}

/** The first `count` images (all when undefined), resized to size×size when a size is given. */
export async function prepareImages(
  d: ImageDataset,
  count: number | undefined,
  size: number | undefined,
): Promise<ImageDataset> {
  const first = firstImages(d, count ?? d.count);
  return size === undefined ? first : resizeDataset(first, size);
}

export interface TrainTestImages {
  readonly train: ImageDataset;
  readonly test: ImageDataset;
  /** The dataset's training augmentation, its crop padding scaled to the image size. */
  readonly augment: Augmentation;
  /** The normalisation statistics; null for synthetic images. */
  readonly stats: ChannelStats | null;
}

export interface ImageCounts {
  /** Training images (the first N); undefined: all (synthetic: 128). */
  readonly images: number | undefined;
  /** Test images (the first N of the held-out part); undefined: all (synthetic: 128). */
  readonly testImages: number | undefined;
  /** Square size to resize to; undefined: the images' own (synthetic: 8). */
  readonly imageSize: number | undefined;
}

/** The training part and the held-out test part of a dataset, limited and resized. */
export async function trainTestImages(
  dataset: CliDataset,
  dataDir: string | undefined,
  counts: ImageCounts,
): Promise<TrainTestImages> {
  if (dataset === 'synthetic') {
    const size = counts.imageSize ?? 8;
    return {
      train: syntheticDataset({ count: counts.images ?? 128, size, seed: SYNTHETIC_TRAIN_SEED }),
      test: syntheticDataset({ count: counts.testImages ?? 128, size, seed: SYNTHETIC_TEST_SEED }),
      augment: NO_AUGMENTATION,
      stats: null,
    };
  }
  const loaded = await loadNamedDataset(dataset, dataDir);
  const train = await prepareImages(loaded.train, counts.images, counts.imageSize);
  const test = await prepareImages(loaded.test, counts.testImages, counts.imageSize);
  return {
    train,
    test,
    augment: scaledAugmentation(loaded.augment, train.height),
    stats: loaded.stats,
  };
}
