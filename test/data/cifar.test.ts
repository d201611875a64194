import { describe, expect, it } from 'vitest';
import { concatImageSets, parseCifar10, parseCifar100 } from '../../src/data/cifar';
import { gunzip } from '../../src/data/gzip';
import { checkInputSize, DEFAULT_MAX_BYTES } from '../../src/data/rawImages';

/** Gzip-compresses with the platform's CompressionStream, as `gzip` would. */
async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The value the synthetic files store for record `r`, channel `c` (0 R, 1 G, 2 B), row y, column x. */
const value = (r: number, c: number, y: number, x: number) =>
  (r * 61 + c * 83 + y * 7 + x * 3) % 256;

/**
 * A CIFAR binary file in the format of the dataset: per record the label bytes, then the planar
 * image, 1024 red, 1024 green and 1024 blue bytes, each plane row-major 32×32.
 */
function cifarFile(labels: number[][]): Uint8Array<ArrayBuffer> {
  const recordBytes = labels[0]!.length + 3072;
  const bytes = new Uint8Array(labels.length * recordBytes);
  labels.forEach((recordLabels, r) => {
    const start = r * recordBytes;
    bytes.set(recordLabels, start);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) {
          bytes[start + recordLabels.length + c * 1024 + y * 32 + x] = value(r, c, y, x);
        }
      }
    }
  });
  return bytes;
}

/** The NHWC index of record r's pixel (y, x), channel c. */
const nhwc = (r: number, y: number, x: number, c: number) => ((r * 32 + y) * 32 + x) * 3 + c;

const CIFAR10_LABELS = [3, 9, 0, 6];
const cifar10 = cifarFile(CIFAR10_LABELS.map((l) => [l]));
/** [coarse, fine] per record. */
const CIFAR100_LABELS = [
  [4, 30],
  [19, 99],
  [0, 0],
  [11, 57],
];
const cifar100 = cifarFile(CIFAR100_LABELS);

describe('CIFAR-10 binary', () => {
  it('reads labels and converts the planar images to NHWC', () => {
    const set = parseCifar10(cifar10, 'data_batch_1.bin');
    expect(set).toMatchObject({
      name: 'data_batch_1.bin',
      count: 4,
      height: 32,
      width: 32,
      channels: 3,
      numClasses: 10,
    });
    expect(Array.from(set.labels)).toEqual(CIFAR10_LABELS);
    expect(set.images.length).toBe(4 * 32 * 32 * 3);
    // Record 1, row 2, column 3: R at file byte 3073 + 1 + 67, G 1024 and B 2048 bytes later.
    expect(cifar10[3073 + 1 + 67]).toBe(value(1, 0, 2, 3));
    expect(Array.from(set.images.subarray(nhwc(1, 2, 3, 0), nhwc(1, 2, 3, 0) + 3))).toEqual([
      84, 167, 250,
    ]);
    // The first and last pixel of the file.
    expect(Array.from(set.images.subarray(0, 3))).toEqual([0, 83, 166]);
    expect(set.images[nhwc(3, 31, 31, 2)]).toBe(value(3, 2, 31, 31));
    // And every pixel.
    for (let r = 0; r < 4; r++) {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) {
          for (let c = 0; c < 3; c++) {
            if (set.images[nhwc(r, y, x, c)] !== value(r, c, y, x)) {
              throw new Error(`record ${r} pixel (${y}, ${x}) channel ${c}`);
            }
          }
        }
      }
    }
  });

  it('reads a gzip-compressed file once decompressed', async () => {
    const gz = await gzip(cifar10);
    const set = parseCifar10(await gunzip(gz, 'data_batch_1.bin.gz'), 'data_batch_1.bin.gz');
    expect(Array.from(set.labels)).toEqual(CIFAR10_LABELS);
    expect(set.images).toEqual(parseCifar10(cifar10, 'data_batch_1.bin').images);
    // Still compressed: the length is wrong and the message says why.
    expect(() => parseCifar10(gz, 'data_batch_1.bin.gz')).toThrow(
      /data_batch_1\.bin\.gz: \d+ bytes is not a whole number of 3073-byte CIFAR-10 records \(the file is gzip-compressed: decompress it first\)/,
    );
  });

  it('joins batches in order', () => {
    const a = parseCifar10(cifar10, 'data_batch_1.bin');
    const b = parseCifar10(cifar10.subarray(3073), 'data_batch_2.bin');
    const all = concatImageSets([a, b], 'cifar10');
    expect(all).toMatchObject({
      name: 'cifar10',
      count: 7,
      height: 32,
      channels: 3,
      numClasses: 10,
    });
    expect(Array.from(all.labels)).toEqual([3, 9, 0, 6, 9, 0, 6]);
    expect(all.images.subarray(0, a.images.length)).toEqual(a.images);
    expect(all.images.subarray(a.images.length)).toEqual(b.images);
    // Batch 2's first image is record 1 of the file.
    expect(all.images[nhwc(4, 2, 3, 1)]).toBe(167);
  });

  it('refuses to join sets of different shapes or classes', () => {
    const a = parseCifar10(cifar10, 'data_batch_1.bin');
    const c = parseCifar100(cifar100, 'train.bin');
    expect(() => concatImageSets([a, c], 'mixed')).toThrow(
      /mixed: cannot join train\.bin \(32x32x3, 100 classes\) to data_batch_1\.bin \(32x32x3, 10 classes\)/,
    );
    expect(() => concatImageSets([], 'none')).toThrow(/none: no image sets to join/);
  });
});

