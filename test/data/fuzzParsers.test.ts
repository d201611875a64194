/**
 * Fuzzing of the dataset parsers: thousands of mutated and random files, each of which must
 * parse to a consistent value or be refused with an Error and a message, never crash or hang;
 * and the size limits, each refusing before the input is expanded in memory.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { DatasetKind, FileSource, LoadedDataset } from '../../src/data/catalog';
import { loadDataset } from '../../src/data/catalog';
import { parseCifar10, parseCifar100 } from '../../src/data/cifar';
import type { ImageDataset } from '../../src/data/dataset';
import { checkDataset } from '../../src/data/dataset';
import { gunzip } from '../../src/data/gzip';
import type { IdxArray } from '../../src/data/idx';
import { idxImageSet, parseIdx, readIdx } from '../../src/data/idx';
import type { RawImageSet } from '../../src/data/rawImages';
import { DEFAULT_MAX_BYTES } from '../../src/data/rawImages';
import { Rng } from '../../src/nas/tensor/random';
import { mutateBytes, outcomeOf, randomBytes } from '../support/mutate';

/** The longest one input may take to parse or be refused. */
const LIMIT_MS = 1000;

/** An IDX file: `00 00 08 <ndims>`, the sizes as big-endian uint32s, then `data`. */
function idxFile(dims: readonly number[], data: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x0800 | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  bytes.set(Array.from(data), 4 + 4 * dims.length);
  return bytes;
}

const gz = (bytes: Uint8Array): Uint8Array => new Uint8Array(gzipSync(bytes));
const pattern = (n: number, salt = 0): number[] =>
  Array.from({ length: n }, (_, i) => (i * 37 + salt) % 256);

/** A CIFAR file: per record the label bytes, then 3072 planar pixel bytes. */
function cifarFile(records: readonly (readonly number[])[]): Uint8Array {
  const labelBytes = records[0]?.length ?? 1;
  const recordBytes = labelBytes + 3072;
  const bytes = new Uint8Array(records.length * recordBytes);
  records.forEach((labels, r) => {
    bytes.set(labels, r * recordBytes);
    bytes.set(pattern(3072, r), r * recordBytes + labelBytes);
  });
  return bytes;
}

function show(input: unknown): string {
  if (input instanceof Uint8Array) {
    const head = Array.from(input.subarray(0, 48), (b) => b.toString(16).padStart(2, '0'));
    return `${input.length} bytes: ${head.join(' ')}`;
  }
  const plain = (_: string, v: unknown): unknown =>
    v instanceof Uint8Array ? show(v) : v instanceof Map ? Object.fromEntries(v) : v;
  return JSON.stringify(input, plain);
}

interface Tally {
  readonly parsed: number;
  readonly refused: number;
}

/**
 * Parses `cases` inputs drawn by `make`; each must give a value that passes `check` or be refused
 * with an Error and a message, within LIMIT_MS. Returns how many went each way.
 */
async function fuzz<I, T>(
  cases: number,
  seed: number,
  make: (rng: Rng) => I,
  parse: (input: I) => T | Promise<T>,
  check: (value: T, input: I) => void,
): Promise<Tally> {
  const rng = Rng.fromSeed(seed);
  let parsed = 0;
  let refused = 0;
  for (let i = 0; i < cases; i++) {
    const input = make(rng);
    const outcome = await outcomeOf(() => parse(input), LIMIT_MS);
    if (outcome.kind === 'crash') {
      expect({ case: i, input: show(input), crash: outcome.what }).toBeNull();
    } else if (outcome.kind === 'value') {
      check(outcome.value, input);
      parsed++;
    } else {
      // A message a person can read: not a dump of the input.
      if (outcome.message.length > 300) expect({ case: i, message: outcome.message }).toBeNull();
      refused++;
    }
  }
  return { parsed, refused };
}

