import { describe, expect, it } from 'vitest';
import { gunzip, isGzip } from '../../src/data/gzip';
import { idxImageSet, parseIdx, readIdx } from '../../src/data/idx';

/** Gzip-compresses with the platform's CompressionStream, as `gzip` would. */
async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** An IDX file: `00 00 <type> <ndims>`, the sizes as big-endian uint32s, then `data`. */
function idxFile(dims: number[], data: ArrayLike<number>, type = 0x08): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, (type << 8) | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  bytes.set(Array.from(data), 4 + 4 * dims.length);
  return bytes;
}

/** 3 images of 4×5: pixel (n, y, x) = 100n + 10y + x, so each value says where it belongs. */
const N = 3;
const H = 4;
const W = 5;
const pixel = (n: number, y: number, x: number) => 100 * n + 10 * y + x;
const pixels = Array.from({ length: N * H * W }, (_, i) =>
  pixel(Math.floor(i / (H * W)), Math.floor(i / W) % H, i % W),
);
const LABELS = [7, 0, 9];
const imagesFile = idxFile([N, H, W], pixels);
const labelsFile = idxFile([N], LABELS);

describe('IDX parsing', () => {
  it('reads the sizes and exactly the data of an images and a labels file', () => {
    const images = parseIdx(imagesFile, 'images-idx3-ubyte');
    expect(images.dims).toEqual([3, 4, 5]);
    expect(images.fileName).toBe('images-idx3-ubyte');
    expect(Array.from(images.data)).toEqual(pixels);
    const labels = parseIdx(labelsFile, 'labels-idx1-ubyte');
    expect(labels.dims).toEqual([3]);
    expect(Array.from(labels.data)).toEqual(LABELS);
  });

  it('pairs images and labels into a one-channel image set', () => {
    const set = idxImageSet(parseIdx(imagesFile, 'i'), parseIdx(labelsFile, 'l'), 'tiny');
    expect(set).toMatchObject({
      name: 'tiny',
      count: 3,
      height: 4,
      width: 5,
      channels: 1,
      numClasses: 10,
    });
    expect(Array.from(set.labels)).toEqual([7, 0, 9]);
    // Row-major [n][y][x]: image 2, row 3, column 4 is the last byte.
    expect(set.images[(2 * H + 3) * W + 4]).toBe(234);
    expect(set.images[(1 * H + 2) * W + 1]).toBe(121);
    expect(set.images[0]).toBe(0);
    expect(set.images.length).toBe(60);
  });

  it('reads gzip-compressed and plain files alike', async () => {
    const gzImages = await gzip(imagesFile);
    const gzLabels = await gzip(labelsFile);
    expect(isGzip(gzImages)).toBe(true);
    expect(isGzip(imagesFile)).toBe(false);
    expect(isGzip(new Uint8Array([0x1f]))).toBe(false);
    const fromGz = idxImageSet(
      await readIdx(gzImages, 'train-images-idx3-ubyte.gz'),
      await readIdx(gzLabels, 'train-labels-idx1-ubyte.gz'),
      'gz',
    );
    const plain = idxImageSet(
      await readIdx(imagesFile, 'train-images-idx3-ubyte'),
      await readIdx(labelsFile, 'train-labels-idx1-ubyte'),
      'plain',
    );
    expect(Array.from(fromGz.images)).toEqual(pixels);
    expect(Array.from(fromGz.labels)).toEqual(LABELS);
    expect(Array.from(plain.images)).toEqual(Array.from(fromGz.images));
  });

  it('accepts a file that is a view into a larger buffer', () => {
    const big = new Uint8Array(labelsFile.length + 7);
    big.set(labelsFile, 3);
    const labels = parseIdx(big.subarray(3, 3 + labelsFile.length), 'labels');
    expect(Array.from(labels.data)).toEqual(LABELS);
  });
});

