/**
 * The binary container of a search checkpoint (docs/DECISIONS.md, "Search checkpoints"): a
 * 16-byte header, a UTF-8 JSON manifest, then float32 tensor data, little-endian.
 *
 *   bytes 0–7    the magic "NASLABCK"
 *   bytes 8–11   format version, uint32 little-endian
 *   bytes 12–15  manifest length L in bytes, uint32 little-endian
 *   bytes 16–    the manifest; zero padding up to the next multiple of 4 (the data start)
 *   data         each tensor at data start + its byteOffset (a multiple of 4), byteLength = 4 × size
 *
 * The manifest's `tensors` lists {name, shape, dtype: "float32", byteOffset, byteLength}; the
 * file ends where the last tensor's bytes end. This module knows the container only; what the
 * rest of the manifest means is searchCheckpointManifest.ts's business.
 */
import { ManifestError } from './manifestFields';

export const CHECKPOINT_MAGIC = 'NASLABCK';
export const CHECKPOINT_VERSION = 1;
const CHECKPOINT_HEADER_BYTES = 16;
/** Files above this size are refused unless the caller raises the limit. */
export const DEFAULT_MAX_CHECKPOINT_BYTES = 2 ** 30;

export interface StoredTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

export interface Container {
  /** The manifest's fields other than `tensors`. */
  readonly manifest: Readonly<Record<string, unknown>>;
  readonly tensors: readonly StoredTensor[];
}

export interface TensorEntry {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: 'float32';
  readonly byteOffset: number;
  readonly byteLength: number;
}

/** Every error about a file to decode starts with "invalid search checkpoint: ". */
function checkpointError(message: string): Error {
  return new ManifestError('search checkpoint', message);
}

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(2)} MiB`;
  return `${n} bytes`;
}

const littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function writeFloat32LE(target: Uint8Array, offset: number, values: Float32Array): void {
  if (littleEndianHost) {
    target.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset);
    return;
  }
  const view = new DataView(target.buffer, target.byteOffset + offset, values.byteLength);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i] as number, true);
}

function readFloat32LE(source: Uint8Array, offset: number, count: number): Float32Array {
  if (littleEndianHost) {
    return new Float32Array(source.slice(offset, offset + 4 * count).buffer);
  }
  const view = new DataView(source.buffer, source.byteOffset + offset, 4 * count);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The container's bytes; throws when they would exceed `maxBytes`. */
export function encodeContainer(
  container: Container,
  maxBytes = DEFAULT_MAX_CHECKPOINT_BYTES,
): Uint8Array {
  const entries: TensorEntry[] = [];
  let dataBytes = 0;
  for (const t of container.tensors) {
    if (t.values.length !== sizeOf(t.shape)) {
      throw new Error(
        `tensor "${t.name}" has ${t.values.length} values for shape [${t.shape.join(', ')}]`,
      );
    }
    entries.push({
      name: t.name,
      shape: [...t.shape],
      dtype: 'float32',
      byteOffset: dataBytes,
      byteLength: t.values.byteLength,
    });
    dataBytes += t.values.byteLength;
  }
  const manifest = new TextEncoder().encode(
    JSON.stringify({ ...container.manifest, tensors: entries }),
  );
  const dataStart = align4(CHECKPOINT_HEADER_BYTES + manifest.length);
  const total = dataStart + dataBytes;
  if (total > maxBytes) {
    throw new Error(
      `the checkpoint would take ${formatBytes(total)}, above the limit of ${formatBytes(maxBytes)}`,
    );
  }
  const bytes = new Uint8Array(total);
  for (let i = 0; i < CHECKPOINT_MAGIC.length; i++) bytes[i] = CHECKPOINT_MAGIC.charCodeAt(i);
  const header = new DataView(bytes.buffer);
  header.setUint32(8, CHECKPOINT_VERSION, true);
  header.setUint32(12, manifest.length, true);
  bytes.set(manifest, CHECKPOINT_HEADER_BYTES);
  container.tensors.forEach((t, i) => {
    writeFloat32LE(bytes, dataStart + (entries[i] as TensorEntry).byteOffset, t.values);
  });
  return bytes;
}

function readHeader(bytes: Uint8Array, maxBytes: number): { manifestLength: number } {
  if (bytes.length > maxBytes) {
    throw checkpointError(
      `the file takes ${formatBytes(bytes.length)}, above the limit of ${formatBytes(maxBytes)}`,
    );
  }
  if (bytes.length < CHECKPOINT_HEADER_BYTES) {
    throw checkpointError(
      `the file is truncated: ${bytes.length} bytes, shorter than the ${CHECKPOINT_HEADER_BYTES}-byte header`,
    );
  }
  const magic = String.fromCharCode(...bytes.subarray(0, CHECKPOINT_MAGIC.length));
  if (magic !== CHECKPOINT_MAGIC) {
    throw checkpointError(
      `bad magic bytes ${JSON.stringify(magic)}: not a NAS Lab search checkpoint (expected "${CHECKPOINT_MAGIC}")`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, CHECKPOINT_HEADER_BYTES);
  const version = view.getUint32(8, true);
  if (version !== CHECKPOINT_VERSION) {
    throw checkpointError(
      `unsupported version ${version}; this build reads version ${CHECKPOINT_VERSION}`,
    );
  }
  const manifestLength = view.getUint32(12, true);
  if (CHECKPOINT_HEADER_BYTES + manifestLength > bytes.length) {
    throw checkpointError(
      `the file is truncated: the manifest needs ${manifestLength} bytes, ${bytes.length - CHECKPOINT_HEADER_BYTES} follow the header`,
    );
  }
  return { manifestLength };
}

function readManifest(bytes: Uint8Array, length: number): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(
      bytes.subarray(CHECKPOINT_HEADER_BYTES, CHECKPOINT_HEADER_BYTES + length),
    );
  } catch {
    throw checkpointError('the manifest is not valid UTF-8 text');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw checkpointError(`the manifest is not JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw checkpointError('the manifest is not a JSON object');
  }
  return value as Record<string, unknown>;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function parseEntry(value: unknown, index: number): TensorEntry {
  const at = `tensors[${index}]`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw checkpointError(`${at} is not an object`);
  }
  const e = value as Record<string, unknown>;
  if (typeof e.name !== 'string' || e.name.length === 0 || e.name.length > 256) {
    throw checkpointError(`${at} has no name (a string of 1 to 256 characters)`);
  }
  const named = `tensor "${e.name}"`;
  if (!Array.isArray(e.shape) || e.shape.length > 8 || !e.shape.every(isCount)) {
    throw checkpointError(`${named} has no valid shape (a list of up to 8 sizes)`);
  }
  if (e.dtype !== 'float32') {
    throw checkpointError(
      `${named} has dtype ${JSON.stringify(e.dtype)}; only "float32" is supported`,
    );
  }
  if (!isCount(e.byteOffset) || e.byteOffset % 4 !== 0) {
    throw checkpointError(
      `${named} has byteOffset ${JSON.stringify(e.byteOffset)}; it must be a non-negative multiple of 4`,
    );
  }
  if (!isCount(e.byteLength)) {
    throw checkpointError(`${named} has byteLength ${JSON.stringify(e.byteLength)}`);
  }
  const shape = e.shape as number[];
  const size = sizeOf(shape);
  if (e.byteLength !== 4 * size) {
    throw checkpointError(
      `${named} has shape [${shape.join(', ')}] (${size} float32 values, ${4 * size} bytes) but byteLength ${e.byteLength}`,
    );
  }
  return { name: e.name, shape, dtype: 'float32', byteOffset: e.byteOffset, byteLength: size * 4 };
}