describe('the fuzz harness', () => {
  it('tells values, refusals and crashes apart', async () => {
    const kinds = await Promise.all(
      [
        () => 7,
        () => Promise.resolve(7),
        () => {
          throw new Error('x.bin: file is empty');
        },
        () => {
          throw new TypeError('cannot read properties of undefined');
        },
        () => {
          throw new RangeError('Invalid typed array length: 4294967295');
        },
        () => {
          throw 'a string';
        },
        () => {
          throw new Error('bad');
        },
        () => new Promise<never>(() => undefined),
      ].map(async (parse) => (await outcomeOf(parse, 50)).kind),
    );
    expect(kinds).toEqual([
      'value',
      'value',
      'refused',
      'crash',
      'crash',
      'crash',
      'crash',
      'crash',
    ]);
  });

  it('mutates copies, never the input, the same way for the same seed', () => {
    const input = Uint8Array.from(pattern(64));
    const run = () => {
      const rng = Rng.fromSeed(5);
      return Array.from({ length: 50 }, () => Array.from(mutateBytes(input, rng)));
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(Array.from(input)).toEqual(pattern(64));
    expect(first.filter((m) => m.join() !== input.join()).length).toBeGreaterThan(40);
  });
});

// --- IDX --------------------------------------------------------------------------------

const IDX_IMAGES = idxFile([3, 4, 5], pattern(60));
const IDX_LABELS = idxFile([3], [7, 0, 9]);
const IDX_SEEDS = [
  IDX_IMAGES,
  IDX_LABELS,
  idxFile([1, 1, 1], [200]),
  idxFile([2, 2], [1, 2, 3, 4]),
];
/** The IDX header: magic, then the first sizes. */
const IDX_HOT = Array.from({ length: 16 }, (_, i) => i);

/** A parsed IDX array must be exactly what the file says: its header's sizes and the rest. */
function checkIdx(array: IdxArray, bytes: Uint8Array, maxBytes: number): void {
  const ndims = bytes[3] as number;
  const header = 4 + 4 * ndims;
  expect([bytes[0], bytes[1], bytes[2]]).toEqual([0, 0, 8]);
  expect(array.dims.length).toBe(ndims);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(array.dims).toEqual(Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i)));
  expect(array.data.length).toBe(array.dims.reduce((a, b) => a * b, 1));
  expect(header + array.data.length).toBe(bytes.length);
  expect(array.data.length).toBeLessThanOrEqual(maxBytes);
  expect(Buffer.compare(array.data, bytes.subarray(header))).toBe(0);
}

describe('IDX parser under fuzzing', () => {
  it('parses or refuses 2,000 mutated files, some against a small size limit', async () => {
    const tally = await fuzz(
      2000,
      81,
      (rng) => ({
        bytes: mutateBytes(IDX_SEEDS[rng.int(IDX_SEEDS.length)] as Uint8Array, rng, {
          donors: IDX_SEEDS,
          hot: IDX_HOT,
        }),
        maxBytes: rng.next() < 0.8 ? DEFAULT_MAX_BYTES : 24 + rng.int(60),
      }),
      ({ bytes, maxBytes }) => parseIdx(bytes, 'train-images-idx3-ubyte', maxBytes),
      (array, { bytes, maxBytes }) => checkIdx(array, bytes, maxBytes),
    );
    expect(tally.parsed).toBeGreaterThan(50);
    expect(tally.refused).toBeGreaterThan(1500);
  });

  it('parses or refuses 500 random files, half with a valid magic number', async () => {
    const tally = await fuzz(
      500,
      82,
      (rng) => {
        const bytes = randomBytes(rng, rng.int(40));
        if (rng.next() < 0.5 && bytes.length >= 4) bytes.set([0, 0, 8, rng.int(4)]);
        return bytes;
      },
      (bytes) => parseIdx(bytes, 'noise'),
      (array, bytes) => checkIdx(array, bytes, DEFAULT_MAX_BYTES),
    );
    expect(tally.refused).toBeGreaterThan(400);
  });

  it('reads or refuses 500 mutated gzip files', async () => {
    const seeds = IDX_SEEDS.map(gz);
    const tally = await fuzz(
      500,
      83,
      (rng) =>
        mutateBytes(seeds[rng.int(seeds.length)] as Uint8Array, rng, {
          donors: seeds,
          hot: IDX_HOT,
        }),
      (bytes) => readIdx(bytes, 'train-images-idx3-ubyte.gz'),
      (array, bytes) => checkIdx(array, new Uint8Array(gunzipSync(bytes)), DEFAULT_MAX_BYTES),
    );
    expect(tally.parsed).toBeGreaterThan(10);
    expect(tally.refused).toBeGreaterThan(300);
  });

  it('pairs or refuses 1,000 mutated image and label files', async () => {
    const tally = await fuzz(
      1000,
      84,
      (rng) => {
        const pick = () => (rng.next() < 0.5 ? IDX_IMAGES : IDX_LABELS);
        const images = pick();
        const labels = images === IDX_IMAGES ? IDX_LABELS : IDX_IMAGES;
        return rng.next() < 0.5
          ? { images: mutateBytes(images, rng, { hot: IDX_HOT }), labels }
          : { images, labels: mutateBytes(labels, rng, { hot: [...IDX_HOT, 8, 9, 10] }) };
      },
      ({ images, labels }) =>
        idxImageSet(parseIdx(images, 'images'), parseIdx(labels, 'labels'), 'mnist'),
      (set) => checkRawSet(set, 1),
    );
    expect(tally.parsed).toBeGreaterThan(15);
    expect(tally.refused).toBeGreaterThan(800);
  });

  it('refuses a header that claims 2^31 images by the size limit, not by allocating', () => {
    const claim = idxFile([0x80000000, 28, 28], pattern(16));
    expect(() => parseIdx(claim, 'train-images-idx3-ubyte')).toThrow(
      /^train-images-idx3-ubyte: header says 2147483648x28x28 = 1683627180032 bytes of data, over the size limit of 536870912 bytes \(512\.0 MiB\)$/,
    );
    const many = idxFile(new Array(200).fill(0xffffffff), []);
    expect(() => parseIdx(many, 'x')).toThrow(
      /^x: header says (4294967295x){6}… \(200 sizes\) = Infinity bytes of data, over the size limit of/,
    );
    expect(() => parseIdx(IDX_IMAGES, 'small', 59 + 16)).toThrow(
      /^small: 76 bytes is over the size limit of 75 bytes$/,
    );
    expect(() => parseIdx(idxFile([3, 4, 5], []), 'small', 59)).toThrow(
      /^small: header says 3x4x5 = 60 bytes of data, over the size limit of 59 bytes$/,
    );
  });

  it('refuses an image set with no images or empty images', () => {
    const noImages = parseIdx(idxFile([0, 28, 28], []), 't10k-images-idx3-ubyte');
    const noLabels = parseIdx(idxFile([0], []), 't10k-labels-idx1-ubyte');
    expect(() => idxImageSet(noImages, noLabels, 'mnist')).toThrow(
      /^t10k-images-idx3-ubyte: header says 0 images of 28x28 pixels: an image set needs at least one image of at least 1x1$/,
    );
    const flat = parseIdx(idxFile([3, 0, 4294967295], []), 'flat');
    expect(() => idxImageSet(flat, parseIdx(IDX_LABELS, 'labels'), 'mnist')).toThrow(
      /^flat: header says 3 images of 0x4294967295 pixels/,
    );
  });
});

