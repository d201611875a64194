/**
 * The real Fashion-MNIST files of the Debian package `dataset-fashion-mnist`. The digests and
 * first labels were computed independently, with Python's gzip and hashlib:
 * `hashlib.sha256(gzip.open(path).read()[16:16 + 784]).hexdigest()`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { idxImageSet, readIdx } from '../../src/data/idx';
import type { RawImageSet } from '../../src/data/rawImages';

const DIR = '/usr/share/datasets/fashion-mnist';

async function load(prefix: 'train' | 't10k'): Promise<RawImageSet> {
  const read = async (file: string) => {
    const path = join(DIR, file);
    if (!existsSync(path)) {
      throw new Error(
        `${path} not found: install the Fashion-MNIST files with \`sudo apt-get install dataset-fashion-mnist\``,
      );
    }
    return readIdx(new Uint8Array(readFileSync(path)), file);
  };
  return idxImageSet(
    await read(`${prefix}-images-idx3-ubyte.gz`),
    await read(`${prefix}-labels-idx1-ubyte.gz`),
    `fashion-mnist ${prefix}`,
  );
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function histogram(set: RawImageSet): number[] {
  const counts = new Array<number>(set.numClasses).fill(0);
  for (const label of set.labels) counts[label] = (counts[label] as number) + 1;
  return counts;
}

const EXPECTED = {
  train: {
    count: 60_000,
    perClass: 6_000,
    firstImageSha256: '5bd44e331a6d6998daf675700cd0c13dcd7af8ab954b7585124124da61459e7b',
    firstLabels: [9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9],
  },
  t10k: {
    count: 10_000,
    perClass: 1_000,
    firstImageSha256: 'ffc7351ed0f8bae542820866086177fa4e0b366b97bf9d998dffdb8dbe138787',
    firstLabels: [9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5],
  },
} as const;

describe.each(['train', 't10k'] as const)('Fashion-MNIST %s files', (prefix) => {
  const expected = EXPECTED[prefix];
  let set: RawImageSet;

  beforeAll(async () => {
    set = await load(prefix);
  });

  it('has the documented count and size', () => {
    expect(set).toMatchObject({
      count: expected.count,
      height: 28,
      width: 28,
      channels: 1,
      numClasses: 10,
    });
    expect(set.images.length).toBe(expected.count * 784);
    expect(set.labels.length).toBe(expected.count);
  });

  it('is balanced across the 10 classes', () => {
    expect(histogram(set)).toEqual(new Array<number>(10).fill(expected.perClass));
  });

  it('starts with the known first image and labels', () => {
    expect(sha256(set.images.subarray(0, 784))).toBe(expected.firstImageSha256);
    expect(Array.from(set.labels.subarray(0, expected.firstLabels.length))).toEqual(
      expected.firstLabels,
    );
  });
});