function parseEntries(value: unknown): TensorEntry[] {
  if (!Array.isArray(value)) throw checkpointError('the manifest has no "tensors" list');
  const entries = value.map(parseEntry);
  const names = new Set<string>();
  for (const e of entries) {
    if (names.has(e.name)) throw checkpointError(`tensor "${e.name}" is listed twice`);
    names.add(e.name);
  }
  return entries;
}

/** Refuses byte ranges that overlap or lie past the data section's `available` bytes. */
function checkLayout(entries: readonly TensorEntry[], available: number): void {
  const sorted = [...entries].sort((a, b) => a.byteOffset - b.byteOffset);
  let end = 0;
  let previous: TensorEntry | null = null;
  for (const e of sorted) {
    if (e.byteLength === 0) continue;
    if (previous && e.byteOffset < end) {
      throw checkpointError(
        `the bytes of tensors "${previous.name}" and "${e.name}" overlap (offset ${e.byteOffset} < ${end})`,
      );
    }
    if (e.byteOffset + e.byteLength > available) {
      throw checkpointError(
        `tensor "${e.name}" needs data bytes ${e.byteOffset}–${e.byteOffset + e.byteLength}, ` +
          `the file holds ${available}: it is truncated or its manifest is wrong`,
      );
    }
    end = e.byteOffset + e.byteLength;
    previous = e;
  }
  if (end < available) {
    throw checkpointError(`${available - end} unexpected bytes follow the last tensor`);
  }
}

function readTensor(bytes: Uint8Array, dataStart: number, e: TensorEntry): StoredTensor {
  const values = readFloat32LE(bytes, dataStart + e.byteOffset, e.byteLength / 4);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw checkpointError(`tensor "${e.name}" holds ${values[i]} at index ${i}`);
    }
  }
  return { name: e.name, shape: e.shape, values };
}

/** Reads and checks the container; every error names what is wrong with the file. */
export function decodeContainer(
  bytes: Uint8Array,
  maxBytes = DEFAULT_MAX_CHECKPOINT_BYTES,
): Container {
  if (!(bytes instanceof Uint8Array)) throw checkpointError('expected the bytes of a file');
  const { manifestLength } = readHeader(bytes, maxBytes);
  const manifest = readManifest(bytes, manifestLength);
  const entries = parseEntries(manifest.tensors);
  const dataStart = align4(CHECKPOINT_HEADER_BYTES + manifestLength);
  checkLayout(entries, Math.max(bytes.length - dataStart, 0));
  const tensors = entries.map((e) => readTensor(bytes, dataStart, e));
  const rest: Record<string, unknown> = { ...manifest };
  delete rest.tensors;
  return { manifest: rest, tensors };
}

/**
 * The manifest alone, without reading the tensors (cheap: a page can look inside a large file
 * without copying its weights). The header and the manifest are checked as decodeContainer does.
 */
export function decodeManifestOnly(
  bytes: Uint8Array,
  maxBytes = DEFAULT_MAX_CHECKPOINT_BYTES,
): Record<string, unknown> {
  if (!(bytes instanceof Uint8Array)) throw checkpointError('expected the bytes of a file');
  const { manifestLength } = readHeader(bytes, maxBytes);
  const rest: Record<string, unknown> = { ...readManifest(bytes, manifestLength) };
  delete rest.tensors;
  return rest;
}
