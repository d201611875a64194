/**
 * The tensor memory a backend really holds. tfjs's `tf.memory().numBytes` counts every tensor
 * handle's bytes, so a reshape, a clone or a tensor the gradient tape saved (a clone) counts its
 * data again although it shares it; the bench's `peak MiB` is that count. This meter counts each
 * data buffer once, by watching the backend's data storage (where the wasm and cpu backends keep
 * one entry per buffer), and keeps the peak; and reads the wasm heap's size, which only grows.
 */
import * as tf from '../src/nas/tensor/tf';

const BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1 };

/** What a backend stores per buffer: wasm its shape and dtype, cpu its values. */
interface StoredData {
  readonly shape?: readonly number[];
  readonly dtype?: string;
  readonly values?: { readonly byteLength?: number } | null;
}

/** A stored buffer's bytes. */
function bytesOf(value: StoredData): number {
  if (value.shape) {
    return value.shape.reduce((a, b) => a * b, 1) * (BYTES[value.dtype ?? ''] ?? 4);
  }
  return value.values?.byteLength ?? 0;
}

interface DataStorageLike {
  set(dataId: object, value: StoredData): void;
  delete(dataId: object): boolean;
}

export interface BufferMeter {
  /** Bytes of the buffers alive now. */
  current(): number;
  /** The most bytes alive since the meter started (or since `resetPeak`). */
  peak(): number;
  resetPeak(): void;
  stop(): void;
}

function storageOf(backend: object): DataStorageLike | null {
  const b = backend as { dataIdMap?: DataStorageLike; data?: DataStorageLike };
  const storage = b.dataIdMap ?? b.data;
  return storage && typeof storage.set === 'function' ? storage : null;
}

/** Meters the current backend's buffers from now on (those alive before count as 0 bytes). */
export function meterBuffers(): BufferMeter {
  const storage = storageOf(tf.backend());
  if (!storage) throw new Error('this backend keeps no data storage the meter knows');
  const sizes = new WeakMap<object, number>();
  let current = 0;
  let peak = 0;
  const set = storage.set;
  const del = storage.delete;
  storage.set = function (dataId, value) {
    const before = sizes.get(dataId) ?? 0;
    const size = bytesOf(value);
    sizes.set(dataId, size);
    current += size - before;
    peak = Math.max(peak, current);
    return set.call(this, dataId, value);
  };
  storage.delete = function (dataId) {
    current -= sizes.get(dataId) ?? 0;
    sizes.delete(dataId);
    return del.call(this, dataId);
  };
  return {
    current: () => current,
    peak: () => peak,
    resetPeak: () => {
      peak = current;
    },
    stop: () => {
      storage.set = set;
      storage.delete = del;
    },
  };
}

/** Bytes of the wasm backend's heap (it grows and never shrinks), or null on another backend. */
export function wasmHeapBytes(): number | null {
  const b = tf.backend() as { wasm?: { HEAPU8?: Uint8Array } };
  return b.wasm?.HEAPU8?.buffer.byteLength ?? null;
}
