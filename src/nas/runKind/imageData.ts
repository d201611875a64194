/**
 * The images the convolutional kinds train on, for every host: the chosen dataset read through
 * the host's files (`env.files`), or generated; limited to its first images and resized as the
 * settings ask; with the dataset's augmentation, its crop padding scaled to the image size
 * (DARTS pads 32-pixel CIFAR images by 4). A search splits its images in DARTS's two halves
 * (weights, alphas) on the device and reads both through the augmentation, with no cutout
 * (`cnn/train_search.py`); a retrain gets the training part and the held-out test part.
 */
import { augmentedSource } from '../../data/augmentedSource';
import type { Augmentation, LoadedDataset } from '../../data/catalog';
import { isDatasetKind, loadDataset } from '../../data/catalog';
import type { ImageDataset } from '../../data/dataset';
import { toDevice } from '../../data/deviceSplit';
import type { ChannelStats } from '../../data/normalize';
import { resizeDataset } from '../../data/resize';
import { dartsSearchSplit, firstImages } from '../../data/searchSplit';
import { syntheticDataset } from '../../data/synthetic';
import type { BatchSource } from '../darts/searchLoop';
import type { DataShape } from '../darts/searchState';
import type { Rng } from '../tensor/random';
import type { RunEnv } from './runKind';

/** The data settings of a convolutional kind (images, imageSize: 0 means all, own size). */
export interface ImageDataSettings {
  readonly dataset: string;
  readonly images: number;
  readonly imageSize: number;
}

/** The augmentation's random source, as checkpoints name it among the host's. */
export const AUGMENT_RNG = 'augment';

/** Generated images when the settings give no count or size. */
const SYNTHETIC_COUNT = 128;
const SYNTHETIC_SIZE = 8;
/**
 * Fixed seeds of a retrain's synthetic training and test images, so that `nas-lab evaluate`
 * regenerates the test images a retrain saw whatever the retrain's seed.
 */
export const SYNTHETIC_TRAIN_SEED = 1;
export const SYNTHETIC_TEST_SEED = 2;

const NO_AUGMENTATION: Augmentation = { pad: 0, flip: false };

const orAll = (n: number): number | undefined => (n > 0 ? n : undefined);

async function loadNamed(env: RunEnv, dataset: string): Promise<LoadedDataset> {
  if (!isDatasetKind(dataset)) throw new Error(`unknown dataset "${dataset}"`);
  return loadDataset(dataset, env.files({ dataset }));
}

/** Crop padding scales with the image (DARTS pads 32-pixel CIFAR images by 4). */
function scaledAugmentation(augment: Augmentation, height: number): Augmentation {
  return { ...augment, pad: Math.round((augment.pad * height) / 32) };
}

/** The first `count` images (0: all), resized to size×size (0: their own size). */
async function prepareImages(d: ImageDataset, count: number, size: number): Promise<ImageDataset> {
  const first = firstImages(d, orAll(count) ?? d.count);
  return size > 0 ? resizeDataset(first, size) : first;
}

/** A search's images (both halves together) and their augmentation. */
export async function searchImages(
  env: RunEnv,
  settings: ImageDataSettings,
  seed: number,
): Promise<{ images: ImageDataset; augment: Augmentation }> {
  if (settings.dataset === 'synthetic') {
    const images = syntheticDataset({
      count: orAll(settings.images) ?? SYNTHETIC_COUNT,
      size: orAll(settings.imageSize) ?? SYNTHETIC_SIZE,
      seed,
    });
    return { images, augment: NO_AUGMENTATION };
  }
  const loaded = await loadNamed(env, settings.dataset);
  const images = await prepareImages(loaded.train, settings.images, settings.imageSize);
  return { images, augment: scaledAugmentation(loaded.augment, images.height) };
}