// --- gzip ---------------------------------------------------------------------------------

describe('gzip under fuzzing and its size limit', () => {
  it('decompresses or refuses 600 mutated gzip files, never past the limit', async () => {
    const rng = Rng.fromSeed(90);
    const payloads = [
      new Uint8Array(0),
      randomBytes(rng, 10),
      randomBytes(rng, 3000),
      new Uint8Array(20_000),
    ];
    const seeds = payloads.map(gz);
    const limit = 8192;
    const tally = await fuzz(
      600,
      91,
      (r) =>
        mutateBytes(seeds[r.int(seeds.length)] as Uint8Array, r, {
          donors: seeds,
          hot: [0, 1, 2, 3, 8, 9, 10],
        }),
      (bytes) => gunzip(bytes, 'data.gz', limit),
      (out, bytes) => {
        expect(out.length).toBeLessThanOrEqual(limit);
        // zlib's own one-shot gunzip agrees byte for byte.
        expect(Buffer.compare(out, gunzipSync(bytes))).toBe(0);
      },
    );
    expect(tally.parsed).toBeGreaterThan(10);
    expect(tally.refused).toBeGreaterThan(400);
  });

  it('accepts output of exactly the limit and refuses one byte more', async () => {
    const file = gz(Uint8Array.from(pattern(5000)));
    expect(Array.from(await gunzip(file, 'x.gz', 5000))).toEqual(pattern(5000));
    await expect(gunzip(file, 'x.gz', 4999)).rejects.toThrow(
      /^x\.gz: decompresses to more than the size limit of 4999 bytes$/,
    );
  });

  it('refuses a gzip bomb by its limit: 10 MB of zeros from 10 KB', async () => {
    const bomb = gz(new Uint8Array(10 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(20_000);
    await expect(readIdx(bomb, 'bomb-idx3-ubyte.gz', 65_536)).rejects.toThrow(
      /^bomb-idx3-ubyte\.gz: decompresses to more than the size limit of 65536 bytes$/,
    );
  });

  it('stops a 3 GB bomb at the limit, long before it is decompressed', async () => {
    // 300 gzip members of 10 MiB of zeros each: 3 MB in, 3 GiB out. Decompressing it all would
    // take seconds and gigabytes; refused at 4 MiB, it takes milliseconds.
    const member = gz(new Uint8Array(10 * 1024 * 1024));
    const bomb = new Uint8Array(Buffer.concat(Array.from({ length: 300 }, () => member)));
    const started = performance.now();
    await expect(gunzip(bomb, 'bomb.gz', 4 * 1024 * 1024)).rejects.toThrow(
      /^bomb\.gz: decompresses to more than the size limit of 4194304 bytes \(4\.0 MiB\)$/,
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

// --- CIFAR --------------------------------------------------------------------------------

/** A raw image set must be self-consistent: sizes, at least one image, labels in range. */
function checkRawSet(set: RawImageSet, channels: number): void {
  expect(set.count).toBeGreaterThan(0);
  expect(set.height * set.width).toBeGreaterThan(0);
  expect(set.channels).toBe(channels);
  expect(set.images.length).toBe(set.count * set.height * set.width * set.channels);
  expect(set.labels.length).toBe(set.count);
  expect(Math.max(...set.labels)).toBeLessThan(set.numClasses);
}

/** Each record's label and one pixel per plane must be where the planar record put them. */
function checkCifar(set: RawImageSet, bytes: Uint8Array, labelBytes: number, use: number): void {
  checkRawSet(set, 3);
  const recordBytes = labelBytes + 3072;
  expect(set.count * recordBytes).toBe(bytes.length);
  for (let r = 0; r < set.count; r++) {
    expect(set.labels[r]).toBe(bytes[r * recordBytes + use]);
    for (const p of [0, 517, 1023]) {
      for (let c = 0; c < 3; c++) {
        expect(set.images[(r * 1024 + p) * 3 + c]).toBe(
          bytes[r * recordBytes + labelBytes + c * 1024 + p],
        );
      }
    }
  }
}

describe('CIFAR parsers under fuzzing', () => {
  const cifar10 = cifarFile([[3], [9]]);
  const cifar100 = cifarFile([
    [19, 99],
    [0, 5],
  ]);

  it('parse or refuse 800 mutated CIFAR-10 files', async () => {
    const tally = await fuzz(
      800,
      101,
      (rng) => mutateBytes(cifar10, rng, { donors: [cifar100], hot: [0, 1, 3072, 3073, 3074] }),
      (bytes) => parseCifar10(bytes, 'data_batch_1.bin'),
      (set, bytes) => {
        checkCifar(set, bytes, 1, 0);
        expect(set.numClasses).toBe(10);
      },
    );
    expect(tally.parsed).toBeGreaterThan(100);
    expect(tally.refused).toBeGreaterThan(300);
  });

  it('parse or refuse 800 mutated CIFAR-100 files, fine and coarse', async () => {
    const tally = await fuzz(
      800,
      102,
      (rng) => ({
        bytes: mutateBytes(cifar100, rng, { donors: [cifar10], hot: [0, 1, 2, 3074, 3075] }),
        label: rng.next() < 0.5 ? ('fine' as const) : ('coarse' as const),
      }),
      ({ bytes, label }) => parseCifar100(bytes, 'train.bin', label),
      (set, { bytes, label }) => {
        checkCifar(set, bytes, 2, label === 'fine' ? 1 : 0);
        expect(set.numClasses).toBe(label === 'fine' ? 100 : 20);
        for (let r = 0; r < set.count; r++) {
          expect(bytes[r * 3074] as number).toBeLessThan(20);
          expect(bytes[r * 3074 + 1] as number).toBeLessThan(100);
        }
      },
    );
    expect(tally.parsed).toBeGreaterThan(100);
    expect(tally.refused).toBeGreaterThan(300);
  });

  it('parse or refuse 300 random files of zero to three records', async () => {
    const tally = await fuzz(
      300,
      103,
      (rng) => ({
        bytes: randomBytes(rng, rng.int(4) * 3073 + rng.int(2)),
        small: rng.next() < 0.2,
      }),
      ({ bytes, small }) => parseCifar10(bytes, 'noise.bin', small ? 4000 : DEFAULT_MAX_BYTES),
      (set, { bytes }) => checkCifar(set, bytes, 1, 0),
    );
    expect(tally.refused).toBeGreaterThan(250);
  });
});

// --- The catalogue ------------------------------------------------------------------------

function memorySource(files: ReadonlyMap<string, Uint8Array>): FileSource {
  return {
    async read(candidates) {
      for (const name of candidates) {
        const bytes = files.get(name);
        if (bytes) return { name, bytes };
      }
      throw new Error(`cannot find ${candidates.join(' or ')} in memory`);
    },
  };
}

function idxSet(prefix: string, count: number, side: number, compress: boolean) {
  const name = (f: string) => (compress ? `${f}.gz` : f);
  const pack = (b: Uint8Array) => (compress ? gz(b) : b);
  return [
    [
      name(`${prefix}-images-idx3-ubyte`),
      pack(idxFile([count, side, side], pattern(count * side * side))),
    ],
    [
      name(`${prefix}-labels-idx1-ubyte`),
      pack(
        idxFile(
          [count],
          pattern(count).map((v) => v % 10),
        ),
      ),
    ],
  ] as const;
}

/** A small valid folder for each dataset kind. */
const FOLDERS: Readonly<Record<DatasetKind, ReadonlyMap<string, Uint8Array>>> = {
  default: new Map(idxSet('t10k', 8002, 1, true)),
  mnist: new Map([...idxSet('train', 4, 3, false), ...idxSet('t10k', 2, 3, true)]),
  'fashion-mnist': new Map([...idxSet('train', 3, 2, true), ...idxSet('t10k', 2, 2, false)]),
  cifar10: new Map([
    ...[1, 2, 3, 4, 5].map((i) => [`data_batch_${i}.bin`, cifarFile([[i]])] as const),
    ['test_batch.bin', cifarFile([[0], [9]])],
  ]),
  cifar100: new Map([
    ['train.bin', cifarFile([[1, 2]])],
    ['test.bin', cifarFile([[19, 99]])],
  ]),
};

/** One dataset file mutated, two swapped, or one missing. */
function mutateFolder(folder: ReadonlyMap<string, Uint8Array>, rng: Rng): Map<string, Uint8Array> {
  const files = new Map(folder);
  const names = [...files.keys()];
  const pick = () => names[rng.int(names.length)] as string;
  const roll = rng.next();
  if (roll < 0.1) {
    const [a, b] = [pick(), pick()];
    files.set(a, folder.get(b) as Uint8Array);
    files.set(b, folder.get(a) as Uint8Array);
  } else if (roll < 0.15) {
    files.delete(pick());
  } else {
    const name = pick();
    const bytes = folder.get(name) as Uint8Array;
    const compressed = name.endsWith('.gz');
    const hot = name.endsWith('.bin') ? [0, 1, 2] : Array.from({ length: 16 }, (_, i) => i);
    // A compressed file is mutated inside as often as outside.
    files.set(
      name,
      compressed && rng.next() < 0.5
        ? gz(mutateBytes(new Uint8Array(gunzipSync(bytes)), rng, { hot }))
        : mutateBytes(bytes, rng, { hot }),
    );
  }
  return files;
}

function checkLoaded(d: LoadedDataset, kind: DatasetKind): void {
  const shape = (s: ImageDataset) => [s.height, s.width, s.channels, s.numClasses];
  for (const split of [d.train, d.test]) {
    checkDataset(split);
    expect(split.count).toBeGreaterThan(0);
    expect(split.images.every(Number.isFinite)).toBe(true);
  }
  expect(shape(d.test)).toEqual(shape(d.train));
  expect(d.stats.mean.length).toBe(d.train.channels);
  if (kind === 'default') expect(d.train.count).toBe(8000);
}

describe('the dataset catalogue under fuzzing', () => {
  const CASES: Readonly<Record<DatasetKind, number>> = {
    default: 80,
    mnist: 300,
    'fashion-mnist': 200,
    cifar10: 200,
    cifar100: 200,
  };

  for (const [index, [kind, cases]] of (
    Object.entries(CASES) as [DatasetKind, number][]
  ).entries()) {
    it(`loads or refuses ${cases} mutated ${kind} folders`, async () => {
      const valid = await loadDataset(kind, memorySource(FOLDERS[kind]));
      checkLoaded(valid, kind);
      const tally = await fuzz(
        cases,
        110 + index,
        (rng) => mutateFolder(FOLDERS[kind], rng),
        (files) => loadDataset(kind, memorySource(files)),
        (d) => checkLoaded(d, kind),
      );
      expect(tally.parsed).toBeGreaterThan(cases / 20);
      expect(tally.refused).toBeGreaterThan(cases / 3);
    });
  }

  it('refuses training and test images of different sizes', async () => {
    const files = new Map([...idxSet('train', 4, 3, false), ...idxSet('t10k', 2, 4, false)]);
    await expect(loadDataset('mnist', memorySource(files))).rejects.toThrow(
      /^mnist \(test\) has 4x4x1 images in 10 classes, but mnist has 3x3x1 images in 10 classes$/,
    );
  });
});