describe('broken IDX files', () => {
  const name = 't10k-images-idx3-ubyte';

  it('an empty file', async () => {
    expect(() => parseIdx(new Uint8Array(0), name)).toThrow(
      /^t10k-images-idx3-ubyte: file is empty$/,
    );
    await expect(readIdx(new Uint8Array(0), name)).rejects.toThrow(
      /t10k-images-idx3-ubyte: file is empty/,
    );
  });

  it('a wrong magic number', () => {
    const bad = imagesFile.slice();
    bad[2] = 0x0a;
    expect(() => parseIdx(bad, name)).toThrow(
      /^t10k-images-idx3-ubyte: wrong magic number 0x00000a03 \(expected 0x00000803 or 0x00000801/,
    );
    const notIdx = new TextEncoder().encode('hello, world');
    expect(() => parseIdx(notIdx, 'notes.txt')).toThrow(/notes.txt: wrong magic number 0x68656c6c/);
  });

  it('a gzip file given to parseIdx instead of readIdx', () => {
    expect(() => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]), name)).toThrow(
      /wrong magic number 0x1f8b0800 .*gzip-compressed: read it with readIdx/,
    );
  });

  it('an unsupported data type', () => {
    const floats = idxFile([2], [0, 0, 0, 0, 0, 0, 0, 0], 0x0d);
    expect(() => parseIdx(floats, name)).toThrow(
      /t10k-images-idx3-ubyte: unsupported IDX data type 0x0d \(only unsigned bytes, 0x08, are supported\)/,
    );
  });

  it('a truncated header or data', () => {
    expect(() => parseIdx(imagesFile.subarray(0, 3), name)).toThrow(
      /t10k-images-idx3-ubyte: truncated: 3 bytes is too short for an IDX header/,
    );
    expect(() => parseIdx(imagesFile.subarray(0, 10), name)).toThrow(
      /t10k-images-idx3-ubyte: truncated: the header of 3 sizes needs 16 bytes but the file has only 10/,
    );
    expect(() => parseIdx(imagesFile.subarray(0, 16 + 59), name)).toThrow(
      /t10k-images-idx3-ubyte: truncated: header says 3x4x5 = 60 bytes of data but only 59 follow/,
    );
    const big = idxFile([10000, 28, 28], new Uint8Array(1234));
    expect(() => parseIdx(big, name)).toThrow(
      /truncated: header says 10000x28x28 = 7840000 bytes of data but only 1234 follow/,
    );
  });

  it('trailing bytes after the data', () => {
    const long = new Uint8Array(labelsFile.length + 2);
    long.set(labelsFile);
    expect(() => parseIdx(long, 'labels-idx1-ubyte')).toThrow(
      /labels-idx1-ubyte: 2 unexpected trailing bytes after the 3 = 3 bytes of data/,
    );
  });

  it('images and labels that do not pair up', () => {
    const images = parseIdx(imagesFile, 'train-images-idx3-ubyte');
    const twoLabels = parseIdx(idxFile([2], [1, 2]), 't10k-labels-idx1-ubyte');
    expect(() => idxImageSet(images, twoLabels, 'x')).toThrow(
      /^train-images-idx3-ubyte has 3 images but t10k-labels-idx1-ubyte has 2 labels$/,
    );
    const labels = parseIdx(labelsFile, 'labels');
    expect(() => idxImageSet(labels, labels, 'x')).toThrow(
      /labels: expected 3-D images \[count, height, width\], got 1-D \[3\]/,
    );
    expect(() => idxImageSet(images, images, 'x')).toThrow(
      /train-images-idx3-ubyte: expected 1-D labels \[count\], got 3-D \[3, 4, 5\]/,
    );
  });

  it('a label out of range', () => {
    const images = parseIdx(imagesFile, 'images');
    const labels = parseIdx(idxFile([3], [3, 10, 1]), 'train-labels-idx1-ubyte');
    expect(() => idxImageSet(images, labels, 'mnist')).toThrow(
      /train-labels-idx1-ubyte: item 1 has label 10, but mnist labels are 0\.\.9/,
    );
    expect(idxImageSet(images, labels, 'wide', 11).numClasses).toBe(11);
  });

  it('corrupt or truncated gzip', async () => {
    const gz = await gzip(imagesFile);
    const file = 'train-images-idx3-ubyte.gz';
    const truncated = gz.subarray(0, gz.length - 5);
    await expect(readIdx(truncated, file)).rejects.toThrow(
      /^train-images-idx3-ubyte\.gz: not a valid gzip file \(.+\)$/,
    );
    const corrupt = gz.slice();
    corrupt[gz.length - 6] = (corrupt[gz.length - 6] as number) ^ 0xff; // the CRC-32
    await expect(readIdx(corrupt, file)).rejects.toThrow(
      /train-images-idx3-ubyte\.gz: not a valid gzip file \(.+\)/,
    );
    const junk = new Uint8Array(gz.length + 3);
    junk.set(gz);
    junk.set([1, 2, 3], gz.length);
    await expect(gunzip(junk, file)).rejects.toThrow(
      /train-images-idx3-ubyte\.gz: not a valid gzip/,
    );
    const middle = gz.slice();
    middle[20] = (middle[20] as number) ^ 0xff; // inside the deflate data
    await expect(readIdx(middle, file)).rejects.toThrow(/\.gz: not a valid gzip file \(.+\)/);
    await expect(gunzip(imagesFile, 'plain-idx3-ubyte')).rejects.toThrow(
      /^plain-idx3-ubyte: not a valid gzip file \(.+\)$/,
    );
  });

  it('files over the size limit', async () => {
    expect(() => parseIdx(imagesFile, name, 50)).toThrow(
      /^t10k-images-idx3-ubyte: 76 bytes is over the size limit of 50 bytes$/,
    );
    expect(() => parseIdx(imagesFile, name)).not.toThrow();
    // A small gzip file that decompresses past the limit stops there.
    const bomb = await gzip(new Uint8Array(100_000));
    await expect(readIdx(bomb, 'bomb.gz', 50_000)).rejects.toThrow(
      /bomb\.gz: decompresses to more than the size limit of 50000 bytes/,
    );
  });
});