describe('CIFAR-100 binary', () => {
  it('uses the fine label by default and the coarse one on request', () => {
    const fine = parseCifar100(cifar100, 'train.bin');
    expect(fine).toMatchObject({ name: 'train.bin', count: 4, channels: 3, numClasses: 100 });
    expect(Array.from(fine.labels)).toEqual([30, 99, 0, 57]);
    const coarse = parseCifar100(cifar100, 'train.bin', 'coarse');
    expect(coarse.numClasses).toBe(20);
    expect(Array.from(coarse.labels)).toEqual([4, 19, 0, 11]);
    expect(coarse.images).toEqual(fine.images);
  });

  it('skips both label bytes before the planar image', () => {
    const set = parseCifar100(cifar100, 'test.bin');
    expect(Array.from(set.images.subarray(nhwc(1, 2, 3, 0), nhwc(1, 2, 3, 0) + 3))).toEqual([
      84, 167, 250,
    ]);
    expect(Array.from(set.images.subarray(0, 3))).toEqual([0, 83, 166]);
    expect(set.images[nhwc(2, 10, 20, 1)]).toBe(value(2, 1, 10, 20));
    expect(set.images[nhwc(3, 31, 31, 2)]).toBe(value(3, 2, 31, 31));
  });

  it('reads a gzip-compressed file once decompressed', async () => {
    const set = parseCifar100(await gunzip(await gzip(cifar100), 'train.bin.gz'), 'train.bin.gz');
    expect(Array.from(set.labels)).toEqual([30, 99, 0, 57]);
    expect(set.images).toEqual(parseCifar100(cifar100, 'train.bin').images);
  });
});

describe('broken CIFAR files', () => {
  it('an empty file', () => {
    expect(() => parseCifar10(new Uint8Array(0), 'test_batch.bin')).toThrow(
      /^test_batch\.bin: file is empty$/,
    );
    expect(() => parseCifar100(new Uint8Array(0), 'test.bin')).toThrow(
      /^test\.bin: file is empty$/,
    );
  });

  it('a length that is not a whole number of records', () => {
    expect(() => parseCifar10(cifar10.subarray(0, cifar10.length - 1), 'data_batch_1.bin')).toThrow(
      /^data_batch_1\.bin: 12291 bytes is not a whole number of 3073-byte CIFAR-10 records$/,
    );
    const trailing = new Uint8Array(cifar10.length + 1);
    trailing.set(cifar10);
    expect(() => parseCifar10(trailing, 'data_batch_1.bin')).toThrow(
      /data_batch_1\.bin: 12293 bytes is not a whole number of 3073-byte CIFAR-10 records/,
    );
    // A CIFAR-100 file read as CIFAR-10, and the other way round.
    expect(() => parseCifar10(cifar100, 'train.bin')).toThrow(
      /train\.bin: 12296 bytes is not a whole number of 3073-byte CIFAR-10 records/,
    );
    expect(() => parseCifar100(cifar10, 'data_batch_1.bin')).toThrow(
      /data_batch_1\.bin: 12292 bytes is not a whole number of 3074-byte CIFAR-100 records/,
    );
  });

  it('a label out of range', () => {
    const bad = cifar10.slice();
    bad[2 * 3073] = 12;
    expect(() => parseCifar10(bad, 'data_batch_3.bin')).toThrow(
      /^data_batch_3\.bin: record 2 has label 12, but CIFAR-10 labels are 0\.\.9$/,
    );
    const badFine = cifar100.slice();
    badFine[3 * 3074 + 1] = 100;
    expect(() => parseCifar100(badFine, 'train.bin')).toThrow(
      /train\.bin: record 3 has fine label 100, but CIFAR-100 fine labels are 0\.\.99/,
    );
    // The coarse label is checked even when the fine one is used, and the other way round.
    const badCoarse = cifar100.slice();
    badCoarse[3074] = 20;
    expect(() => parseCifar100(badCoarse, 'test.bin')).toThrow(
      /test\.bin: record 1 has coarse label 20, but CIFAR-100 coarse labels are 0\.\.19/,
    );
    expect(() => parseCifar100(badFine, 'train.bin', 'coarse')).toThrow(/fine label 100/);
  });

  it('a file over the size limit', () => {
    expect(() => parseCifar10(cifar10, 'data_batch_1.bin', 10_000)).toThrow(
      /^data_batch_1\.bin: 12292 bytes is over the size limit of 10000 bytes$/,
    );
    expect(() => parseCifar100(cifar100, 'train.bin', 'fine', 10_000)).toThrow(
      /train\.bin: 12296 bytes is over the size limit/,
    );
    expect(() => checkInputSize(600 * 1024 * 1024, 'train.bin', DEFAULT_MAX_BYTES)).toThrow(
      /^train\.bin: 629145600 bytes \(600\.0 MiB\) is over the size limit of 536870912 bytes \(512\.0 MiB\)$/,
    );
  });
});
