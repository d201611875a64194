/**
 * The memory a run may use where it runs, for the checks the kinds make before their first
 * tensor (the recurrent search's and the convolutional search's estimates): in the lab the wasm
 * heap's 4 GiB whatever the backend (more than a tab's GPU buffers usually get); elsewhere the
 * wasm heap on wasm and this machine's memory on cpu (its tensors are JS typed arrays);
 * WebGPU's depends on the device and is not checked.
 */
import * as tf from '../tensor/tf';
import type { RunEnv } from './runKind';

/** The wasm backend's heap limit (its module's maximum memory). */
export const WASM_HEAP_BYTES = 4 * 1024 ** 3;

export interface MemoryLimit {
  readonly bytes: number;
  /** Whose memory it is, for messages. */
  readonly name: string;
}

/** Node's `os.totalmem()`, read without importing `node:os` (the page's bundle has none). */
function machineMemory(): number | null {
  type NodeProcess = { getBuiltinModule?: (id: string) => { totalmem?: () => number } };
  const node = (globalThis as { process?: NodeProcess }).process;
  const total = node?.getBuiltinModule?.('node:os')?.totalmem?.();
  return typeof total === 'number' && total > 0 ? total : null;
}

/** The limit a run on `backend` in `host` must fit in, or null where none is known. */
export function memoryLimit(host: RunEnv['host'], backend: string): MemoryLimit | null {
  if (host === 'lab') {
    return { bytes: WASM_HEAP_BYTES, name: 'what the lab can hold (the wasm heap limit)' };
  }
  if (backend === 'wasm') return { bytes: WASM_HEAP_BYTES, name: "the wasm backend's heap limit" };
  const total = backend === 'cpu' ? machineMemory() : null;
  return total === null ? null : { bytes: total, name: "this machine's memory" };
}

/** Bytes in GiB for messages: one decimal under 10 GiB. */
export function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(bytes < 10 * 1024 ** 3 ? 1 : 0)} GiB`;
}

/**
 * Throws `problem`'s message when a run cannot fit where it runs (the current backend in
 * `host`); on the command line it names the --backend flag.
 */
export function checkFitsMemory(
  host: RunEnv['host'],
  problem: (limit: MemoryLimit) => string | null,
): void {
  const backend = tf.getBackend();
  const limit = memoryLimit(host, backend);
  const message = limit === null ? null : problem(limit);
  if (message) throw new Error(host === 'cli' ? `--backend ${backend}: ${message}` : message);
}
