/**
 * The `.safetensors` file format (Hugging Face safetensors), written and read without a library so
 * that the page, the worker and the CLI can all use it (no tfjs, no Node API): 8 bytes of header
 * length N (unsigned 64-bit little-endian), N bytes of UTF-8 JSON, then the raw tensor bytes.
 * The JSON maps each tensor's name to `{dtype, shape, data_offsets: [begin, end]}` (offsets into
 * the bytes after the header) and may hold `__metadata__`, a map of strings. Only the two dtypes a
 * DARTS `state_dict()` holds are supported: F32 (weights, running statistics) and I64
 * (`num_batches_tracked`), little-endian, row-major.
 */

export type SafetensorsDtype = 'F32' | 'I64';

export interface SafeTensor {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** F32: Float32Array; I64: BigInt64Array. Length = product of the shape (1 for a scalar). */
  readonly data: Float32Array | BigInt64Array;
}

export interface SafetensorsFile {
  readonly metadata: Readonly<Record<string, string>>;
  /** In the order of their data in the file. */
  readonly tensors: readonly SafeTensor[];
}

/** Files above this size are refused unless the caller raises the limit (as trained models). */
export const DEFAULT_MAX_SAFETENSORS_BYTES = 2 ** 28;
/** The format's own limit on the JSON header (100 MB in the reference implementation). */
const MAX_HEADER_BYTES = 100_000_000;
const BYTES: Record<SafetensorsDtype, number> = { F32: 4, I64: 8 };

/** Every error about a file to read starts with this. */
export function safetensorsError(message: string): Error {
  return new Error(`invalid safetensors file: ${message}`);
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

const littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function dataBytes(t: SafeTensor): Uint8Array {
  const { data } = t;
  if (littleEndianHost) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) view.setFloat32(4 * i, data[i] as number, true);
    else view.setBigInt64(8 * i, data[i] as bigint, true);
  }
  return out;
}

function checkTensor(t: SafeTensor): void {
  if (!t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new Error(`tensor "${t.name}": shape [${t.shape.join(', ')}] is not a list of sizes`);
  }
  const wanted = t.dtype === 'F32' ? Float32Array : BigInt64Array;
  if (!(t.data instanceof wanted) || t.data.length !== elementCount(t.shape)) {
    throw new Error(
      `tensor "${t.name}": ${t.data.length} ${t.dtype} values do not fill shape [${t.shape.join(', ')}]`,
    );
  }
}

/**
 * The file's bytes: the tensors' data back to back in the given order, the header in the same
 * order after `__metadata__`, padded with spaces to a multiple of 8 bytes (as the reference
 * writer does) so that the data starts aligned.
 */
export function encodeSafetensors(file: SafetensorsFile): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(file.metadata).length > 0) header.__metadata__ = { ...file.metadata };
  let offset = 0;
  for (const t of file.tensors) {
    checkTensor(t);
    if (t.name === '__metadata__' || t.name in header) {
      throw new Error(`tensor name "${t.name}" is used twice or is reserved`);
    }
    const end = offset + t.data.length * BYTES[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, end] };
    offset = end;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const spaced = new Uint8Array(padded).fill(0x20);
    spaced.set(json);
    json = spaced;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of file.tensors) {
    out.set(dataBytes(t), at);
    at += t.data.byteLength;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseHeader(
  bytes: Uint8Array,
  maxBytes: number,
): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.length > maxBytes) {
    throw safetensorsError(`the file takes ${bytes.length} bytes, above the limit of ${maxBytes}`);
  }
  if (bytes.length < 8)
    throw safetensorsError(
      `the file has ${bytes.length} bytes, fewer than the 8 of its header length`,
    );
  const length = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (length > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    throw safetensorsError(
      `the header length ${length} does not fit the file's ${bytes.length - 8} bytes after it (is it a safetensors file?)`,
    );
  }
  const dataStart = 8 + Number(length);
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)),
    );
  } catch (e) {
    throw safetensorsError(`the header is not UTF-8 JSON: ${(e as Error).message}`);
  }
  if (!isRecord(header)) throw safetensorsError('the header is not a JSON object');
  return { header, dataStart };
}

function parseMetadata(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw safetensorsError('__metadata__ must map names to strings');
  }
  return value as Record<string, string>;
}

interface Entry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

function parseEntry(name: string, value: unknown, dataLength: number): Entry {
  if (!isRecord(value)) throw safetensorsError(`tensor "${name}" is not described by an object`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (dtype !== 'F32' && dtype !== 'I64') {
    throw safetensorsError(
      `tensor "${name}" has dtype ${JSON.stringify(dtype)}; only F32 and I64 are read (save the state_dict in float32)`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw safetensorsError(
      `tensor "${name}" has shape ${JSON.stringify(shape)}, not a list of sizes`,
    );
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)
  ) {
    throw safetensorsError(
      `tensor "${name}" has data_offsets ${JSON.stringify(offsets)}, not [begin, end]`,
    );
  }
  const [begin, end] = offsets as [number, number];
  const dims = shape as number[];
  if (end < begin || end > dataLength) {
    throw safetensorsError(
      `tensor "${name}" has data_offsets [${begin}, ${end}] outside the ${dataLength} data bytes`,
    );
  }
  if (end - begin !== elementCount(dims) * BYTES[dtype]) {
    throw safetensorsError(
      `tensor "${name}" of shape [${dims.join(', ')}] and dtype ${dtype} needs ${elementCount(dims) * BYTES[dtype]} bytes, its offsets give ${end - begin}`,
    );
  }
  return { name, dtype, shape: dims, begin, end };
}

function readData(bytes: Uint8Array, at: number, e: Entry): Float32Array | BigInt64Array {
  const count = elementCount(e.shape);
  const copy = bytes.slice(at + e.begin, at + e.end);
  if (littleEndianHost) {
    return e.dtype === 'F32' ? new Float32Array(copy.buffer) : new BigInt64Array(copy.buffer);
  }
  const view = new DataView(copy.buffer);
  if (e.dtype === 'F32')
    return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true));
  return BigInt64Array.from({ length: count }, (_, i) => view.getBigInt64(8 * i, true));
}

/**
 * Reads a file and checks its layout: header length within the file, a JSON object, known dtypes,
 * shapes matching the byte ranges, and ranges that tile the data exactly (no gap, no overlap, no
 * trailing bytes), as the format requires. Errors start with "invalid safetensors file:".
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  maxBytes = DEFAULT_MAX_SAFETENSORS_BYTES,
): SafetensorsFile {
  const { header, dataStart } = parseHeader(bytes, maxBytes);
  const dataLength = bytes.length - dataStart;
  const metadata = parseMetadata(header.__metadata__);
  const entries = Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .map(([name, value]) => parseEntry(name, value, dataLength))
    .sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const e of entries) {
    if (e.begin !== covered) {
      throw safetensorsError(
        e.begin < covered
          ? `tensor "${e.name}" overlaps the tensor before it`
          : `the data bytes ${covered}–${e.begin} belong to no tensor (before "${e.name}")`,
      );
    }
    covered = e.end;
  }
  if (covered !== dataLength) {
    throw safetensorsError(`the file has ${dataLength - covered} bytes after its last tensor`);
  }
  const tensors = entries.map((e) => ({
    name: e.name,
    dtype: e.dtype,
    shape: e.shape,
    data: readData(bytes, dataStart, e),
  }));
  return { metadata, tensors };
}
