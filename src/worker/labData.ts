/** The images a lab job trains on: the embedded dataset (or a synthetic one), sized as asked. */
import type { FileSource } from '../data/catalog';
import type { ChannelStats } from '../data/normalize';
import { loadDataset } from '../data/catalog';
import type { ImageDataset } from '../data/dataset';
import { range, subset } from '../data/dataset';
import { resizeDataset } from '../data/resize';
import { firstImages } from '../data/searchSplit';
import { syntheticDataset } from '../data/synthetic';
import type { LabDataConfig } from './protocol';

function checkCount(value: number, what: string, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${what} must be an integer of at least ${min}, got ${value}`);
  }
}

/** Training images (a search splits them in half). */
export async function loadTrainImages(
  data: LabDataConfig,
  source: () => FileSource,
  seed: number,
): Promise<ImageDataset> {
  checkCount(data.images, 'images', 2);
  if (data.dataset === 'synthetic') {
    return syntheticDataset({ count: data.images, size: data.imageSize, seed });
  }
  const loaded = await loadDataset('default', source());
  return resizeDataset(firstImages(loaded.train, data.images), data.imageSize);
}

/** Training and held-out test images for a retrain. */
export async function loadRetrainImages(
  data: LabDataConfig,
  testImages: number,
  source: () => FileSource,
  seed: number,
): Promise<{ train: ImageDataset; test: ImageDataset; stats: ChannelStats | null }> {
  checkCount(data.images, 'images', 1);
  checkCount(testImages, 'test images', 1);
  if (data.dataset === 'synthetic') {
    // One generated task, cut in two, so that test images follow the training distribution.
    const all = syntheticDataset({ count: data.images + testImages, size: data.imageSize, seed });
    return {
      train: subset(all, range(0, data.images)),
      test: subset(all, range(data.images, data.images + testImages)),
      stats: null,
    };
  }
  const loaded = await loadDataset('default', source());
  if (testImages > loaded.test.count) {
    throw new Error(`test images ${testImages} exceeds the ${loaded.test.count} held-out images`);
  }
  return {
    train: await resizeDataset(firstImages(loaded.train, data.images), data.imageSize),
    test: await resizeDataset(firstImages(loaded.test, testImages), data.imageSize),
    stats: loaded.stats,
  };
}

/** The built-in held-out images at a model's input size, to evaluate a trained model on. */
export async function loadEmbeddedTestImages(
  testImages: number,
  imageSize: number,
  source: () => FileSource,
): Promise<{ test: ImageDataset; stats: ChannelStats }> {
  checkCount(testImages, 'test images', 1);
  const loaded = await loadDataset('default', source());
  return {
    test: await resizeDataset(firstImages(loaded.test, testImages), imageSize),
    stats: loaded.stats,
  };
}
