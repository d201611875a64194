/**
 * The IDX file format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a
 * big-endian header `00 00 <type> <ndims>`, then `ndims` uint32 sizes, then the data, row-major.
 * Only unsigned-byte data (type 0x08), the type these datasets use, is supported.
 */
import { gunzip, isGzip } from './gzip';
import type { RawImageSet } from './rawImages';
import { checkInputSize, DEFAULT_MAX_BYTES, describeSize } from './rawImages';

/** A parsed IDX file: its sizes and exactly `prod(dims)` bytes of data (a view of the input). */
export interface IdxArray {
  /** The file the array came from, for error messages. */
  readonly fileName: string;
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;
/** The other IDX data types: int8, int16, int32, float32, float64. */
const OTHER_TYPES = [0x09, 0x0b, 0x0c, 0x0d, 0x0e];

const hex = (n: number, digits: number): string => `0x${n.toString(16).padStart(digits, '0')}`;

/** Sizes for a message, the first six only when a (corrupt) header has more: `3x28x28`. */
function listDims(dims: readonly number[], separator: string): string {
  const shown = dims.slice(0, 6).join(separator);
  return dims.length > 6 ? `${shown}${separator}… (${dims.length} sizes)` : shown;
}

export function parseIdx(
  bytes: Uint8Array,
  fileName: string,
  maxBytes = DEFAULT_MAX_BYTES,
): IdxArray {
  checkInputSize(bytes.length, fileName, maxBytes);
  if (bytes.length === 0) throw new Error(`${fileName}: file is empty`);
  if (bytes.length < 4) {
    throw new Error(`${fileName}: truncated: ${bytes.length} bytes is too short for an IDX header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const type = bytes[2] as number;
  const ndims = bytes[3] as number;

  if (bytes[0] === 0 && bytes[1] === 0 && OTHER_TYPES.includes(type)) {
    throw new Error(
      `${fileName}: unsupported IDX data type ${hex(type, 2)} (only unsigned bytes, 0x08, are supported)`,
    );
  }
  if (magic >>> 8 !== UNSIGNED_BYTE || ndims === 0) {
    const hint = isGzip(bytes) ? '; the file is gzip-compressed: read it with readIdx' : '';
    throw new Error(
      `${fileName}: wrong magic number ${hex(magic, 8)} (expected 0x00000803 or 0x00000801 for unsigned-byte IDX data${hint})`,
    );
  }

  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new Error(
      `${fileName}: truncated: the header of ${ndims} sizes needs ${headerBytes} bytes but the file has only ${bytes.length}`,
    );
  }
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  const follow = bytes.length - headerBytes;
  const declared = `${listDims(dims, 'x')} = ${size} bytes of data`;
  if (size > maxBytes) {
    throw new Error(
      `${fileName}: header says ${declared}, over the size limit of ${describeSize(maxBytes)}`,
    );
  }
  if (follow < size) {
    throw new Error(`${fileName}: truncated: header says ${declared} but only ${follow} follow`);
  }
  if (follow > size) {
    throw new Error(
      `${fileName}: ${follow - size} unexpected trailing bytes after the ${declared}`,
    );
  }
  return { fileName, dims, data: bytes.subarray(headerBytes) };
}

/** `parseIdx`, decompressing first if the file is gzip-compressed (`*-ubyte.gz`). */
export async function readIdx(
  bytes: Uint8Array,
  fileName: string,
  maxBytes = DEFAULT_MAX_BYTES,
): Promise<IdxArray> {
  const raw = isGzip(bytes) ? await gunzip(bytes, fileName, maxBytes) : bytes;
  return parseIdx(raw, fileName, maxBytes);
}

/** Pairs an images file [N, H, W] with its labels file [N] into a one-channel image set. */
export function idxImageSet(
  images: IdxArray,
  labels: IdxArray,
  name: string,
  numClasses = 10,
): RawImageSet {
  const [count, height, width] = images.dims;
  if (
    count === undefined ||
    height === undefined ||
    width === undefined ||
    images.dims.length !== 3
  ) {
    throw new Error(
      `${images.fileName}: expected 3-D images [count, height, width], got ${images.dims.length}-D [${listDims(images.dims, ', ')}]`,
    );
  }
  if (count === 0 || height === 0 || width === 0) {
    throw new Error(
      `${images.fileName}: header says ${count} images of ${height}x${width} pixels: an image set needs at least one image of at least 1x1`,
    );
  }
  if (labels.dims.length !== 1) {
    throw new Error(
      `${labels.fileName}: expected 1-D labels [count], got ${labels.dims.length}-D [${listDims(labels.dims, ', ')}]`,
    );
  }
  if (labels.data.length !== count) {
    throw new Error(
      `${images.fileName} has ${count} images but ${labels.fileName} has ${labels.data.length} labels`,
    );
  }
  const bad = labels.data.findIndex((label) => label >= numClasses);
  if (bad >= 0) {
    throw new Error(
      `${labels.fileName}: item ${bad} has label ${labels.data[bad]}, but ${name} labels are 0..${numClasses - 1}`,
    );
  }
  return {
    name,
    images: images.data,
    labels: labels.data,
    count,
    height,
    width,
    channels: 1,
    numClasses,
  };
}
