/**
 * The run kinds' one image-data module (which the command line now uses itself) gives the
 * images the lab loads: the same pixels, labels, augmentation and statistics for a search and a
 * retrain, on the embedded dataset (read through the host's files) and on synthetic images,
 * limited and resized as the settings say.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_DIR, folderSource } from '../../src/cli/folderSource';
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

  it('gives a retrain all its images, or the first ones resized', async () => {
    const shape = (d: ImageDataset) => [d.count, d.height, d.width, d.channels];
    const all = await trainTestImages(testEnv(), {
      dataset: 'default',
      ...{ images: 0, testImages: 0, imageSize: 0 },
    });
    // The embedded file: 8,000 images to train on, 2,000 held out, at their own 28×28.
    expect([shape(all.train), shape(all.test)]).toEqual([
      [8000, 28, 28, 1],
      [2000, 28, 28, 1],
    ]);
    const some = await trainTestImages(testEnv(), {
      dataset: 'default',
      ...{ images: 40, testImages: 24, imageSize: 16 },
    });
    expect([shape(some.train), shape(some.test)]).toEqual([
      [40, 16, 16, 1],
      [24, 16, 16, 1],
    ]);
    expect(some.stats).toEqual(all.stats);
    const synthetic = await trainTestImages(testEnv(), {
      dataset: 'synthetic',
      ...{ images: 0, testImages: 24, imageSize: 0 },
    });
    // Synthetic: 128 images of 8×8 unless the settings say.
    expect([shape(synthetic.train), shape(synthetic.test)]).toEqual([
      [128, 8, 8, 3],
      [24, 8, 8, 3],
    ]);
    expect(synthetic.stats).toBeNull();
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
