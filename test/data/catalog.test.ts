import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dataDirFor, EMBEDDED_DIR, folderSource } from '../../src/cli/folderSource';
import type { FileSource } from '../../src/data/catalog';
import { loadDataset } from '../../src/data/catalog';
import { channelStats, FASHION_MNIST_STATS, normalize } from '../../src/data/normalize';
import type { RawImageSet } from '../../src/data/rawImages';
import { resizeDataset } from '../../src/data/resize';
import { dartsSearchSplit, firstImages } from '../../src/data/searchSplit';
import * as tf from '../../src/nas/tensor/tf';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function memorySource(files: Record<string, Uint8Array>): FileSource {
  return {
    async read(candidates) {
      for (const name of candidates) {
        const bytes = files[name];
        if (bytes) return { name, bytes };
      }
      throw new Error(`cannot find ${candidates.join(' or ')} in memory`);
    },
  };
}

/** A CIFAR-10 binary file: records of 1 label byte + 3072 planar RGB bytes. */
function cifarFile(labels: number[]): Uint8Array {
  const bytes = new Uint8Array(labels.length * 3073);
  labels.forEach((label, r) => {
    bytes[r * 3073] = label;
    for (let i = 0; i < 3072; i++) bytes[r * 3073 + 1 + i] = (r * 7 + i) % 256;
  });
  return bytes;
}

const raw = (images: number[], h: number, w: number, c: number, labels: number[]): RawImageSet => ({
  name: 'raw',
  images: Uint8Array.from(images),
  labels: Uint8Array.from(labels),
  count: labels.length,
  height: h,
  width: w,
  channels: c,
  numClasses: 10,
});

describe('the embedded default dataset', () => {
  it('is the Fashion-MNIST test file: 8,000 images to search on, 2,000 held out, all classes', async () => {
    const d = await loadDataset('default', folderSource(EMBEDDED_DIR));
    expect([d.train.count, d.test.count]).toEqual([8000, 2000]);
    expect([d.train.height, d.train.width, d.train.channels, d.train.numClasses]).toEqual([
      28, 28, 1, 10,
    ]);
    const histogram = new Array(10).fill(0);
    for (const l of d.train.labels) histogram[l] += 1;
    expect(Math.min(...histogram)).toBeGreaterThan(700);
    // Normalised with the Fashion-MNIST training statistics: close to zero mean, unit variance.
    const mean = d.train.images.reduce((a, b) => a + b, 0) / d.train.images.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(d.stats).toEqual(FASHION_MNIST_STATS);
    expect(d.augment).toEqual({ pad: 0, flip: false });
  });
});

describe('dataset catalogue', () => {
  it('loads CIFAR-10 batches and the test batch, with the DARTS augmentation', async () => {
    const files: Record<string, Uint8Array> = { 'test_batch.bin': cifarFile([9, 0]) };
    for (let i = 1; i <= 5; i++) files[`data_batch_${i}.bin`] = cifarFile([i, i + 1]);
    const d = await loadDataset('cifar10', memorySource(files));
    expect([d.train.count, d.test.count, d.train.channels, d.train.height]).toEqual([10, 2, 3, 32]);
    expect(Array.from(d.train.labels)).toEqual([1, 2, 2, 3, 3, 4, 4, 5, 5, 6]);
    expect(d.augment).toEqual({ pad: 4, flip: true });
  });

  it('names the missing file and the folder', async () => {
    await expect(loadDataset('cifar10', memorySource({}))).rejects.toThrow(
      /cannot find data_batch_1.bin in memory/,
    );
    const empty = mkdtempSync(join(tmpdir(), 'nas-lab-data-'));
    await expect(loadDataset('mnist', folderSource(empty))).rejects.toThrow(
      new RegExp(`cannot find train-images-idx3-ubyte or train-images-idx3-ubyte.gz in ${empty}`),
    );
    expect(() => folderSource(join(empty, 'nope'))).toThrow(/data folder .*nope does not exist/);
    expect(() => dataDirFor('cifar10', undefined)).toThrow(
      /--dataset cifar10 needs --data-dir PATH/,
    );
  });
});

describe('normalisation, split and resizing', () => {
  it('normalises per channel with given or computed statistics', () => {
    const r = raw([0, 255, 51, 102], 1, 2, 2, [1]);
    const stats = channelStats(r);
    expect(stats.mean[0]).toBeCloseTo(0.1, 10);
    expect(stats.mean[1]).toBeCloseTo(0.7, 10);
    expect(stats.std[0]).toBeCloseTo(0.1, 10);
    const d = normalize(r, { mean: [0.5, 0.5], std: [0.5, 0.25] });
    // Pixels 0, 255 (image 0) and 51, 102 (image 1): (p/255 − mean_c) / std_c.
    [-1, 2, (0.2 - 0.5) / 0.5, (0.4 - 0.5) / 0.25].forEach((v, k) =>
      expect(d.images[k]).toBeCloseTo(v, 5),
    );
    expect(() => normalize(r, FASHION_MNIST_STATS)).toThrow(/2-channel images need 2 means/);
  });

  it('splits as DARTS does: the first half trains weights, the second half alphas', () => {
    const d = normalize(raw([1, 2, 3, 4, 5], 1, 1, 1, [0, 1, 2, 3, 4]), { mean: [0], std: [1] });
    const split = dartsSearchSplit(d, 0.5);
    expect(Array.from(split.train.labels)).toEqual([0, 1]);
    expect(Array.from(split.val.labels)).toEqual([2, 3, 4]);
    expect(Array.from(firstImages(d, 3).labels)).toEqual([0, 1, 2]);
    expect(() => dartsSearchSplit(firstImages(d, 1), 0.5)).toThrow(/1 images cannot be split/);
  });

  it('halves images by averaging 2x2 blocks', async () => {
    const values = Array.from({ length: 16 }, (_, i) => i);
    const d = normalize(raw(values, 4, 4, 1, [0]), { mean: [0], std: [1 / 255] });
    const small = await resizeDataset(d, 2);
    expect(Array.from(small.images)).toEqual([2.5, 4.5, 10.5, 12.5]);
  });
});
