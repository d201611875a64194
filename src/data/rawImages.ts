/**
 * Images as they come out of a dataset file, before normalisation: 8-bit pixels, NHWC, and the
 * limit on the size of the files the parsers accept.
 */

/** A labelled set of 8-bit images, as parsed from a dataset file. */
export interface RawImageSet {
  readonly name: string;
  /** `count × height × width × channels` pixel values 0..255, NHWC. */
  readonly images: Uint8Array;
  /** One class index per image, each in `0..numClasses - 1`. */
  readonly labels: Uint8Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly numClasses: number;
}

/** The largest input (and decompressed gzip output) a parser accepts unless told otherwise. */
export const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;

/** A byte count for messages: `76 bytes`, `536870912 bytes (512.0 MiB)`. */
export function describeSize(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib < 1 ? `${bytes} bytes` : `${bytes} bytes (${mib.toFixed(1)} MiB)`;
}

/** Throws, naming the file and both sizes, if `size` bytes is over `maxBytes`. */
export function checkInputSize(size: number, fileName: string, maxBytes: number): void {
  if (size > maxBytes) {
    throw new Error(
      `${fileName}: ${describeSize(size)} is over the size limit of ${describeSize(maxBytes)}`,
    );
  }
}
