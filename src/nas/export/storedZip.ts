/**
 * A minimal zip archive of stored (uncompressed) files, written and read here rather than with a
 * dependency: the export bundles three files, and float32 weights barely compress, so "store" is
 * all it needs (PKWARE APPNOTE 6.3: local headers, central directory, end record; CRC-32; no
 * zip64, so at most 4 GiB and 65535 entries). Every file gets the same fixed time stamp
 * (1980-01-01 00:00), so the same files always give the same bytes. The reader takes such
 * archives (stored entries only) and checks every CRC.
 */

export interface ZipEntry {
  /** Path inside the archive, ASCII, `/`-separated. */
  readonly name: string;
  readonly data: Uint8Array;
}

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
/** 1980-01-01 00:00:00 in MS-DOS date and time. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const DOS_TIME = 0;
const VERSION = 20;

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) as zip uses it. */
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    crc = (crcTable[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function nameBytes(name: string): Uint8Array {
  if (!/^[\x20-\x7e]+$/.test(name) || name.startsWith('/') || name.split('/').includes('..')) {
    throw new Error(`zip entry name "${name}" must be a relative ASCII path`);
  }
  return new TextEncoder().encode(name);
}

/** The archive of `entries`, in order, all stored. */
export function encodeStoredZip(entries: readonly ZipEntry[]): Uint8Array {
  const names = entries.map((e) => nameBytes(e.name));
  const crcs = entries.map((e) => crc32(e.data));
  const localSize = entries.reduce(
    (n, e, i) => n + 30 + (names[i] as Uint8Array).length + e.data.length,
    0,
  );
  const centralSize = names.reduce((n, b) => n + 46 + b.length, 0);
  if (localSize + centralSize + 22 > 0xffffffff || entries.length > 0xffff) {
    throw new Error('the archive is too large for a zip without zip64');
  }
  const out = new Uint8Array(localSize + centralSize + 22);
  const view = new DataView(out.buffer);
  let at = 0;
  const u16 = (v: number) => {
    view.setUint16(at, v, true);
    at += 2;
  };
  const u32 = (v: number) => {
    view.setUint32(at, v, true);
    at += 4;
  };
  /** Flags, method (stored), time, date, CRC, sizes, name length, extra length: both headers'. */
  const storedFields = (i: number) => {
    const size = (entries[i] as ZipEntry).data.length;
    for (const v of [0, 0, DOS_TIME, DOS_DATE]) u16(v);
    for (const v of [crcs[i] as number, size, size]) u32(v);
    u16((names[i] as Uint8Array).length);
    u16(0);
  };
  const offsets: number[] = [];
  entries.forEach((e, i) => {
    offsets.push(at);
    u32(LOCAL);
    u16(VERSION);
    storedFields(i);
    out.set(names[i] as Uint8Array, at);
    at += (names[i] as Uint8Array).length;
    out.set(e.data, at);
    at += e.data.length;
  });
  const centralStart = at;
  entries.forEach((_, i) => {
    u32(CENTRAL);
    u16(VERSION); // made by
    u16(VERSION); // needed
    storedFields(i);
    u16(0); // comment
    u16(0); // disk
    u16(0); // internal attributes
    u32(0); // external attributes
    u32(offsets[i] as number);
    out.set(names[i] as Uint8Array, at);
    at += (names[i] as Uint8Array).length;
  });
  const centralLength = at - centralStart;
  u32(END);
  u16(0);
  u16(0);
  u16(entries.length);
  u16(entries.length);
  u32(centralLength);
  u32(centralStart);
  u16(0);
  return out;
}

function zipError(message: string): Error {
  return new Error(`invalid zip archive: ${message}`);
}

/** The entries of an archive of stored files (as encodeStoredZip writes); checks every CRC. */
export function decodeStoredZip(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === END) {
      end = i;
      break;
    }
  }
  if (end < 0) throw zipError('no end-of-central-directory record (not a zip file?)');
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  if (at + view.getUint32(end + 12, true) !== end) {
    throw zipError('the central directory does not end where the end record starts');
  }
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL) {
      throw zipError(`central directory entry ${n} is damaged`);
    }
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    const size = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const skip = nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (method !== 0) throw zipError(`"${name}" is compressed; only stored entries are read`);
    if (local + 30 > bytes.length || view.getUint32(local, true) !== LOCAL) {
      throw zipError(`the local header of "${name}" is damaged`);
    }
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + size > bytes.length) throw zipError(`"${name}" runs past the end of the file`);
    const data = bytes.slice(start, start + size);
    if (crc32(data) !== crc) throw zipError(`"${name}" fails its CRC check`);
    entries.push({ name, data });
    at += 46 + skip;
  }
  return entries;
}
