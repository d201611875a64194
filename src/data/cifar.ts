/**
 * The binary versions of CIFAR-10 and CIFAR-100 (https://www.cs.toronto.edu/~kriz/cifar.html).
 * A file is a run of fixed-length records: the label byte(s), then a 32×32 colour image stored
 * planar (1024 red, 1024 green, then 1024 blue bytes, each plane row-major). The parsers turn
 * that into NHWC.
 */
import { isGzip } from './gzip';
import type { RawImageSet } from './rawImages';
import { checkInputSize, DEFAULT_MAX_BYTES } from './rawImages';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const IMAGE_BYTES = 3 * PLANE;

/** A label byte in each record: where it sits and the values it may take. */
interface LabelField {
  readonly offset: number;
  readonly numClasses: number;
  /** How error messages name it, e.g. `fine label` (CIFAR-100) or `label` (CIFAR-10). */
  readonly what: string;
}

interface CifarFormat {
  readonly name: string;
  readonly labelBytes: number;
  readonly fields: readonly LabelField[];
  /** The field that becomes the image set's labels. */
  readonly use: LabelField;
}

function parseCifar(
  bytes: Uint8Array,
  fileName: string,
  format: CifarFormat,
  maxBytes: number,
): RawImageSet {
  checkInputSize(bytes.length, fileName, maxBytes);
  if (bytes.length === 0) throw new Error(`${fileName}: file is empty`);
  const recordBytes = format.labelBytes + IMAGE_BYTES;
  if (bytes.length % recordBytes !== 0) {
    const hint = isGzip(bytes) ? ' (the file is gzip-compressed: decompress it first)' : '';
    throw new Error(
      `${fileName}: ${bytes.length} bytes is not a whole number of ${recordBytes}-byte ${format.name} records${hint}`,
    );
  }

  const count = bytes.length / recordBytes;
  const images = new Uint8Array(count * IMAGE_BYTES);
  const labels = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    const record = r * recordBytes;
    for (const field of format.fields) {
      const label = bytes[record + field.offset] as number;
      if (label >= field.numClasses) {
        throw new Error(
          `${fileName}: record ${r} has ${field.what} ${label}, but ${format.name} ${field.what}s are 0..${field.numClasses - 1}`,
        );
      }
    }
    labels[r] = bytes[record + format.use.offset] as number;

    // Planar CHW → interleaved HWC: pixel p's red, green and blue are 1024 bytes apart.
    const src = record + format.labelBytes;
    const dst = r * IMAGE_BYTES;
    for (let p = 0; p < PLANE; p++) {
      images[dst + 3 * p] = bytes[src + p] as number;
      images[dst + 3 * p + 1] = bytes[src + PLANE + p] as number;
      images[dst + 3 * p + 2] = bytes[src + 2 * PLANE + p] as number;
    }
  }
  return {
    name: fileName,
    images,
    labels,
    count,
    height: SIDE,
    width: SIDE,
    channels: 3,
    numClasses: format.use.numClasses,
  };
}

const CIFAR10_LABEL: LabelField = { offset: 0, numClasses: 10, what: 'label' };
const CIFAR100_COARSE: LabelField = { offset: 0, numClasses: 20, what: 'coarse label' };
const CIFAR100_FINE: LabelField = { offset: 1, numClasses: 100, what: 'fine label' };

/** A CIFAR-10 file (`data_batch_1.bin` … `data_batch_5.bin`, `test_batch.bin`): 10 classes. */
export function parseCifar10(
  bytes: Uint8Array,
  fileName: string,
  maxBytes = DEFAULT_MAX_BYTES,
): RawImageSet {
  const format = { name: 'CIFAR-10', labelBytes: 1, fields: [CIFAR10_LABEL], use: CIFAR10_LABEL };
  return parseCifar(bytes, fileName, format, maxBytes);
}

/**
 * A CIFAR-100 file (`train.bin`, `test.bin`), whose records carry a coarse (20 superclasses) and
 * a fine (100 classes) label; both are checked, `label` picks the one the set uses.
 */
export function parseCifar100(
  bytes: Uint8Array,
  fileName: string,
  label: 'fine' | 'coarse' = 'fine',
  maxBytes = DEFAULT_MAX_BYTES,
): RawImageSet {
  const format = {
    name: 'CIFAR-100',
    labelBytes: 2,
    fields: [CIFAR100_COARSE, CIFAR100_FINE],
    use: label === 'fine' ? CIFAR100_FINE : CIFAR100_COARSE,
  };
  return parseCifar(bytes, fileName, format, maxBytes);
}

/** Joins image sets of the same shape and classes, in order (the five CIFAR-10 batches). */
export function concatImageSets(sets: readonly RawImageSet[], name: string): RawImageSet {
  const first = sets[0];
  if (first === undefined) throw new Error(`${name}: no image sets to join`);
  const shape = (s: RawImageSet) => `${s.height}x${s.width}x${s.channels}, ${s.numClasses} classes`;
  for (const s of sets) {
    if (shape(s) !== shape(first)) {
      throw new Error(
        `${name}: cannot join ${s.name} (${shape(s)}) to ${first.name} (${shape(first)})`,
      );
    }
  }
  const count = sets.reduce((n, s) => n + s.count, 0);
  const images = new Uint8Array(sets.reduce((n, s) => n + s.images.length, 0));
  const labels = new Uint8Array(count);
  let imageOffset = 0;
  let labelOffset = 0;
  for (const s of sets) {
    images.set(s.images, imageOffset);
    labels.set(s.labels, labelOffset);
    imageOffset += s.images.length;
    labelOffset += s.labels.length;
  }
  return { ...first, name, images, labels, count };
}