export interface SearchSplits {
  readonly shape: DataShape;
  /** The weight half. */
  readonly train: BatchSource;
  /** The alpha half. */
  readonly val: BatchSource;
  /** Both halves without augmentation (BatchNorm recalibration reads them, drawing nothing). */
  readonly unaugmented: { readonly train: BatchSource; readonly val: BatchSource };
  /** Frees both halves' tensors. */
  dispose(): void;
}

/** Both halves of `images` on the device, augmented with draws from `rng` (no cutout). */
export function searchSplits(
  images: ImageDataset,
  augment: Augmentation,
  trainPortion: number,
  rng: Rng,
): SearchSplits {
  const split = dartsSearchSplit(images, trainPortion);
  const train = toDevice(split.train);
  let val;
  try {
    val = toDevice(split.val);
  } catch (e) {
    train.dispose();
    throw e;
  }
  const options = { ...augment, cutout: 0 };
  return {
    shape: images,
    train: augmentedSource(train, rng, options),
    val: augmentedSource(val, rng, options),
    unaugmented: { train, val },
    dispose: () => {
      train.dispose();
      val.dispose();
    },
  };
}

/** What a search's opening note says about its data: the data object and a phrase. */
export function searchDataSummary(dataset: string, splits: SearchSplits) {
  const { height, width, channels, numClasses } = splits.shape;
  const data = {
    dataset,
    trainImages: splits.train.count,
    valImages: splits.val.count,
    size: [height, width, channels],
    numClasses,
  };
  const text =
    `${dataset}: ${data.trainImages + data.valImages} images of ${data.size.join('x')} ` +
    `(${data.trainImages} for weights, ${data.valImages} for alphas)`;
  return { data, text };
}

/**
 * A search on the settings' images: loads them, splits them on the device (augmented with
 * draws from `rng`), builds the state on them (`build`) and starts the run (`start`); frees the
 * halves, and the state with `dispose`, when building or starting fails.
 */
export async function onSearchData<S, R>(
  env: RunEnv,
  settings: ImageDataSettings,
  config: { readonly seed: number; readonly trainPortion: number },
  rng: Rng,
  build: (splits: SearchSplits) => S,
  dispose: (state: S) => void,
  start: (splits: SearchSplits, state: S) => Promise<R>,
): Promise<R> {
  const { images, augment } = await searchImages(env, settings, config.seed);
  const splits = searchSplits(images, augment, config.trainPortion, rng);
  let state: S;
  try {
    state = build(splits);
  } catch (e) {
    splits.dispose();
    throw e;
  }
  try {
    return await start(splits, state);
  } catch (e) {
    splits.dispose();
    dispose(state);
    throw e;
  }
}

export interface TrainTestImages {
  readonly train: ImageDataset;
  readonly test: ImageDataset;
  /** The dataset's training augmentation, its crop padding scaled to the image size. */
  readonly augment: Augmentation;
  /** The normalisation statistics; null for synthetic images. */
  readonly stats: ChannelStats | null;
}

/** A retrain's training part and held-out test part (`testImages` 0: all; synthetic: 128). */
export async function trainTestImages(
  env: RunEnv,
  settings: ImageDataSettings & { readonly testImages: number },
): Promise<TrainTestImages> {
  if (settings.dataset === 'synthetic') {
    const size = orAll(settings.imageSize) ?? SYNTHETIC_SIZE;
    const count = (n: number) => orAll(n) ?? SYNTHETIC_COUNT;
    return {
      train: syntheticDataset({ count: count(settings.images), size, seed: SYNTHETIC_TRAIN_SEED }),
      test: syntheticDataset({
        count: count(settings.testImages),
        size,
        seed: SYNTHETIC_TEST_SEED,
      }),
      augment: NO_AUGMENTATION,
      stats: null,
    };
  }
  const loaded = await loadNamed(env, settings.dataset);
  const train = await prepareImages(loaded.train, settings.images, settings.imageSize);
  const test = await prepareImages(loaded.test, settings.testImages, settings.imageSize);
  return {
    train,
    test,
    augment: scaledAugmentation(loaded.augment, train.height),
    stats: loaded.stats,
  };
}
