/**
 * The run kinds' one image-data module gives the images the command line and the lab load
 * today: the same pixels, labels, augmentation and statistics for a search and a retrain, on the
 * embedded dataset (read through the host's files) and on synthetic images, limited and resized.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_DIR, folderSource } from '../../src/cli/folderSource';
import { trainTestImages as cliTrainTestImages } from '../../src/cli/datasetImages';
import type { ImageDataset } from '../../src/data/dataset';
import { searchImages, trainTestImages } from '../../src/nas/runKind/imageData';
import * as tf from '../../src/nas/tensor/tf';
import { loadRetrainImages, loadTrainImages } from '../../src/worker/labData';
import { testEnv } from '../support/kindRuns';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const embedded = () => folderSource(EMBEDDED_DIR);
/** The array's bytes: bit-for-bit comparison, fast on millions of pixels. */
const bytes = (v: Float32Array | Int32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
const same = (a: ImageDataset, b: ImageDataset) => {
  expect([a.count, a.height, a.width, a.channels, a.numClasses]).toEqual([
    b.count,
    b.height,
    b.width,
    b.channels,
    b.numClasses,
  ]);
  expect(bytes(a.images).equals(bytes(b.images))).toBe(true);
  expect(bytes(a.labels).equals(bytes(b.labels))).toBe(true);
};

describe('image data for the convolutional kinds', () => {
  it("gives a search the lab's images, embedded and synthetic", async () => {
    for (const dataset of ['default', 'synthetic'] as const) {
      const settings = { dataset, images: 48, imageSize: 12 };
      const env = testEnv();
      const ours = await searchImages(env, settings, 7);
      same(ours.images, await loadTrainImages(settings, embedded, 7));
      expect(ours.augment).toEqual({ pad: 0, flip: false });
      expect(env.requests).toEqual(dataset === 'default' ? [{ dataset: 'default' }] : []);
    }
  });

  it("gives a retrain the command line's images: all, or the first and resized", async () => {
    for (const counts of [
      { images: 0, testImages: 0, imageSize: 0 },
      { images: 40, testImages: 24, imageSize: 16 },
    ]) {
      for (const dataset of ['default', 'synthetic'] as const) {
        const ours = await trainTestImages(testEnv(), { dataset, ...counts });
        const cli = await cliTrainTestImages(dataset, undefined, {
          images: counts.images || undefined,
          testImages: counts.testImages || undefined,
          imageSize: counts.imageSize || undefined,
        });
        same(ours.train, cli.train);
        same(ours.test, cli.test);
        expect([ours.augment, ours.stats]).toEqual([cli.augment, cli.stats]);
      }
    }
  });

  it("gives a retrain the lab's embedded images", async () => {
    const data = { dataset: 'default', images: 40, imageSize: 16 } as const;
    const ours = await trainTestImages(testEnv(), { ...data, testImages: 24 });
    const lab = await loadRetrainImages(data, 24, embedded, 0);
    same(ours.train, lab.train);
    same(ours.test, lab.test);
    expect(ours.stats).toEqual(lab.stats);
  });
});
