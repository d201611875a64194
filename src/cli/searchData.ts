/**
 * The images a search trains on (`nas-lab search`, DARTS and CDARTS alike): the chosen dataset,
 * limited and resized as asked, split in DARTS's two halves (weights, alphas) on the device and
 * read through the dataset's augmentation.
 */
import { augmentedSource } from '../data/augmentedSource';
import type { Augmentation } from '../data/catalog';
import type { ImageDataset } from '../data/dataset';
import { toDevice } from '../data/deviceSplit';
import { resizeDataset } from '../data/resize';
import { dartsSearchSplit, firstImages } from '../data/searchSplit';
import { syntheticDataset } from '../data/synthetic';
import type { Rng } from '../nas/tensor/random';
import type { BatchSource } from '../nas/darts/searchLoop';
import type { DataShape } from '../nas/darts/searchState';
import type { CliDataset } from './datasetImages';
import { loadNamedDataset, scaledAugmentation } from './datasetImages';

export interface SearchDataSettings {
  readonly dataset: CliDataset;
  readonly dataDir: string | undefined;
  /** Images of the training set the search uses (both halves together); undefined: all. */
  readonly images: number | undefined;
  /** Square size images are resized to; undefined: their own size. */
  readonly imageSize: number | undefined;
  /** Seed of the synthetic images. */
  readonly seed: number;
  /** Fraction of the images that train the weights; the rest trains the alphas. */
  readonly trainPortion: number;
}

export interface SearchSplits {
  readonly shape: DataShape;
  /** The weight half. */
  readonly train: BatchSource;
  /** The alpha half. */
  readonly val: BatchSource;
  /** Frees both halves' tensors. */
  dispose(): void;
}

/** The training images of the chosen dataset, resized and limited as asked, with their augmentation. */
async function searchImages(
  settings: SearchDataSettings,
): Promise<{ images: ImageDataset; augment: Augmentation }> {
  let images: ImageDataset;
  let augment: Augmentation = { pad: 0, flip: false };
  if (settings.dataset === 'synthetic') {
    images = syntheticDataset({
      count: settings.images ?? 128,
      size: settings.imageSize ?? 8,
      seed: settings.seed,
    });
  } else {
    const loaded = await loadNamedDataset(settings.dataset, settings.dataDir);
    images = firstImages(loaded.train, settings.images ?? loaded.train.count);
    augment = loaded.augment;
  }
  if (settings.imageSize !== undefined) images = await resizeDataset(images, settings.imageSize);
  return { images, augment: scaledAugmentation(augment, images.height) };
}

/** Both halves on the device, augmented with draws from `rng` (no cutout, as DARTS's search). */
export async function searchData(settings: SearchDataSettings, rng: Rng): Promise<SearchSplits> {
  const { images, augment } = await searchImages(settings);
  const split = dartsSearchSplit(images, settings.trainPortion);
  const train = toDevice(split.train);
  const val = toDevice(split.val);
  const options = { ...augment, cutout: 0 };
  return {
    shape: images,
    train: augmentedSource(train, rng, options),
    val: augmentedSource(val, rng, options),
    dispose: () => {
      train.dispose();
      val.dispose();
    },
  };
}
